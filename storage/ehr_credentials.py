"""Each clinic's EHR choice, options and credentials. Credentials are sealed with the keyring
(storage/credentials_keyring.py) before they reach PostgreSQL and opened only here; nothing in this
module logs them, and `ClinicRepository` never selects the column, so no API can return them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from storage.credentials_keyring import Keyring


@dataclass(frozen=True)
class ClinicEHR:
    clinic_id: str
    provider: str                      # "builtin" when the clinic has none set
    timezone: str
    name: str
    business_hours: Mapping[str, Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    credentials: Mapping[str, Any] | None = field(default=None, repr=False)


class EHRCredentialStore:
    def __init__(self, pool: AsyncConnectionPool, keyring: Keyring) -> None:
        self.pool, self.keyring = pool, keyring

    async def clinic_ehr(self, clinic_id: str) -> ClinicEHR | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT id::text AS id, name, timezone, business_hours, ehr_provider, ehr_options, ehr_credentials
                   FROM clinics WHERE id = %s AND NOT is_deleted""", (clinic_id,))
            row = await cur.fetchone()
        if row is None:
            return None
        sealed = row["ehr_credentials"]
        return ClinicEHR(row["id"], row["ehr_provider"] or "builtin", row["timezone"], row["name"],
                         row["business_hours"] or {}, row["ehr_options"] or {},
                         self.keyring.open(sealed) if sealed else None)

    async def set_ehr(self, clinic_id: str, provider: str, options: Mapping[str, Any] | None,
                      credentials: Mapping[str, Any] | None) -> bool:
        """Choose the clinic's EHR (credentials replaced, or cleared when None)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """UPDATE clinics SET ehr_provider = %s, ehr_options = %s, ehr_credentials = %s,
                       ehr_credentials_updated_at = now(), updated_at = now()
                   WHERE id = %s AND NOT is_deleted""",
                (None if provider == "builtin" else provider, Jsonb(dict(options or {})),
                 Jsonb(self.keyring.seal(credentials)) if credentials else None, clinic_id))
            return cur.rowcount == 1

    # CredentialsSink (ehr.registry): what an adapter saves after a token rotation
    async def save(self, clinic_id: str, credentials: Mapping[str, Any]) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                """UPDATE clinics SET ehr_credentials = %s, ehr_credentials_updated_at = now()
                   WHERE id = %s AND NOT is_deleted""", (Jsonb(self.keyring.seal(credentials)), clinic_id))

    async def load(self, clinic_id: str) -> Mapping[str, Any] | None:
        found = await self.clinic_ehr(clinic_id)
        return found.credentials if found else None

    async def rekey(self, clinic_id: str | None = None) -> tuple[int, int]:
        """Re-seal every clinic's credentials (or one clinic's) with the current key;
        (re-sealed, already current)."""
        done = current = 0
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT id::text AS id, ehr_credentials FROM clinics "
                                     "WHERE ehr_credentials IS NOT NULL AND (%s::uuid IS NULL OR id = %s::uuid)",
                                     (clinic_id, clinic_id))
            rows = await cur.fetchall()
            for row in rows:
                if row["ehr_credentials"].get("kid") == self.keyring.current:
                    current += 1
                    continue
                async with conn.transaction():
                    cur = await conn.execute("SELECT ehr_credentials FROM clinics WHERE id = %s FOR UPDATE",
                                             (row["id"],))
                    sealed = (await cur.fetchone())["ehr_credentials"]
                    await conn.execute("UPDATE clinics SET ehr_credentials = %s WHERE id = %s",
                                       (Jsonb(self.keyring.seal(self.keyring.open(sealed))), row["id"]))
                done += 1
        return done, current
