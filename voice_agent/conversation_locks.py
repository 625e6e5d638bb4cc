"""The engine's TurnLock (dialogue/ports.py): storage's turn locks, with storage's "still taken"
answered as the port's `TurnBusy`, so the engine never names a storage module."""
from __future__ import annotations

import contextlib
from typing import AsyncIterator

from dialogue.ports import TurnBusy
from storage.turn_lease import Lease, TurnBusy as LockStillTaken
from storage.turn_lock import TurnLocks


class ConversationLocks:
    def __init__(self, locks: TurnLocks) -> None:
        self.locks = locks

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[Lease]:
        """Hold the turn lock of conversation `key` for the block; `TurnBusy` when it stays taken."""
        async with contextlib.AsyncExitStack() as held:
            try:
                lease = await held.enter_async_context(self.locks.hold(key))
            except LockStillTaken as exc:
                raise TurnBusy(key) from exc
            yield lease
