"""Per-clinic sliding-window rate limiting in Redis (seed section 7.5).

The window is a sorted set of request timestamps under `receptionist:v1:ratelimit:{clinic_id}`;
one Lua script trims, counts and admits atomically, so concurrent requests can never let more
than the limit through. Redis time is used so several app instances agree. When Redis is down
the API keeps serving (fail open) and says so in the log at most once a minute. The middleware
that answers 429 is voice_agent/web/ratelimit.py.
"""
from __future__ import annotations

import logging
import math
import time
import uuid

import redis.asyncio as aioredis

from storage.keys import ratelimit_key
from voice_agent.web.ratelimit import Decision

log = logging.getLogger("voice_agent.ratelimit")

_SCRIPT = """
local key = KEYS[1]
local window_ms = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local member = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window_ms)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, member)
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', key, window_ms)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local reset = now + window_ms
if oldest[2] then reset = tonumber(oldest[2]) + window_ms end
return {allowed, count, reset, now}
"""


class RateLimiter:
    def __init__(self, redis: aioredis.Redis, window_seconds: int = 60) -> None:
        self.redis = redis
        self.window_ms = window_seconds * 1000
        self._script = redis.register_script(_SCRIPT)
        self._last_outage_log = 0.0

    async def check(self, key: str, limit: int) -> Decision | None:
        """None means 'no limit applies' (unlimited tier, or Redis unavailable: fail open)."""
        if limit <= 0:
            return None
        try:
            allowed, count, reset_ms, now_ms = await self._script(
                keys=[ratelimit_key(key)], args=[self.window_ms, limit, uuid.uuid4().hex])
        except Exception as exc:
            now = time.monotonic()
            if now - self._last_outage_log >= 60:
                self._last_outage_log = now
                log.warning("rate limiter unavailable, failing open", extra={"error_type": type(exc).__name__})
            return None
        retry_after = max(1, math.ceil((int(reset_ms) - int(now_ms)) / 1000))
        return Decision(bool(allowed), limit, max(0, limit - int(count)), math.ceil(int(reset_ms) / 1000),
                        retry_after)
