"""The rate-limit middleware for /api/v1 (seed section 7.5): X-RateLimit-* on every response,
429 + Retry-After past the clinic's limit.

The counting itself is a Redis sliding window (storage/rate_limiter.py), handed in as a `Limiter`;
this layer only knows the tiers and the answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voice_agent.web.clinic import Clinic
from voice_agent.web.errors import json_error
from voice_agent.web.metrics import RATE_LIMITED

TIER_RPM = {"free": 10, "standard": 60, "professional": 200, "enterprise": 1000, "unlimited": 0}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int
    retry_after: int


class Limiter(Protocol):
    async def check(self, key: str, limit: int) -> Decision | None:
        """None means 'no limit applies' (unlimited, or the counter is unavailable: fail open)."""


def limit_for(clinic: Clinic) -> int:
    if clinic.rate_limit_tier == "unlimited":
        return 0
    return TIER_RPM.get(clinic.rate_limit_tier) or clinic.rate_limit_rpm


class RateLimitMiddleware:
    """Runs after AuthMiddleware; adds X-RateLimit-* to every response, 429 + Retry-After when over."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        clinic: Clinic | None = scope.get("state", {}).get("clinic")
        if scope["type"] != "http" or clinic is None:
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.check(clinic.id, limit_for(clinic))
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
