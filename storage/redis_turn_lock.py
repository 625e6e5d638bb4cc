"""The turn lock in Redis: SET NX PX with a random token, a fencing number from INCR, renewal while
held, release by compare-and-delete (Lua), so a holder whose lock expired never frees the next one's.

A process that dies holding the lock frees it within `ttl_seconds`; a live holder renews it every
third of that. Redis errors are raised to the caller (`TurnLocks` then uses PostgreSQL), except on
release and renewal, where an unreachable Redis just lets the lock expire.
"""
from __future__ import annotations

import asyncio
import logging
import secrets

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from storage.keys import turn_fence_key, turn_lock_key
from storage.turn_lease import Lease, TurnBusy, pauses

log = logging.getLogger("storage.turn_lock")
FENCE_TTL_MS = 86_400_000          # a fencing counter outlives any conversation (30 min by default)

_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local fence = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return fence
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class RedisTurnLock:
    def __init__(self, redis: aioredis.Redis, *, ttl_seconds: float = 10.0, wait_seconds: float = 10.0) -> None:
        self.ttl_ms, self.wait_seconds = int(ttl_seconds * 1000), wait_seconds
        self._acquire = redis.register_script(_ACQUIRE)
        self._release = redis.register_script(_RELEASE)
        self._extend = redis.register_script(_EXTEND)

    async def acquire(self, ref: str) -> Lease:
        """Take the lock of conversation `ref`, waiting up to `wait_seconds` (then `TurnBusy`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        token = secrets.token_hex(16)
        for pause in pauses():
            fence = int(await self._acquire(keys=[turn_lock_key(ref), turn_fence_key(ref)],
                                            args=[token, self.ttl_ms, FENCE_TTL_MS]))
            if fence:
                lease = Lease("redis", ref, token, fence)
                lease.renewal = asyncio.create_task(self._renew(lease), name="turn-lock-renewal")
                return lease
            if loop.time() + pause > deadline:
                raise TurnBusy(ref)
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def release(self, lease: Lease) -> None:
        if lease.renewal is not None:
            lease.renewal.cancel()
        try:
            await self._release(keys=[turn_lock_key(lease.name)], args=[lease.token])
        except RedisError as exc:          # it expires by itself within the ttl
            log.warning("turn lock not released", extra={"event": "turn_lock_release_failed",
                                                         "error_type": type(exc).__name__})

    async def _renew(self, lease: Lease) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                kept = await self._extend(keys=[turn_lock_key(lease.name)], args=[lease.token, self.ttl_ms])
            except RedisError as exc:
                log.warning("turn lock not renewed", extra={"event": "turn_lock_renew_failed",
                                                            "error_type": type(exc).__name__})
                continue
            if not kept:
                lease.lost = True
                log.warning("turn lock expired under its holder", extra={"event": "turn_lock_lost"})
                return
