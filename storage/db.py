"""The PostgreSQL connection pool (psycopg 3, async).

One pool per process, opened at start-up and closed at shutdown. Rows come back as dicts so
repositories can map them to their own dataclasses without positional guessing.
"""
from __future__ import annotations

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool


def to_conninfo(database_url: str) -> str:
    """Accept SQLAlchemy-style URLs (postgresql+asyncpg://) as well as plain libpq ones."""
    scheme, sep, rest = database_url.partition("://")
    if sep and "+" in scheme:
        scheme = scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    return f"{scheme}{sep}{rest}" if sep else database_url


async def open_pool(database_url: str, *, min_size: int = 2, max_size: int = 20,
                    timeout: float = 10.0) -> AsyncConnectionPool:
    pool = AsyncConnectionPool(
        to_conninfo(database_url),
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        kwargs={"row_factory": dict_row, "autocommit": True},
        open=False,
    )
    await pool.open(wait=True, timeout=timeout)
    return pool
