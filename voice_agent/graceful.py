"""SIGTERM without cutting anyone off: stop answering new calls, let live calls finish (up to
SHUTDOWN_GRACE_SECONDS), then let uvicorn stop as usual (in-flight requests, the lifespan's
shutdown: texts still being sent, pools closed).

uvicorn on its own closes every WebSocket at once on SIGTERM (code 1012), which ends live calls
mid-sentence. So while the app runs under `voice-agent serve` (in each worker), its SIGTERM
handler is this one, which hands the signal on to uvicorn's only once the calls are done. A second
SIGTERM, or SIGINT, stops at once. `create_app(..., graceful_shutdown=True)` installs it for its
lifespan (uvicorn has installed its own handlers by then), with the app's `CallDrain`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from types import FrameType
from typing import Any

from channels.voice.draining import CallDrain

log = logging.getLogger("voice_agent.shutdown")


class GracefulShutdown:
    def __init__(self, calls: CallDrain, grace_seconds: float) -> None:
        self.calls, self.grace_seconds = calls, grace_seconds
        self._previous: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._asked = False
        self._task: asyncio.Task | None = None

    def install(self) -> None:
        """Take over SIGTERM (uvicorn's handler is kept and called later). Main thread only."""
        if threading.current_thread() is not threading.main_thread():
            return
        self._loop = asyncio.get_running_loop()
        self._previous = signal.signal(signal.SIGTERM, self._on_sigterm)

    def uninstall(self) -> None:
        if self._previous is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._previous)

    def _on_sigterm(self, sig: int, frame: FrameType | None) -> None:
        if self._asked:                   # asked twice: stop now
            self._pass_on(sig, frame)
            return
        self._asked = True
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._start, sig)

    def _start(self, sig: int) -> None:
        self._task = asyncio.get_running_loop().create_task(self._drain(sig), name="graceful-shutdown")

    async def _drain(self, sig: int) -> None:
        self.calls.refuse_new_calls()
        log.info("SIGTERM: no new calls; waiting up to %.0f s for %d live call(s)", self.grace_seconds,
                 self.calls.live, extra={"event": "shutdown_draining"})
        if not await self.calls.wait_idle(self.grace_seconds):
            log.warning("shutdown grace over with %d call(s) still live", self.calls.live,
                        extra={"event": "shutdown_grace_over"})
        self._pass_on(sig, None)

    def _pass_on(self, sig: int, frame: FrameType | None) -> None:
        previous = self._previous
        if callable(previous):
            previous(sig, frame)
        elif previous != signal.SIG_IGN:          # no server of ours installed one: the default, exit
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
