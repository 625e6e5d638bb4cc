"""What keeps the turns of one conversation apart: the key of its turn lock, and a redo when the
session was saved by someone else meanwhile (the lock was lost, or Redis failed over mid-turn)."""
from __future__ import annotations

import logging
from typing import Awaitable, Callable, TypeVar

from dialogue.ports import StaleSession

log = logging.getLogger("dialogue.engine")
T = TypeVar("T")
REDO_ATTEMPTS = 3


def conversation_key(clinic_id: str, channel: str, session_id: str | None, channel_user_id: str | None) -> str | None:
    """The lock key of a conversation; None for a brand-new anonymous one (nobody else can name it)."""
    if not session_id and not channel_user_id:
        return None
    return "\x1f".join((clinic_id, channel, session_id or "", channel_user_id or ""))


async def redo_if_stale(work: Callable[[], Awaitable[T]], attempts: int = REDO_ATTEMPTS) -> T:
    """Run `work` (which loads the session, changes it and saves it) again from a fresh read when
    its save finds a newer version: the other writer's turn is kept, and so is this one."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except StaleSession:
            if attempt == attempts:
                raise
            log.warning("session saved meanwhile by another turn; redoing this one", extra={"event": "session_stale"})
    raise AssertionError("unreachable")
