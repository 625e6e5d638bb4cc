"""The process-wide services, built once at start-up and handed to routes via `app.state`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from psycopg_pool import AsyncConnectionPool

from storage.audit_anchor import AuditAnchors, derive_key
from storage.clinics import ClinicRepository
from voice_agent.settings import Settings


@dataclass
class Services:
    settings: Settings
    pool: AsyncConnectionPool
    redis: aioredis.Redis
    clinics: ClinicRepository
    extras: dict[str, Any] = field(default_factory=dict)
    anchors: AuditAnchors | None = None     # every audit writer gets it: the chain heads kept outside the DB

    @classmethod
    def build(cls, settings: Settings, pool: AsyncConnectionPool, redis: aioredis.Redis) -> "Services":
        return cls(settings=settings, pool=pool, redis=redis, clinics=ClinicRepository(pool),
                   anchors=AuditAnchors(redis, derive_key(settings.secret_key, settings.audit_anchor_key)))
