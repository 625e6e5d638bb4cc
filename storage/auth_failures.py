"""Failed API-key attempts are counted per client address; past the limit that address gets 429.

An unknown or malformed key used to cost a guesser nothing but a round trip. Each failure now adds
one to `receptionist:v1:authfail:{ref}` in Redis, where `ref` is an HMAC of the address (the
address itself is not stored); the count expires AUTH_FAILURE_WINDOW seconds after the first
failure. From AUTH_FAILURE_LIMIT failures on, every request from that address that carries a key is
answered 429 with Retry-After before the key is looked at, so a right guess is not told apart from
a wrong one while blocked. A good key does not reset the count. The address is the one
voice_agent/web/proxies.py settles on (forwarded headers only from TRUSTED_PROXIES). Redis down:
fail open, as the rate limiter does.
"""
from __future__ import annotations

import hashlib
import hmac
import logging

import redis.asyncio as aioredis

from storage.keys import auth_failures_key

log = logging.getLogger("voice_agent.auth")


class FailedKeyGuard:
    def __init__(self, redis: aioredis.Redis, secret_key: str, limit: int, window_seconds: int) -> None:
        self.redis = redis
        self.secret = secret_key.encode()
        self.limit = limit
        self.window = window_seconds

    def _key(self, address: str) -> str:
        ref = hmac.new(self.secret, f"authfail:{address}".encode(), hashlib.sha256).hexdigest()[:32]
        return auth_failures_key(ref)

    async def retry_after(self, address: str) -> int | None:
        """Seconds until this address may try keys again, or None when it may now."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                count, ttl = await pipe.get(self._key(address)).ttl(self._key(address)).execute()
        except Exception:
            log.debug("auth failure count unavailable")
            return None
        if count is None or int(count) < self.limit:
            return None
        return max(1, int(ttl)) if int(ttl) > 0 else self.window

    async def record_failure(self, address: str) -> None:
        key = self._key(address)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.set(key, 0, ex=self.window, nx=True).incr(key).execute()
        except Exception:
            log.debug("auth failure count unavailable")
