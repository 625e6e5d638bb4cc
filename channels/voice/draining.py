"""This process's live calls, and whether it still answers new ones.

On SIGTERM the server stops answering new calls (they hear "please call back") and waits for the
live ones to end before it closes its sockets (`voice_agent/graceful.py`): a deploy never cuts a
caller off mid-sentence. Process memory is the right place: these are this process's own sockets.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Iterator


class CallDrain:
    def __init__(self) -> None:
        self.draining = False
        self.live = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def refuse_new_calls(self) -> None:
        self.draining = True

    @contextlib.contextmanager
    def live_call(self) -> Iterator[None]:
        """Around one call's media stream."""
        self.live += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.live -= 1
            if self.live == 0:
                self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """Until no call is live, at most `timeout` seconds; False if some still are."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True
