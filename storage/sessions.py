"""Session documents in Redis (`receptionist:v1:session:{id}`, TTL REDIS_SESSION_TTL), written
through to PostgreSQL every turn, so a Redis restart or outage loses no conversation: reads fall
back to the `sessions` table. Documents are opaque JSON here; a session belongs to one clinic, and
an id presented by another clinic is simply not found.
"""
from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from storage.keys import PREFIX, session_key

log = logging.getLogger("storage.sessions")


def _index_key(clinic_id: str, channel: str, user_ref: str) -> str:
    return f"{PREFIX}session_index:{clinic_id}:{channel}:{user_ref}"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except (ValueError, TypeError, AttributeError):
        return False


class SessionRepository:
    """Stores documents with keys: session_id, clinic_id, channel, channel_user_id (a hashed ref),
    patient_id, expires_at, message_count, created_at, updated_at, plus anything else."""

    def __init__(self, pool: AsyncConnectionPool, redis: aioredis.Redis, ttl_seconds: int = 1800) -> None:
        self.pool, self.redis, self.ttl = pool, redis, ttl_seconds

    async def load(self, clinic_id: str, session_id: str) -> dict[str, Any] | None:
        if not _is_uuid(session_id):
            return None
        try:
            raw = await self.redis.get(session_key(session_id))
            if raw:
                doc = json.loads(raw)
                return doc if doc.get("clinic_id") == clinic_id else None
        except Exception as exc:
            log.warning("session cache unavailable, reading PostgreSQL", extra={"error_type": type(exc).__name__})
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT state FROM sessions WHERE id = %s AND clinic_id = %s AND expires_at > now()",
                (session_id, clinic_id))
            row = await cur.fetchone()
        return row["state"] if row else None

    async def find_active(self, clinic_id: str, channel: str, user_ref: str) -> dict[str, Any] | None:
        try:
            session_id = await self.redis.get(_index_key(clinic_id, channel, user_ref))
            if session_id:
                found = await self.load(clinic_id, session_id)
                if found:
                    return found
        except Exception as exc:
            log.warning("session cache unavailable, reading PostgreSQL", extra={"error_type": type(exc).__name__})
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT state FROM sessions WHERE clinic_id = %s AND channel = %s AND channel_user_id = %s
                   AND expires_at > now() ORDER BY updated_at DESC LIMIT 1""", (clinic_id, channel, user_ref))
            row = await cur.fetchone()
        return row["state"] if row else None

    async def save(self, doc: dict[str, Any]) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                """INSERT INTO sessions (id, clinic_id, channel, channel_user_id, patient_id, state, expires_at,
                       message_count, created_at, updated_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, expires_at = EXCLUDED.expires_at,
                       message_count = EXCLUDED.message_count, patient_id = EXCLUDED.patient_id,
                       updated_at = EXCLUDED.updated_at
                   WHERE sessions.clinic_id = EXCLUDED.clinic_id""",
                (doc["session_id"], doc["clinic_id"], doc["channel"], doc.get("channel_user_id"),
                 doc.get("patient_id"), Jsonb(doc), datetime.fromisoformat(doc["expires_at"]),
                 doc.get("message_count", 0), datetime.fromisoformat(doc["created_at"]),
                 datetime.fromisoformat(doc["updated_at"])))
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(session_key(doc["session_id"]), json.dumps(doc), ex=self.ttl)
                if doc.get("channel_user_id"):
                    pipe.set(_index_key(doc["clinic_id"], doc["channel"], doc["channel_user_id"]),
                             doc["session_id"], ex=self.ttl)
                await pipe.execute()
        except Exception as exc:
            log.warning("session cache unavailable, saved to PostgreSQL only",
                        extra={"error_type": type(exc).__name__})

    async def count_active(self) -> int:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT count(*) AS n FROM sessions WHERE expires_at > now()")
            return (await cur.fetchone())["n"]
