"""EmbeddedSTT: the offline ``SpeechToText`` (webrtcvad segmenter + pocketsphinx grammars).

Frames go through the UtteranceSegmenter as they arrive (cheap, on the event loop). When an
utterance ends, it is upsampled to 16 kHz and decoded with the grammar of the question set by
``set_expected``: in the server's `DecoderPool` worker processes (pocketsphinx holds the GIL
through a decode, so a thread would stall every call), or, with a recogniser given (tests,
benchmarks) or no pool, in a thread. Thread-side recognisers are built once per clinic vocabulary
and shared by that clinic's calls (``recognizer_for``). With a `CombinedRecognition` given
(EMBEDDED_STT=combined), Whisper decodes the same utterance in a thread meanwhile and the
per-question rule picks the answer (combined.py).
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING, AsyncIterator

from .codec import FRAME_BYTES, pcm8k_to_pcm16k
from .decoder_pool import DecoderPool
from .grammar import QUESTION_TYPES, ClinicVocabulary
from .protocols import Final, SpeechContext, SpeechEvent, SpeechStarted
from .recognizer import GrammarRecognizer, Recognition, RecognizerConfig
from .vad import SpeechStartedEvent, UtteranceEndedEvent, UtteranceSegmenter

if TYPE_CHECKING:
    from .combined import CombinedRecognition

log = logging.getLogger("channels.voice.stt")
_recognizers: dict[tuple, GrammarRecognizer] = {}
_recognizers_lock = threading.Lock()


def recognizer_for(context: SpeechContext, config: RecognizerConfig | None = None) -> GrammarRecognizer:
    """One GrammarRecognizer per (clinic, roster, patient names), built on first use."""
    key = (context.clinic_id, tuple((p.name, p.specialty) for p in context.providers),
           tuple(context.patient_names))
    with _recognizers_lock:
        rec = _recognizers.get(key)
        if rec is None:
            rec = GrammarRecognizer(ClinicVocabulary(list(context.providers),
                                                     list(context.patient_names)), config)
            for old in [k for k in _recognizers if k[0] == context.clinic_id]:
                del _recognizers[old]               # roster changed: drop the stale one
            _recognizers[key] = rec
        return rec


_CLOSED = object()


class EmbeddedSTT:
    def __init__(self, *, recognizer: GrammarRecognizer | None = None, pool: DecoderPool | None = None,
                 combined: "CombinedRecognition | None" = None, vad_aggressiveness: int = 2,
                 min_speech_ms: int = 200, end_silence_ms: int = 650) -> None:
        self._recognizer = recognizer
        self._combined = combined
        self._pool = pool if recognizer is None else None
        self._context: SpeechContext | None = None
        self._warming: asyncio.Future[None] | None = None
        self._seg = UtteranceSegmenter(vad_aggressiveness, min_speech_ms=min_speech_ms,
                                       end_silence_ms=end_silence_ms)
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._question = "opening"
        self._pending: set[asyncio.Task[None]] = set()
        self._decode_chain: asyncio.Future[None] | None = None
        self._started = False
        self._closed = False
        self._buffer = b""

    @property
    def speech_ms(self) -> int:
        """Running duration of the caller's current speech (barge-in when > ~300 ms)."""
        return self._seg.speech_ms

    @property
    def decoding(self) -> bool:
        """An utterance is open (the caller may still be speaking) or its decode has not finished:
        the call does not count this as silence (no reprompt over an answer still being decoded)."""
        return self._seg.in_speech or bool(self._pending)

    async def start(self, context: SpeechContext) -> None:
        self._context = context
        if self._pool is not None:
            # builds the clinic's recogniser in the workers while the greeting plays; not awaited, so
            # a busy pool never delays the greeting (a decode builds it anyway if it comes first)
            self._warming = asyncio.ensure_future(self._pool.prepare(context))
            self._warming.add_done_callback(lambda f: f.cancelled() or f.exception())
        elif self._recognizer is None:
            loop = asyncio.get_running_loop()
            self._recognizer = await loop.run_in_executor(None, recognizer_for, context)
        self.set_expected(context.question)
        self._started = True

    def set_expected(self, question: str) -> None:
        if question not in QUESTION_TYPES:
            raise ValueError(f"unknown question type {question!r}; one of {QUESTION_TYPES}")
        self._question = question

    async def send_audio(self, mulaw_frame: bytes) -> None:
        if not self._started or self._closed:
            raise RuntimeError("EmbeddedSTT: send_audio before start() or after close()")
        data = self._buffer + mulaw_frame
        whole = len(data) // FRAME_BYTES * FRAME_BYTES
        self._buffer = data[whole:]
        for pos in range(0, whole, FRAME_BYTES):
            for ev in self._seg.feed(data[pos:pos + FRAME_BYTES]):
                self._handle(ev)

    def _handle(self, ev: object) -> None:
        if isinstance(ev, SpeechStartedEvent):
            self._queue.put_nowait(SpeechStarted(t=ev.t))
        elif isinstance(ev, UtteranceEndedEvent):
            task = asyncio.get_running_loop().create_task(
                self._decode(ev, self._question, time.perf_counter(), self._decode_chain))
            self._decode_chain = task           # Finals stay in utterance order
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _decode(self, ev: UtteranceEndedEvent, question: str, t_end: float,
                      previous: asyncio.Future[None] | None) -> None:
        try:
            if self._combined is not None:
                assert self._context is not None
                result = await self._combined.recognise(self._grammar(ev.pcm, question), ev.pcm, question,
                                                        self._context)
            else:
                result = await self._grammar(ev.pcm, question)
        except Exception:
            # a failed decode (a worker that died twice) is an utterance not understood: the call
            # asks again instead of waiting forever for a Final that never comes
            log.exception("decode failed", extra={"event": "stt_decode_failed"})
            result = Recognition("", False, question, reason="error")
        if previous is not None:
            try:
                await previous
            except Exception:
                pass
        self._queue.put_nowait(Final(
            text=result.text, accepted=result.accepted, confidence=result.confidence,
            question=question, t_start=ev.start_frame * 0.02, t_end=(ev.end_frame + 1) * 0.02,
            escape=result.escape, latency_ms=(time.perf_counter() - t_end) * 1000,
            guess=result.guess, heard_by=result.heard_by))

    async def _grammar(self, pcm8k: bytes, question: str) -> Recognition:
        if self._pool is not None:
            assert self._context is not None
            return await self._pool.decode(self._context, pcm8k, question)
        assert self._recognizer is not None
        rec = self._recognizer
        return await asyncio.get_running_loop().run_in_executor(
            None, lambda: rec.decode(pcm8k_to_pcm16k(pcm8k), question))

    async def events(self) -> AsyncIterator[SpeechEvent]:
        while True:
            item = await self._queue.get()
            if item is _CLOSED:
                return
            yield item  # type: ignore[misc]

    async def close(self) -> None:
        """Flush an utterance still open, wait for its decode, then end ``events()``."""
        if self._closed:
            return
        self._closed = True
        if self._started:
            for ev in self._seg.flush():
                self._handle(ev)
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
        self._queue.put_nowait(_CLOSED)
