"""Hearing: the call's speech-to-text stream, kept alive.

Caller frames go to the recogniser (stamped on its own audio timeline, `clock`); its events go to
`on_event`. A stream that fails or ends is replaced: the vendor is reconnected once, then the
embedded recogniser takes over; when nothing works the caller is told and the call ends. While a
repair is under way, frames are not sent (the recogniser being replaced would only fail again).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Awaitable, Callable

from channels.voice.ports import FrameClock, SpeechContext, SpeechToText

log = logging.getLogger("channels.voice.call")

APOLOGY_HEARING = "I'm sorry, I'm having trouble hearing you. Please give me a moment."
CANNOT_HEAR = "I'm sorry, I can't hear you right now. Please call back in a few minutes. Goodbye."

SttFactory = Callable[[], Awaitable[SpeechToText]]


class Hearing:
    def __init__(self, stt: SpeechToText, *, context: Callable[[], SpeechContext],
                 on_event: Callable[[object], Awaitable[None]],
                 apologise: Callable[[str, str | None], Awaitable[None]], note: Callable[..., None],
                 stopped: Callable[[], bool], stt_factory: SttFactory | None = None,
                 fallback_factory: SttFactory | None = None) -> None:
        self.stt = stt
        self._context, self._on_event, self._apologise, self._note = context, on_event, apologise, note
        self._stopped = stopped
        self.stt_factory, self.fallback_factory = stt_factory, fallback_factory
        self.clock = FrameClock()            # the recogniser's audio timeline
        self.failures = 0
        self.repairing = False

    async def start(self) -> None:
        try:
            await self.stt.start(self._context())
        except Exception as exc:
            log.warning("speech-to-text did not start", extra={"event": "stt_start_failed",
                                                              "error": type(exc).__name__})
            await self._replace()

    async def send(self, frame: bytes, now: float) -> None:
        if self.repairing:
            return
        self.clock.tick(now)
        try:
            await self.stt.send_audio(frame)
        except Exception as exc:
            await self.broken(exc)

    def expect(self, question: str) -> None:
        """Tell the recogniser which question the caller is answering (its grammar)."""
        try:
            self.stt.set_expected(question)
        except Exception:
            log.warning("set_expected failed", extra={"event": "stt_set_expected_failed"})

    @property
    def decoding(self) -> bool:
        """The recogniser holds speech it has not answered yet (an utterance still open or being
        decoded: the embedded recogniser says so; a vendor stream is taken as never pending)."""
        try:
            return bool(getattr(self.stt, "decoding", False))
        except Exception:
            return False

    def agent_speaking(self, speaking: bool) -> None:
        hook = getattr(self.stt, "set_agent_speaking", None)    # vendors: KeepAlive while we talk
        if hook is not None:
            with contextlib.suppress(Exception):
                hook(speaking)

    async def run(self) -> None:
        """Read the recogniser's events until the call stops, repairing the stream as it breaks."""
        while not self._stopped():
            stt = self.stt
            try:
                async for event in stt.events():
                    await self._on_event(event)
                if stt is self.stt and not self._stopped():
                    raise ConnectionError("speech-to-text stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if stt is self.stt:
                    await self.broken(exc)
            while self.stt is stt and not self._stopped():   # a repair elsewhere is replacing it
                await asyncio.sleep(0.05)

    async def broken(self, exc: BaseException) -> None:
        if self.repairing:
            return
        self.repairing = True
        try:
            await self._repair(exc)
        finally:
            self.repairing = False

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.stt.close()

    async def _repair(self, exc: BaseException) -> None:
        self.failures += 1
        self._note("stt_failed", error=type(exc).__name__)
        log.warning("speech-to-text failed mid-call", extra={"event": "stt_failed", "error": type(exc).__name__})
        with contextlib.suppress(Exception):
            await self.stt.close()
        if self.failures <= 3:
            await self._apologise(APOLOGY_HEARING, None)
        await self._replace()

    async def _replace(self) -> None:
        """Reconnect the vendor once, then fall back to the embedded recogniser, then give up."""
        for factory in (self.stt_factory if self.failures <= 1 else None, self.fallback_factory):
            if factory is None:
                continue
            try:
                stt = await factory()
                await stt.start(self._context())
                self.clock = FrameClock()        # the new stream's audio timeline starts now
                self.stt = stt
                self._note("stt_replaced", kind=type(stt).__name__)
                return
            except Exception as exc:
                log.warning("speech-to-text replacement failed", extra={"event": "stt_replace_failed",
                                                                        "error": type(exc).__name__})
        self.stt = DeadSTT()
        await self._apologise(CANNOT_HEAR, "hangup")


class DeadSTT:
    """Stands in after every speech-to-text option failed (the call is being closed politely)."""

    async def start(self, context: SpeechContext) -> None:
        return None

    async def send_audio(self, mulaw_frame: bytes) -> None:
        return None

    def set_expected(self, question: str) -> None:
        return None

    async def events(self):
        await asyncio.Event().wait()
        yield None  # pragma: no cover

    async def close(self) -> None:
        return None
