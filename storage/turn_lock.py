"""One turn of a conversation at a time, across every process and instance.

`TurnLocks.hold(key)` is held for the length of a turn. It is a Redis lock (`redis_turn_lock.py`);
when Redis does not answer it is a PostgreSQL advisory lock instead (`pg_turn_lock.py`), so an
outage of the cache never lets two turns of one conversation run side by side in two processes.
A waiter polls with growing pauses and gives up with `TurnBusy` after `wait_seconds`.

Keys are HMACs of the conversation (clinic, channel, session or phone number) under SECRET_KEY:
no phone number ever appears in a Redis key or a PostgreSQL lock id.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any, AsyncIterator

from redis.exceptions import RedisError

from storage.pg_turn_lock import PgTurnLock
from storage.redis_turn_lock import RedisTurnLock
from storage.turn_lease import Lease, TurnBusy

log = logging.getLogger("storage.turn_lock")

__all__ = ["Lease", "TurnBusy", "TurnLocks"]


@dataclass(frozen=True)
class TurnLocks:
    redis: RedisTurnLock
    postgres: PgTurnLock
    secret: bytes

    @classmethod
    def build(cls, redis: Any, conninfo: str, secret: str, *, wait_seconds: float = 10.0,
              ttl_seconds: float = 10.0) -> "TurnLocks":
        return cls(RedisTurnLock(redis, ttl_seconds=ttl_seconds, wait_seconds=wait_seconds),
                   PgTurnLock(conninfo, wait_seconds=wait_seconds),
                   hashlib.sha256(b"turn-lock:" + secret.encode()).digest())

    def ref(self, key: str) -> bytes:
        return hmac.new(self.secret, key.encode(), hashlib.sha256).digest()

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[Lease]:
        """Hold the turn lock of conversation `key`; raises `TurnBusy` when it stays taken."""
        ref = self.ref(key)
        try:
            lease = await self.redis.acquire(ref.hex()[:32])
        except RedisError as exc:
            log.warning("turn lock: Redis unavailable, using PostgreSQL", extra={
                "event": "turn_lock_fallback", "error_type": type(exc).__name__})
            lease = None
        if lease is None:
            async with self.postgres.hold(int.from_bytes(ref[:4], "big", signed=True)) as held:
                yield held
            return
        try:
            yield lease
        finally:
            await self.redis.release(lease)
