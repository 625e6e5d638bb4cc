"""Deepgram live streaming (deepgram-sdk 7.x) as a `SpeechToText`.

The socket is opened in `start()` (when the call's stream starts, not on first speech) with
mu-law 8 kHz mono, interim results, endpointing, `utterance_end_ms`, VAD events and smart
formatting; the clinic's provider names go in as key terms (`keyterm`, Nova-3), and each
question's vocabulary is pushed with a `Configure` message when the question changes.
Messages map to the speech protocol: `SpeechStarted` → SpeechStarted, `Results` with
`is_final: false` → Interim, finals are collected until `speech_final: true` (or an
`UtteranceEnd`) → Final. A `KeepAlive` goes out every few seconds while the agent is speaking
or whenever no audio has been sent for a while. If the socket dies, `events()` raises, and the
call loop apologises and reconnects (or falls back to the embedded recogniser).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, AsyncIterator, Iterable

from channels.voice.speech.protocols import Final, Interim, SpeechContext, SpeechEvent, SpeechStarted

log = logging.getLogger("channels.voice.deepgram")
KEEPALIVE_SECONDS = 4.0
IDLE_SECONDS = 5.0
QUESTION_TERMS: dict[str, tuple[str, ...]] = {
    "provider": ("family medicine", "cardiology", "dermatology", "pediatrics", "internal medicine"),
    "reason": ("checkup", "physical", "follow-up", "prescription refill", "flu shot", "vaccination"),
    "yes_no": ("yes", "no", "the first one", "the second one"),
}
_END = object()


class DeepgramSTT:
    def __init__(self, api_key: str, *, model: str = "nova-3", url: str | None = None, endpointing_ms: int = 300,
                 utterance_end_ms: int = 1000, language: str = "en-US", extra_terms: Iterable[str] = ()) -> None:
        self.api_key, self.model, self.url = api_key, model, url
        self.endpointing_ms, self.utterance_end_ms, self.language = endpointing_ms, utterance_end_ms, language
        self.extra_terms = list(extra_terms)
        self._stack: contextlib.AsyncExitStack | None = None
        self._socket: Any = None
        self._events: asyncio.Queue[object] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []
        self._parts: list[str] = []
        self._t_start: float | None = None
        self._t_end = 0.0
        self._confidence: list[float] = []
        self._question = "opening"
        self._base_terms: list[str] = []
        self._speaking = False
        self._last_sent = 0.0
        self._closing = False
        self._failed: BaseException | None = None
        self._final_from: float | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> "DeepgramSTT":
        return cls(settings.deepgram_api_key, model=settings.deepgram_model, url=settings.deepgram_url)

    def _client(self):
        from deepgram import AsyncDeepgramClient
        from deepgram.environment import DeepgramClientEnvironment

        if self.url:
            base = self.url.rstrip("/")
            http = base.replace("wss://", "https://").replace("ws://", "http://")
            env = DeepgramClientEnvironment(base=http, production=base, agent=base, agent_rest=http)
            return AsyncDeepgramClient(api_key=self.api_key, environment=env)
        return AsyncDeepgramClient(api_key=self.api_key)

    def terms_for(self, question: str) -> list[str]:
        terms = [*self._base_terms, *self.extra_terms, *QUESTION_TERMS.get(question, ())]
        return list(dict.fromkeys(t for t in terms if t))[:100]

    async def start(self, context: SpeechContext) -> None:
        self._question = context.question
        names: list[str] = []
        for provider in context.providers:
            names.append(provider.name.replace("Dr. ", "Doctor ").strip())
            if provider.specialty:
                names.append(provider.specialty)
        self._base_terms = names
        self._stack = contextlib.AsyncExitStack()
        options: dict[str, Any] = dict(
            model=self.model, encoding="mulaw", sample_rate="8000", channels="1", language=self.language,
            interim_results="true", endpointing=str(self.endpointing_ms), utterance_end_ms=str(self.utterance_end_ms),
            vad_events="true", smart_format="true", punctuate="true")
        terms = self.terms_for(self._question)
        if terms:
            if self.model.startswith("nova-3"):
                options["keyterm"] = terms
            else:
                options["keywords"] = terms
        try:
            self._socket = await self._stack.enter_async_context(self._client().listen.v1.connect(**options))
        except BaseException:
            await self._stack.aclose()
            raise
        self._last_sent = time.monotonic()
        self._tasks = [asyncio.create_task(self._read(), name="deepgram-read"),
                       asyncio.create_task(self._keepalive(), name="deepgram-keepalive")]

    def set_expected(self, question: str) -> None:
        if question == self._question or self._socket is None:
            self._question = question
            return
        self._question = question
        if not self.model.startswith("nova-3"):
            return
        from deepgram.listen.v1.types.listen_v1configure import ListenV1Configure
        task = asyncio.get_running_loop().create_task(
            self._socket.send_configure(ListenV1Configure(keyterms=self.terms_for(question))))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())   # a failed Configure is not fatal

    def set_agent_speaking(self, speaking: bool) -> None:
        self._speaking = speaking

    async def send_audio(self, mulaw_frame: bytes) -> None:
        if self._failed is not None:
            raise ConnectionError("Deepgram socket is closed") from self._failed
        if self._socket is None or self._closing:
            return
        await self._socket.send_media(mulaw_frame)
        self._last_sent = time.monotonic()

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_SECONDS)
            if self._speaking or time.monotonic() - self._last_sent > IDLE_SECONDS:
                with contextlib.suppress(Exception):
                    await self._socket.send_keep_alive()

    async def _read(self) -> None:
        from deepgram.listen.v1.types import (ListenV1Results, ListenV1SpeechStarted, ListenV1UtteranceEnd)
        try:
            async for message in self._socket:
                if isinstance(message, ListenV1Results):
                    self._on_results(message)
                elif isinstance(message, ListenV1SpeechStarted):
                    self._events.put_nowait(SpeechStarted(t=float(message.timestamp)))
                elif isinstance(message, ListenV1UtteranceEnd):
                    self._emit_final()
                # Metadata, ConfigureSuccess/Failure and unknown types: nothing to do
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed = exc
            log.warning("Deepgram socket failed", extra={"event": "deepgram_failed", "error": type(exc).__name__})
        else:
            if not self._closing:
                self._failed = ConnectionError("Deepgram closed the socket")
        self._events.put_nowait(_END)

    def _on_results(self, message: Any) -> None:
        alternatives = message.channel.alternatives if message.channel else []
        alt = alternatives[0] if alternatives else None
        text = (alt.transcript if alt else "") or ""
        if not message.is_final:
            if text:
                self._events.put_nowait(Interim(text))
            return
        if text:
            start = float(message.start)
            words = alt.words or []
            end = float(words[-1].end) if words else start + float(message.duration)
            if self._t_start is None:
                self._t_start = float(words[0].start) if words else start
                self._final_from = time.perf_counter()
            self._t_end = max(self._t_end, end)
            self._parts.append(text)
            self._confidence.append(float(alt.confidence or 0.0))
        if message.speech_final:
            self._emit_final()

    def _emit_final(self) -> None:
        if not self._parts:
            return
        text = " ".join(self._parts).strip()
        confidence = sum(self._confidence) / len(self._confidence) if self._confidence else 0.0
        latency = (time.perf_counter() - self._final_from) * 1000 if self._final_from else 0.0
        self._events.put_nowait(Final(text=text, accepted=bool(text), confidence=confidence, question=self._question,
                                      t_start=self._t_start or 0.0, t_end=self._t_end, latency_ms=latency))
        self._parts, self._confidence, self._t_start, self._t_end = [], [], None, 0.0
        self._final_from = None

    async def events(self) -> AsyncIterator[SpeechEvent]:
        while True:
            item = await self._events.get()
            if item is _END:
                if self._failed is not None and not self._closing:
                    raise ConnectionError("Deepgram stream ended") from self._failed
                return
            yield item  # type: ignore[misc]

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._socket is not None and self._failed is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._socket.send_close_stream(), 1.0)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2.0)
        if self._stack is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._stack.aclose(), 2.0)
        self._events.put_nowait(_END)
