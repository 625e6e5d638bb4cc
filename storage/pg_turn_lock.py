"""The turn lock when Redis is down: a PostgreSQL session-level advisory lock on a connection of its
own (not the pool's: a pool connection held by each waiting turn could starve the turns themselves).

Closing the connection ends the session and with it the lock, so a process that dies frees it at
once. The two-key form `(TURN_LOCKS, id)` keeps these locks apart from the single-key advisory locks
of the calendar, the audit log and migrations.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator

import psycopg

from storage.turn_lease import Lease, TurnBusy, pauses

TURN_LOCKS = 0x7475726E           # "turn"
CONNECT_SECONDS = 3


class PgTurnLock:
    def __init__(self, conninfo: str, *, wait_seconds: float = 10.0) -> None:
        self.conninfo, self.wait_seconds = conninfo, wait_seconds

    @contextlib.asynccontextmanager
    async def hold(self, lock_id: int) -> AsyncIterator[Lease]:
        """Hold lock `lock_id` (any 32-bit signed integer), waiting up to `wait_seconds` (then `TurnBusy`)."""
        conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True, connect_timeout=CONNECT_SECONDS)
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.wait_seconds
            for pause in pauses():
                cur = await conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (TURN_LOCKS, lock_id))
                row = await cur.fetchone()
                if row and row[0]:
                    break
                if loop.time() + pause > deadline:
                    raise TurnBusy(str(lock_id))
                await asyncio.sleep(pause)
            yield Lease("postgres", str(lock_id))
        finally:
            await conn.close()
