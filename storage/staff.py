"""Front-desk staff accounts: one clinic each, an argon2 password hash (never the password), and a
per-account count of failed sign-ins. From `limit` failures in a row the account is locked for
`lock_seconds`; a good sign-in resets the count. The count lives in PostgreSQL so every instance
sees it, and a guesser cannot dodge it by changing address."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg_pool import AsyncConnectionPool


@dataclass(frozen=True)
class StaffAccount:
    id: str
    clinic_id: str
    email: str
    password_hash: str
    is_active: bool
    failed_logins: int
    locked_until: datetime | None


class StaffExists(Exception):
    """An account with this email already exists."""


class StaffAccounts:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def add(self, clinic_id: str, email: str, password_hash: str) -> StaffAccount:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """INSERT INTO staff_accounts (clinic_id, email, password_hash) VALUES (%s, %s, %s)
                   ON CONFLICT ((lower(email))) DO NOTHING
                   RETURNING id::text, clinic_id::text, email, password_hash, is_active, failed_logins, locked_until""",
                (clinic_id, email.strip(), password_hash))
            row = await cur.fetchone()
        if row is None:
            raise StaffExists(email)
        return StaffAccount(**row)

    async def by_email(self, email: str) -> StaffAccount | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT id::text, clinic_id::text, email, password_hash, is_active, failed_logins, locked_until
                   FROM staff_accounts WHERE lower(email) = lower(%s)""", (email.strip(),))
            row = await cur.fetchone()
        return StaffAccount(**row) if row else None

    async def by_id(self, clinic_id: str, staff_id: str) -> StaffAccount | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT id::text, clinic_id::text, email, password_hash, is_active, failed_logins, locked_until
                   FROM staff_accounts WHERE clinic_id = %s AND id = %s""", (clinic_id, staff_id))
            row = await cur.fetchone()
        return StaffAccount(**row) if row else None

    async def failed(self, staff_id: str, limit: int, lock_seconds: int) -> datetime | None:
        """Count a failure; the lock's end when this one reached the limit (the count starts again)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """UPDATE staff_accounts SET
                       failed_logins = CASE WHEN failed_logins + 1 >= %s THEN 0 ELSE failed_logins + 1 END,
                       locked_until = CASE WHEN failed_logins + 1 >= %s
                                           THEN now() + make_interval(secs => %s) ELSE locked_until END,
                       updated_at = now()
                   WHERE id = %s RETURNING locked_until, locked_until > now() AS locked""",
                (limit, limit, lock_seconds, staff_id))
            row = await cur.fetchone()
        return row["locked_until"] if row and row["locked"] else None

    async def signed_in(self, staff_id: str, password_hash: str | None = None) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                """UPDATE staff_accounts SET failed_logins = 0, last_login_at = now(), updated_at = now(),
                          password_hash = COALESCE(%s, password_hash) WHERE id = %s""", (password_hash, staff_id))

    async def locked_until(self, staff_id: str) -> datetime | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT locked_until FROM staff_accounts WHERE id = %s AND locked_until > now()", (staff_id,))
            row = await cur.fetchone()
        return row["locked_until"] if row else None
