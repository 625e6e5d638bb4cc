"""The embedded natural voice: hibari (a 7.9 MB int8 ONNX voice distilled from Kokoro) -> 8 kHz mu-law.

Callers are people and hear a person-like voice better than espeak-ng's formant synthesis; and the
same voice family is what the caller-like recognition set was measured on. The weights come only
inside the pinned `hibari-tts` wheel and are checked against their SHA-256 before loading; the
package's other voices download on first use, so only its bundled default voice is ever asked for.
A sentence renders in ~15 ms on one core, off the event loop (onnxruntime releases the GIL).
"""
from __future__ import annotations

import asyncio
import threading

import numpy as np

from safety.model_files import ModelFile, verified_path

from .codec import SAMPLE_RATE, array_to_ulaw, pad_to_frames, resample
from .tts import SentenceTTS

WEIGHTS = (
    ModelFile("hibari", "hibari-tts==0.2.1", "assets/hibari.onnx",
              "5f70741d4e900f4e85d0037498736cc1b3e1b9a63a13546a5da1e63abf4fccd8"),
    ModelFile("hibari", "hibari-tts==0.2.1", "assets/oov.onnx",      # spelling-to-sound for unknown words
              "d3cfd8122c5f172a98c8de38268bf1213ee09f2c2ae4df6e055fc6532590fe76"),
)


class NaturalTTS(SentenceTTS):
    """``TextToSpeech`` on hibari's bundled voice. Raises `ModelFilesError` (naming the package) when
    the weights are missing or not the pinned ones."""

    name = "natural"

    def __init__(self, *, speed: float = 1.0, chunk_frames: int = 10, cache_size: int = 128) -> None:
        super().__init__(chunk_frames=chunk_frames, cache_size=cache_size)
        model_path = verified_path(WEIGHTS[0])
        for spec in WEIGHTS[1:]:
            verified_path(spec)
        from hibari import SAMPLE_RATE as rate
        from hibari import Hibari
        self.speed, self._rate = speed, rate
        self._voice = Hibari(model=str(model_path), threads=1)
        self._lock = threading.Lock()        # the lazily built spelling-to-sound is not thread-safe
        self._render_sync("Hello.")          # load the lexicons now, not on a caller's first turn

    async def _render(self, sentence: str) -> bytes:
        return await asyncio.to_thread(self._render_sync, sentence)

    def _render_sync(self, sentence: str) -> bytes:
        with self._lock:
            audio = self._voice(sentence, speed=self.speed, seed=0)     # seeded: the same audio every time
        pcm = np.clip(np.asarray(audio, dtype=np.float64) * 32767.0, -32768, 32767)
        return pad_to_frames(array_to_ulaw(resample(pcm, self._rate, SAMPLE_RATE)))
