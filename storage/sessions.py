"""Session documents in PostgreSQL (the source of truth) and a copy in Redis
(`receptionist:v1:session:{id}`, TTL REDIS_SESSION_TTL). Documents are opaque JSON here; a session
belongs to one clinic, and an id presented by another clinic is simply not found.

Every save increments the session's `version` in PostgreSQL and writes the copy with that version;
Redis only takes a copy newer than the one it holds (a write that lands late after a timeout cannot
overwrite a newer one). A write Redis misses (an outage, a hang, a restart from an old snapshot)
leaves an older copy behind, so a read uses the copy only when PostgreSQL holds the same version —
one indexed lookup that returns the document itself only when the copy is missing or behind, and
then the copy is repaired. A read never returns a state older than the last one saved.

A save is compare-and-set on that version: it names the version it read (None for a new session)
and is refused with `StaleSession` when another writer saved in between, so no turn overwrites
another's (the turn lock keeps writers apart; this is what holds if a lock was lost).
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

# Set the copy (and the channel user's index) unless Redis holds one at least as new.
_SET_IF_NEWER = """
local held = redis.call('GET', KEYS[1])
if held then
  local ok, old = pcall(cjson.decode, held)
  if ok and type(old) == 'table' and tonumber(old['version']) and tonumber(old['version']) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[3]) end
return 1
"""


class StaleSession(Exception):
    """Another writer saved this session after it was read: reload and redo, never overwrite."""


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
    patient_id, expires_at, message_count, created_at, updated_at, plus anything else; loaded
    documents also carry `version`."""

    def __init__(self, pool: AsyncConnectionPool, redis: aioredis.Redis, ttl_seconds: int = 1800) -> None:
        self.pool, self.redis, self.ttl = pool, redis, ttl_seconds
        self._set_if_newer = redis.register_script(_SET_IF_NEWER)

    async def load(self, clinic_id: str, session_id: str) -> dict[str, Any] | None:
        if not _is_uuid(session_id):
            return None
        cached = await self._cached(session_id, clinic_id)
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT version, CASE WHEN version = %s THEN NULL ELSE state END AS state FROM sessions
                   WHERE id = %s AND clinic_id = %s AND expires_at > now()""",
                (cached["version"] if cached else -1, session_id, clinic_id))
            row = await cur.fetchone()
        if row is None:
            return None
        if row["state"] is None:
            return cached
        doc = {**row["state"], "version": row["version"]}
        await self._cache(doc)
        return doc

    async def find_active(self, clinic_id: str, channel: str, user_ref: str) -> dict[str, Any] | None:
        try:
            session_id = await self.redis.get(_index_key(clinic_id, channel, user_ref))
        except Exception as exc:
            log.warning("session cache unavailable, reading PostgreSQL", extra={"error_type": type(exc).__name__})
            session_id = None
        if session_id:
            found = await self.load(clinic_id, session_id)
            if found:
                return found
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT state, version FROM sessions WHERE clinic_id = %s AND channel = %s
                   AND channel_user_id = %s AND expires_at > now() ORDER BY updated_at DESC LIMIT 1""",
                (clinic_id, channel, user_ref))
            row = await cur.fetchone()
        return {**row["state"], "version": row["version"]} if row else None

    async def save(self, doc: dict[str, Any], expected_version: int | None = None) -> int | None:
        """Store `doc` if the stored session is still at `expected_version` (None: a new session);
        returns the new version, or None for an id that belongs to another clinic's session."""
        state = Jsonb({k: v for k, v in doc.items() if k != "version"})
        async with self.pool.connection() as conn:
            if expected_version is None:
                cur = await conn.execute(
                    f"""INSERT INTO sessions (id, clinic_id, channel, channel_user_id, patient_id, state, expires_at,
                           message_count, created_at, updated_at, version)
                       VALUES (%s, %s, %s, %s, {_BUILTIN_PATIENT}, %s, %s, %s, %s, %s, 1)
                       ON CONFLICT (id) DO NOTHING RETURNING version""",
                    (doc["session_id"], doc["clinic_id"], doc["channel"], doc.get("channel_user_id"),
                     doc["clinic_id"], _uuid_or_none(doc.get("patient_id")), state,
                     datetime.fromisoformat(doc["expires_at"]),
                     doc.get("message_count", 0), datetime.fromisoformat(doc["created_at"]),
                     datetime.fromisoformat(doc["updated_at"])))
            else:
                cur = await conn.execute(
                    f"""UPDATE sessions SET state = %s, expires_at = %s, message_count = %s,
                           patient_id = {_BUILTIN_PATIENT},
                           updated_at = %s, version = version + 1
                       WHERE id = %s AND clinic_id = %s AND version = %s RETURNING version""",
                    (state, datetime.fromisoformat(doc["expires_at"]), doc.get("message_count", 0),
                     doc["clinic_id"], _uuid_or_none(doc.get("patient_id")),
                     datetime.fromisoformat(doc["updated_at"]), doc["session_id"],
                     doc["clinic_id"], expected_version))
            row = await cur.fetchone()
            if row is None:
                cur = await conn.execute("SELECT clinic_id::text AS clinic_id FROM sessions WHERE id = %s",
                                         (doc["session_id"],))
                held = await cur.fetchone()
        if row is None:
            if held is not None and held["clinic_id"] != str(doc["clinic_id"]):
                # The id belongs to another clinic's session: nothing stored, nothing cached.
                log.warning("session id of another clinic not saved", extra={"event": "session_foreign_id"})
                return None
            raise StaleSession(doc["session_id"])
        await self._cache({**doc, "version": row["version"]})
        return row["version"]

    async def _cached(self, session_id: str, clinic_id: str) -> dict[str, Any] | None:
        """Redis's copy, if it answers and the copy is this clinic's and has a version."""
        try:
            raw = await self.redis.get(session_key(session_id))
        except Exception as exc:
            log.warning("session cache unavailable, reading PostgreSQL", extra={"error_type": type(exc).__name__})
            return None
        doc = json.loads(raw) if raw else None
        if not doc or doc.get("clinic_id") != clinic_id or not isinstance(doc.get("version"), int):
            return None
        return doc

    async def _cache(self, doc: dict[str, Any]) -> None:
        """Write the copy unless Redis holds a newer one; a failure leaves PostgreSQL to answer."""
        keys = [session_key(doc["session_id"])]
        if doc.get("channel_user_id"):
            keys.append(_index_key(doc["clinic_id"], doc["channel"], doc["channel_user_id"]))
        try:
            await self._set_if_newer(keys=keys, args=[json.dumps(doc), doc["version"], self.ttl, doc["session_id"]])
        except Exception as exc:
            log.warning("session cache unavailable, saved to PostgreSQL only",
                        extra={"error_type": type(exc).__name__})

    async def count_active(self) -> int:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT count(*) AS n FROM sessions WHERE expires_at > now()")
            return (await cur.fetchone())["n"]


# The patient_id column references the built-in calendar's patients; a clinic on an EHR keeps its
# patient id (not a UUID, or not in that table) in the session state only.
_BUILTIN_PATIENT = "(SELECT p.id FROM patients p WHERE p.clinic_id = %s AND p.id = %s::uuid)"


def _uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None
