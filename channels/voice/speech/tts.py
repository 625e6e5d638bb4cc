"""Embedded text-to-speech -> 8 kHz mu-law chunks for Twilio: the sentence pipeline and espeak-ng.

``SentenceTTS.synthesize(text)`` splits the reply into sentences and renders them one sentence
ahead of playback, so the first sentence's audio is yielded while the next ones are still being
synthesised; every chunk is a whole number of 160-byte (20 ms) frames. Rendered sentences are kept
in a small LRU cache (``warm()`` pre-fills it). ``EspeakTTS`` renders with ``espeak-ng --stdout``
in an asyncio subprocess (resampled 22050 -> 8000 Hz with the codec's polyphase FIR); the natural
voice is in ``natural_tts.py``.
"""
from __future__ import annotations

import asyncio
import re
import subprocess
from collections import OrderedDict
from typing import AsyncIterator, Iterable

import numpy as np

from .codec import FRAME_BYTES, SAMPLE_RATE, array_to_ulaw, pad_to_frames, parse_wav, resample
from .lexicon import espeak_binary

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def split_sentences(text: str, max_chars: int = 220) -> list[str]:
    """Split on sentence punctuation; very long sentences are split again at commas."""
    text = _CONTROL.sub(" ", text).strip()
    out: list[str] = []
    for sent in _SENTENCE_END.split(text):
        sent = sent.strip()
        while len(sent) > max_chars:
            cut = sent.rfind(",", 0, max_chars)
            cut = cut if cut > 20 else max_chars
            out.append(sent[:cut + 1].strip())
            sent = sent[cut + 1:].strip()
        if sent:
            out.append(sent)
    return out


def wav_to_ulaw(wav: bytes) -> bytes:
    """espeak-ng WAV (16-bit mono, 22050 Hz) -> 8 kHz mu-law, padded to whole 20 ms frames."""
    pcm, rate = parse_wav(wav)
    samples = np.frombuffer(pcm, dtype="<i2")
    return pad_to_frames(array_to_ulaw(resample(samples, rate, SAMPLE_RATE)))


def espeak_args(voice: str, speed: int, amplitude: int, pitch: int | None) -> list[str]:
    args = [espeak_binary(), "-v", voice, "-s", str(speed), "-a", str(amplitude)]
    if pitch is not None:
        args += ["-p", str(pitch)]
    return args + ["--stdout", "--stdin"]


def synthesize_ulaw_sync(text: str, voice: str = "en-us", speed: int = 165, amplitude: int = 100,
                         pitch: int | None = None) -> bytes:
    """Blocking one-shot synthesis (benchmarks, tests, fixtures)."""
    wav = subprocess.run(espeak_args(voice, speed, amplitude, pitch), input=text.encode(),
                         capture_output=True, check=True, timeout=30).stdout
    return wav_to_ulaw(wav)


def synthesize_pcm_sync(text: str, voice: str = "en-us", speed: int = 165) -> tuple[bytes, int]:
    """Blocking synthesis to the raw espeak-ng PCM (16-bit, its native 22050 Hz)."""
    wav = subprocess.run(espeak_args(voice, speed, 100, None), input=text.encode(),
                         capture_output=True, check=True, timeout=30).stdout
    return parse_wav(wav)


class SentenceTTS:
    """Sentence-at-a-time synthesis, one sentence ahead of playback, with a small LRU cache of
    sentences (greetings and fixed phrases cost nothing the second time). Subclasses render one
    sentence to 8 kHz mu-law in `_render`."""

    def __init__(self, *, chunk_frames: int = 10, cache_size: int = 128) -> None:
        self.chunk_bytes = FRAME_BYTES * max(1, chunk_frames)
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_size = cache_size

    async def _render(self, sentence: str) -> bytes:
        raise NotImplementedError

    async def warm(self, phrases: Iterable[str]) -> None:
        """Pre-synthesise fixed phrases (greeting, 'one moment please', ...) into the cache."""
        for phrase in phrases:
            for sentence in split_sentences(phrase):
                await self._sentence_audio(sentence)

    async def synthesize(self, text: str) -> AsyncIterator[bytes]:
        sentences = split_sentences(text)
        if not sentences:
            return
        pending: asyncio.Task[bytes] | None = asyncio.create_task(self._sentence_audio(sentences[0]))
        try:
            for i in range(len(sentences)):
                assert pending is not None
                audio = await pending
                pending = (asyncio.create_task(self._sentence_audio(sentences[i + 1]))
                           if i + 1 < len(sentences) else None)
                for pos in range(0, len(audio), self.chunk_bytes):
                    yield audio[pos:pos + self.chunk_bytes]
        finally:
            if pending is not None and not pending.done():
                pending.cancel()
                try:
                    await pending
                except (asyncio.CancelledError, Exception):
                    pass

    async def _sentence_audio(self, sentence: str) -> bytes:
        cached = self._cache.get(sentence)
        if cached is not None:
            self._cache.move_to_end(sentence)
            return cached
        audio = await self._render(sentence)
        self._cache[sentence] = audio
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return audio


class EspeakTTS(SentenceTTS):
    """``TextToSpeech`` on espeak-ng (a subprocess a sentence). Thread/task safe; one instance can
    serve many calls. The robotic fallback: `natural_tts.NaturalTTS` is the embedded default."""

    name = "espeak"

    def __init__(self, voice: str = "en-us", speed: int = 165, amplitude: int = 100,
                 pitch: int | None = None, *, chunk_frames: int = 10, cache_size: int = 128) -> None:
        super().__init__(chunk_frames=chunk_frames, cache_size=cache_size)
        self.voice, self.speed, self.amplitude, self.pitch = voice, speed, amplitude, pitch
        espeak_binary()                                  # fail at start-up, not mid-call
        resample(np.zeros(441), 22050, SAMPLE_RATE)      # build the filter bank now

    async def _render(self, sentence: str) -> bytes:
        proc = await asyncio.create_subprocess_exec(
            *espeak_args(self.voice, self.speed, self.amplitude, self.pitch),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        try:
            wav, err = await proc.communicate(sentence.encode())
        except asyncio.CancelledError:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            raise
        if proc.returncode != 0 or not wav:
            raise RuntimeError(f"espeak-ng failed ({proc.returncode}): {err.decode(errors='replace')[:200]}")
        return wav_to_ulaw(wav)
