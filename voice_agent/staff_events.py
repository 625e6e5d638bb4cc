"""Live handoff changes for the staff page, on every instance: one PostgreSQL LISTEN connection per
process (channel `handoffs`, published by `storage.handoffs` on every create and move) fans each
change out to the staff pages of that clinic connected to this process, as server-sent events.

Limits: at most PER_CLINIC streams per clinic and TOTAL per process (beyond them, 429); each stream
has a small queue and a slow reader misses only the nudges (the page re-reads the list on any
event, so nothing is lost); a keep-alive comment every KEEPALIVE seconds; a stream ends after
MAX_STREAM_SECONDS and the browser's EventSource reconnects by itself.

The listener reconnects when PostgreSQL goes away; its wait for notifications ends every
WAIT_SECONDS (psycopg keeps what arrives in between for the next wait), so a stop is noticed.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator

import psycopg

from storage.db import to_conninfo
from storage.handoffs import NOTIFY_CHANNEL

log = logging.getLogger("voice_agent.staff_events")
PER_CLINIC = 20
TOTAL = 500
QUEUE = 16
KEEPALIVE = 15.0
WAIT_SECONDS = 1.0
RECONNECT_SECONDS = 1.0
MAX_RECONNECT_SECONDS = 15.0
MAX_STREAM_SECONDS = 30 * 60


class TooManyStreams(Exception):
    """The per-clinic or per-process limit of live staff streams is reached."""


class HandoffEvents:
    def __init__(self, database_url: str) -> None:
        self.conninfo = to_conninfo(database_url)
        self._subscribers: dict[str, set[asyncio.Queue[str]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def streams(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._listen(), name="handoff-events")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    def publish(self, payload: str) -> None:
        clinic_id, _, handoff_id = payload.partition(":")
        for queue in list(self._subscribers.get(clinic_id, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(handoff_id)

    @contextlib.asynccontextmanager
    async def subscribe(self, clinic_id: str) -> AsyncIterator[asyncio.Queue[str]]:
        if len(self._subscribers.get(clinic_id, ())) >= PER_CLINIC or self.streams >= TOTAL:
            raise TooManyStreams(clinic_id)
        mine = self._subscribers.setdefault(clinic_id, set())
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE)
        mine.add(queue)
        try:
            yield queue
        finally:
            mine.discard(queue)
            if not mine:
                self._subscribers.pop(clinic_id, None)

    async def _listen(self) -> None:
        wait = RECONNECT_SECONDS
        while not self._stopping.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True,
                                                                 connect_timeout=3) as conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    wait = RECONNECT_SECONDS
                    while not self._stopping.is_set():
                        async for note in conn.notifies(timeout=WAIT_SECONDS):
                            self.publish(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("handoff listener lost PostgreSQL (%s); reconnecting in %.0f s", type(exc).__name__,
                            wait, extra={"event": "handoff_listener_reconnect"})
                await asyncio.sleep(wait)
                wait = min(wait * 2, MAX_RECONNECT_SECONDS)     # an outage is not a log line a second
