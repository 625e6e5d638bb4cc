"""The process-wide services, built once at start-up and handed to routes via `app.state`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from psycopg_pool import AsyncConnectionPool

from storage.clinics import ClinicRepository
from voice_agent.settings import Settings


@dataclass
class Services:
    settings: Settings
    pool: AsyncConnectionPool
    redis: aioredis.Redis
    clinics: ClinicRepository
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, pool: AsyncConnectionPool, redis: aioredis.Redis) -> "Services":
        return cls(settings=settings, pool=pool, redis=redis, clinics=ClinicRepository(pool))
