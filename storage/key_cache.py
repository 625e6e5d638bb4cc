"""Which clinic an API key hash belongs to: PostgreSQL, cached in Redis for five minutes.

The entry lives under `receptionist:v1:auth:{key_hash}`; rotating a key or suspending a clinic
deletes it (`forget`), so the change is seen on the very next request. Redis being down only
costs a query.
"""
from __future__ import annotations

import json
import logging

import redis.asyncio as aioredis

from storage.clinics import ClinicRepository
from storage.keys import auth_key
from voice_agent.web.context import KeyHolder

log = logging.getLogger("voice_agent.auth")
AUTH_CACHE_SECONDS = 300


class ClinicKeys:
    def __init__(self, redis: aioredis.Redis, clinics: ClinicRepository) -> None:
        self.redis, self.clinics = redis, clinics

    async def resolve(self, key_hash: str) -> KeyHolder | None:
        try:
            cached = await self.redis.get(auth_key(key_hash))
            if cached:
                return KeyHolder.from_json(json.loads(cached))
        except Exception:  # Redis down, or an entry in an older shape: fall through to PostgreSQL.
            log.debug("auth cache unavailable")
        clinic = await self.clinics.by_key_hash(key_hash)
        if clinic is None:
            return None
        holder = KeyHolder(clinic, key_hash)
        try:
            await self.redis.set(auth_key(key_hash), json.dumps(holder.to_json()), ex=AUTH_CACHE_SECONDS)
        except Exception:
            log.debug("auth cache unavailable")
        return holder

    async def forget(self, key_hash: str) -> None:
        """Drop a cached lookup at once (key rotated, clinic suspended or reactivated)."""
        await self.redis.delete(auth_key(key_hash))
