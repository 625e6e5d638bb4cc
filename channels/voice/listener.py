"""Listening on a call: speech-to-text events (with vendor repair and fallback), back-channels,
"Did you say ...?" guesses, and keypad digits, turned into work items for the dialogue worker.

A mixin of `CallSession` (like `Speaker`): the session owns the STT, the clock and the queue."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from channels.voice.keypad import KeyMeaning
from channels.voice.ports import Final, FrameClock, Interim, SpeechContext, SpeechStarted, is_backchannel

log = logging.getLogger("channels.voice.call")

HANDOFF_TEXT = "I'd like to speak to a person"
APOLOGY_HEARING = "I'm sorry, I'm having trouble hearing you. Please give me a moment."


class Listener:
    """Inbound speech and keys for `CallSession` (a mixin)."""

    # --- speech-to-text -------------------------------------------------------------------------

    async def _stt_loop(self) -> None:
        while not self._stop.is_set():
            stt = self.stt
            try:
                async for event in stt.events():
                    await self.on_stt(event)
                if stt is self.stt and not self._stop.is_set():
                    raise ConnectionError("speech-to-text stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if stt is self.stt:
                    await self._stt_broken(exc)
            while self.stt is stt and not self._stop.is_set():   # a repair elsewhere is replacing it
                await asyncio.sleep(0.05)

    async def _stt_broken(self, exc: BaseException) -> None:
        if self._repairing:
            return
        self._repairing = True
        try:
            await self._repair_stt(exc)
        finally:
            self._repairing = False

    async def _repair_stt(self, exc: BaseException) -> None:
        self.stt_failures += 1
        self.note("stt_failed", error=type(exc).__name__)
        log.warning("speech-to-text failed mid-call", extra={"event": "stt_failed", "error": type(exc).__name__})
        old = self.stt
        with contextlib.suppress(Exception):
            await old.close()
        if self.stt_failures <= 3:
            await self.say(APOLOGY_HEARING, kind="apology", cache=True)
        await self._replace_stt()

    async def _replace_stt(self) -> None:
        """Reconnect the vendor once, then fall back to the embedded recogniser, then give up."""
        for factory in (self.stt_factory if self.stt_failures <= 1 else None, self.fallback_stt_factory):
            if factory is None:
                continue
            try:
                stt = await factory()
                await stt.start(self._context())
                self.clock = FrameClock()        # the new stream's audio timeline starts now
                self.stt = stt
                self.note("stt_replaced", kind=type(stt).__name__)
                return
            except Exception as exc:
                log.warning("speech-to-text replacement failed", extra={"event": "stt_replace_failed",
                                                                        "error": type(exc).__name__})
        self.stt = _DeadSTT()
        await self.say("I'm sorry, I can't hear you right now. Please call back in a few minutes. Goodbye.",
                       kind="apology", after="hangup", cache=True)

    async def on_stt(self, event: object) -> None:
        if isinstance(event, SpeechStarted):
            self.idle_since = None
            return
        if isinstance(event, Interim):
            self.last_interim = event.text
            return
        if not isinstance(event, Final):
            return
        now = time.monotonic()
        onset = self.clock.time_at_seconds(event.t_start) if event.t_end else None
        end = self.clock.time_at_seconds(event.t_end) if event.t_end else None
        text = " ".join((event.text or "").split())
        if self._is_backchannel(onset, text):
            self.note("dropped_backchannel", text_len=len(text))
            return
        self.note("final", accepted=event.accepted, words=len(text.split()))     # no transcript: PHI
        timing = {"speech_end": min(end or now, now), "final_at": now}
        if self.guesses.pending is not None:        # the answer to "Did you say ...?"
            verdict, guess = self.guesses.resolve(event, text)
            if verdict != "pass":
                self._enqueue("text", (guess, timing)) if verdict == "use" else self._enqueue("miss", timing)
                return
        if event.escape == "repeat" and self.last_reply:
            self._enqueue("repeat", None)
        elif event.escape in ("human", "goodbye") and event.accepted and text \
                and event.confidence < self.config.escape_sure and self.guesses.pending is None:
            self._enqueue("guess", self.guesses.confirm_escape(event, text))
        elif not event.accepted or not text:
            ask = self.guesses.offer(event)
            self._enqueue("guess", ask) if ask else self._enqueue("miss", timing)
        else:
            self._enqueue("text", (text, timing))

    def _is_backchannel(self, onset: float | None, text: str) -> bool:
        if onset is not None and any(abs(onset - start) < 0.3 or start <= onset <= end
                                     for start, end in self.backchannels):
            return True
        return self.playing and is_backchannel(text)

    # --- DTMF ---------------------------------------------------------------------------------

    async def on_dtmf(self, digit: str) -> None:
        self.note("dtmf", digit="#" if digit == "#" else "*" if digit == "*" else "d")
        self.idle_since, self.reprompts = None, 0
        if self.playing:
            await self.barge_in("dtmf")
        self.keypad.press(digit, self.expecting, guess_open=self.guesses.pending is not None,
                          options=self.options_offered)

    def _on_key_entry(self, meaning: KeyMeaning) -> None:
        """A finished keypad entry (`keypad.py` has read it for the question) becomes a work item."""
        now = time.monotonic()
        timing = {"final_at": now, "speech_end": now, "dtmf": 1.0}
        if meaning.action == "use_guess":
            self._enqueue("text", (self.guesses.take(), timing))
            return
        if meaning.action == "reject_guess":
            self.guesses.withdraw()
            self._enqueue("miss", None)
            return
        self.guesses.withdraw()             # any other entry answers the question the guess was about
        if meaning.action == "answer":
            self._enqueue("text", (meaning.text, timing))
        elif meaning.action in ("yes", "no"):
            self._enqueue("text", (meaning.action, timing))
        elif meaning.action == "person":
            self._enqueue("text", (HANDOFF_TEXT, timing))
        elif meaning.action == "repeat" and self.last_reply:
            self._enqueue("repeat", None)


class _DeadSTT:
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
