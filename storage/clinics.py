"""Clinics (tenants): the only table looked up without a clinic_id, by key hash, slug or number.

`Clinic` is the one clinic type of every layer (defined in voice_agent/web/clinic.py, the bottom
layer, because the request context holds it); the layers above import it from here."""
from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from voice_agent.web.clinic import PUBLIC_SETTINGS, Clinic  # noqa: F401 (the layers above import them from here)
from voice_agent.web.ratelimit import TIER_RPM   # a tier's requests per minute, as the middleware reads them

_COLUMNS = """id::text AS id, name, slug, email, phone, address, timezone, settings, ehr_provider,
    business_hours, status::text AS status, rate_limit_tier, rate_limit_rpm, default_reminder_hours,
    created_at, updated_at"""


def clinic_from_row(row: dict[str, Any]) -> Clinic:
    return Clinic(
        id=row["id"], name=row["name"], slug=row["slug"], timezone=row["timezone"],
        status=row["status"], rate_limit_tier=row["rate_limit_tier"],
        rate_limit_rpm=row["rate_limit_rpm"], business_hours=row["business_hours"] or {},
        settings=row["settings"] or {}, email=row["email"], phone=row["phone"],
        address=row["address"], ehr_provider=row["ehr_provider"],
        default_reminder_hours=row["default_reminder_hours"],
    )


class ClinicRepository:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def by_key_hash(self, key_hash: str) -> Clinic | None:
        return await self._one(f"SELECT {_COLUMNS} FROM clinics WHERE api_key_hash = %s AND NOT is_deleted",
                               (key_hash,))

    async def by_id(self, clinic_id: str) -> Clinic | None:
        return await self._one(f"SELECT {_COLUMNS} FROM clinics WHERE id = %s AND NOT is_deleted", (clinic_id,))

    async def by_slug(self, slug: str) -> Clinic | None:
        return await self._one(f"SELECT {_COLUMNS} FROM clinics WHERE slug = %s AND NOT is_deleted", (slug,))

    async def by_phone(self, phone: str) -> Clinic | None:
        return await self._one(f"SELECT {_COLUMNS} FROM clinics WHERE phone = %s AND NOT is_deleted", (phone,))

    async def key_hash_of(self, clinic_id: str) -> str | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT api_key_hash FROM clinics WHERE id = %s", (clinic_id,))
            row = await cur.fetchone()
        return row["api_key_hash"] if row else None

    async def create(self, conn, *, name: str, slug: str, timezone: str, api_key_hash: str,
                     business_hours: dict, tier: str = "standard", phone: str | None = None,
                     email: str | None = None, address: str | None = None,
                     settings: dict | None = None, reminder_hours: int = 24) -> str:
        cur = await conn.execute(
            """INSERT INTO clinics (name, slug, timezone, api_key_hash, business_hours, rate_limit_tier,
                   rate_limit_rpm, phone, email, address, settings, default_reminder_hours)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id::text AS id""",
            (name, slug, timezone, api_key_hash, Jsonb(business_hours), tier, TIER_RPM[tier],
             phone, email, address, Jsonb(settings or {}), reminder_hours),
        )
        return (await cur.fetchone())["id"]

    async def set_key_hash(self, clinic_id: str, key_hash: str) -> bool:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "UPDATE clinics SET api_key_hash = %s, updated_at = now() WHERE id = %s AND NOT is_deleted",
                (key_hash, clinic_id))
            return cur.rowcount == 1

    async def set_reminder_hours(self, clinic_id: str, hours: int) -> bool:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """UPDATE clinics SET default_reminder_hours = %s, updated_at = now()
                   WHERE id = %s AND NOT is_deleted""", (hours, clinic_id))
            return cur.rowcount == 1

    async def set_status(self, clinic_id: str, status: str) -> bool:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "UPDATE clinics SET status = %s, updated_at = now() WHERE id = %s AND NOT is_deleted",
                (status, clinic_id))
            return cur.rowcount == 1

    async def _one(self, sql: str, params: tuple) -> Clinic | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(sql, params)
            row = await cur.fetchone()
        return clinic_from_row(row) if row else None
