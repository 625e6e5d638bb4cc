"""The silence watchdog: when nobody has said or pressed anything for `silence_seconds` while the
line is quiet, the call reprompts ("Sorry, I didn't hear anything", "Are you still there?") and then
says goodbye. The watchdog owns when the quiet began and how many reprompts were said; whether the
line is quiet (nothing playing, no turn in progress, the caller not mid-word or mid-entry, no answer
still being decoded) is asked of the call. Silence is counted from the moment the line last became
quiet: an answer whose decode takes longer than `silence_seconds` on a busy server is answered, not
talked over with "Sorry, I didn't hear anything"."""
from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable


class SilenceWatchdog:
    def __init__(self, *, silence_seconds: float, quiet: Callable[[], bool],
                 on_silence: Callable[[int], Awaitable[None]], clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, poll_seconds: float = 0.1) -> None:
        self.silence_seconds = silence_seconds
        self._quiet, self._on_silence = quiet, on_silence
        self._clock, self._sleep, self._poll = clock, sleep, poll_seconds
        self.idle_since: float | None = None
        self.reprompts = 0

    def activity(self) -> None:
        """Something is happening (we speak, a turn is queued): not silence."""
        self.idle_since = None

    def caller_active(self) -> None:
        """The caller spoke or pressed a key: the reprompt count starts over."""
        self.idle_since, self.reprompts = None, 0

    def went_quiet(self, now: float | None = None) -> None:
        self.idle_since = self._clock() if now is None else now

    def quiet_unless_counting(self) -> None:
        """The line went quiet; a silence already being counted keeps its start."""
        if self.idle_since is None:
            self.went_quiet()

    async def check(self) -> bool:
        """One look at the line; True when the silence was long enough and `on_silence` ran."""
        since = self.idle_since
        if since is None:
            return False
        if not self._quiet():                  # busy: the silence starts again once the line is quiet
            self.idle_since = self._clock()
            return False
        if self._clock() - since < self.silence_seconds:
            return False
        self.idle_since = None
        self.reprompts += 1
        await self._on_silence(self.reprompts)
        return True

    async def run(self) -> None:
        while True:
            await self._sleep(self._poll)
            await self.check()
