"""Signed-out staff sessions, remembered in Redis until their cookie would have expired anyway, so a
copied cookie stops working at sign-out. Redis down: a sign-out cannot be recorded or checked, and
the cookie's own expiry (hours) is what remains; that is logged."""
from __future__ import annotations

import hashlib
import logging

import redis.asyncio as aioredis

from storage.keys import staff_signed_out_key

log = logging.getLogger("storage.staff_sessions")


def _ref(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:40]


class SignedOutSessions:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def sign_out(self, token: str, seconds: int) -> None:
        try:
            await self.redis.set(staff_signed_out_key(_ref(token)), 1, ex=seconds)
        except Exception:
            log.warning("staff sign-out not recorded: Redis unavailable", extra={"event": "staff_signout_unrecorded"})

    async def is_signed_out(self, token: str) -> bool:
        try:
            return bool(await self.redis.exists(staff_signed_out_key(_ref(token))))
        except Exception:
            log.warning("staff sign-out not checked: Redis unavailable", extra={"event": "staff_signout_unchecked"})
            return False
