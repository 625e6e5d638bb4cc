"""Per-clinic sliding-window rate limiting in Redis (seed section 7.5).

The window is a sorted set of request timestamps under `receptionist:v1:ratelimit:{clinic_id}`;
one Lua script trims, counts and admits atomically, so concurrent requests can never let more
than the limit through. Redis time is used so several app instances agree. When Redis is down
the API keeps serving (fail open) and says so in the log at most once a minute.
"""
from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass

import redis.asyncio as aioredis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage.clinics import TIER_RPM
from storage.keys import ratelimit_key
from voice_agent.context import ClinicContext
from voice_agent.errors import json_error
from voice_agent.metrics import RATE_LIMITED

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


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int
    retry_after: int


class RateLimiter:
    def __init__(self, redis: aioredis.Redis, window_seconds: int = 60) -> None:
        self.redis = redis
        self.window_ms = window_seconds * 1000
        self._script = redis.register_script(_SCRIPT)
        self._last_outage_log = 0.0

    async def check(self, clinic_id: str, limit: int) -> Decision | None:
        """None means 'no limit applies' (unlimited tier, or Redis unavailable: fail open)."""
        if limit <= 0:
            return None
        try:
            allowed, count, reset_ms, now_ms = await self._script(
                keys=[ratelimit_key(clinic_id)], args=[self.window_ms, limit, uuid.uuid4().hex])
        except Exception as exc:
            now = time.monotonic()
            if now - self._last_outage_log >= 60:
                self._last_outage_log = now
                log.warning("rate limiter unavailable, failing open", extra={"error_type": type(exc).__name__})
            return None
        retry_after = max(1, math.ceil((int(reset_ms) - int(now_ms)) / 1000))
        return Decision(bool(allowed), limit, max(0, limit - int(count)), math.ceil(int(reset_ms) / 1000),
                        retry_after)


def limit_for(clinic: ClinicContext) -> int:
    if clinic.rate_limit_tier == "unlimited":
        return 0
    return TIER_RPM.get(clinic.rate_limit_tier) or clinic.rate_limit_rpm


class RateLimitMiddleware:
    """Runs after AuthMiddleware; adds X-RateLimit-* to every response, 429 + Retry-After when over."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        clinic: ClinicContext | None = scope.get("state", {}).get("clinic")
        if scope["type"] != "http" or clinic is None:
            await self.app(scope, receive, send)
            return
        limiter: RateLimiter = scope["app"].state.services.extras["rate_limiter"]
        decision = await limiter.check(clinic.id, limit_for(clinic))
        if decision is None:
            await self.app(scope, receive, send)
            return
        headers = {"X-RateLimit-Limit": str(decision.limit), "X-RateLimit-Remaining": str(decision.remaining),
                   "X-RateLimit-Reset": str(decision.reset_epoch)}
        if not decision.allowed:
            RATE_LIMITED.labels(clinic.rate_limit_tier).inc()
            headers["Retry-After"] = str(decision.retry_after)
            await json_error(429, "rate_limited",
                             f"Rate limit of {decision.limit} requests per minute exceeded. "
                             f"Try again in {decision.retry_after} seconds.", headers=headers)(scope, receive, send)
            return
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)
