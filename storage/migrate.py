"""Apply the numbered plain-SQL migrations in `migrations/`, in order, one transaction each.

Applied versions are recorded in `schema_migrations`; a second run applies nothing. An advisory
lock keeps two start-ups (e.g. a release command and a test run) from racing each other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

def _migrations_dir() -> Path:
    """Next to the source tree in a checkout; the working directory's `migrations/` in an image."""
    beside = Path(__file__).resolve().parent.parent / "migrations"
    return beside if beside.is_dir() else Path.cwd() / "migrations"


MIGRATIONS_DIR = _migrations_dir()
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_ID = 7_406_211_001


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like 0001_name.sql: {path.name}")
        found.append(Migration(int(match.group(1)), path.stem, path))
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise ValueError("two migrations share a version number")
    return found


async def applied_versions(conn: psycopg.AsyncConnection) -> set[int]:
    await conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               version integer PRIMARY KEY,
               name text NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now())"""
    )
    cur = await conn.execute("SELECT version FROM schema_migrations")
    return {row[0] if isinstance(row, tuple) else row["version"] for row in await cur.fetchall()}


async def migrate(conninfo: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; return the names applied (empty when up to date)."""
    applied_now: list[str] = []
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
        try:
            done = await applied_versions(conn)
            for migration in discover(directory):
                if migration.version in done:
                    continue
                sql = migration.path.read_text()
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (migration.version, migration.name),
                    )
                applied_now.append(migration.name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
    return applied_now


async def current_version(conn: psycopg.AsyncConnection) -> int | None:
    cur = await conn.execute(
        "SELECT max(version) AS v FROM schema_migrations"
    )
    row = await cur.fetchone()
    if row is None:
        return None
    return row["v"] if isinstance(row, dict) else row[0]
