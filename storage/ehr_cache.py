"""The EHR availability cache in Redis (see ehr/availability_cache.py): shared by every process, so
a booking or a webhook handled by one worker drops the clinic's cached free time for all of them."""
from __future__ import annotations

import redis.asyncio as aioredis

PREFIX = "ehr:avail"
GENERATION_TTL = 86_400


class RedisAvailabilityCache:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def generation(self, clinic_id: str) -> str:
        value = await self.redis.get(f"{PREFIX}:{clinic_id}:gen")
        return value.decode() if isinstance(value, bytes) else str(value or "0")

    async def get(self, clinic_id: str, generation: str, key: str) -> str | None:
        value = await self.redis.get(f"{PREFIX}:{clinic_id}:{generation}:{key}")
        return value.decode() if isinstance(value, bytes) else value

    async def put(self, clinic_id: str, generation: str, key: str, value: str, ttl: float) -> None:
        await self.redis.set(f"{PREFIX}:{clinic_id}:{generation}:{key}", value, px=max(1, int(ttl * 1000)))

    async def invalidate(self, clinic_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(f"{PREFIX}:{clinic_id}:gen")
            pipe.expire(f"{PREFIX}:{clinic_id}:gen", GENERATION_TTL)
            await pipe.execute()
