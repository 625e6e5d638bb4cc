"""The PostgreSQL connection pool (psycopg 3, async).

One pool per process, opened at start-up and closed at shutdown. Rows come back as dicts so
repositories can map them to their own dataclasses without positional guessing.

A database that is down must be said at once, not after the pool's whole wait: a connection is
checked before it is handed out (a restarted server leaves dead ones behind), and when none comes
within a second the server itself is asked; if it does not answer, `DatabaseUnavailable` is raised
and, for a few seconds, asked first (milliseconds when the port refuses) instead of waiting again.
A busy pool on a live server still waits the full timeout.

The server opens its pool without waiting (`wait=False`): with PostgreSQL down it starts anyway,
answers 503, and its pool reconnects by itself. Background reconnection gives up after
`RECONNECT_SECONDS` instead of psycopg's 5 minutes of ever longer back-off, so the next request
tries afresh and a database that comes back is used within seconds.
"""
from __future__ import annotations

import time

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

FIRST_WAIT_SECONDS = 1.0
DOWN_SECONDS = 5.0
RECONNECT_SECONDS = 5.0


class DatabaseUnavailable(PoolTimeout):
    """PostgreSQL does not answer: callers answer "try again shortly" (HTTP 503)."""


def to_conninfo(database_url: str) -> str:
    """Accept SQLAlchemy-style URLs (postgresql+asyncpg://) as well as plain libpq ones."""
    scheme, sep, rest = database_url.partition("://")
    if sep and "+" in scheme:
        scheme = scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    return f"{scheme}{sep}{rest}" if sep else database_url


class FailFastPool(AsyncConnectionPool):
    """The pool, failing fast while the server is down (see the module docstring)."""

    _down_until = 0.0

    async def getconn(self, timeout: float | None = None) -> psycopg.AsyncConnection:
        if time.monotonic() < self._down_until and not await self._server_answers():
            raise DatabaseUnavailable("the database is not answering")
        total = self.timeout if timeout is None else timeout
        try:
            return await super().getconn(min(FIRST_WAIT_SECONDS, total))
        except PoolTimeout:
            if not await self._server_answers():
                self._down_until = time.monotonic() + DOWN_SECONDS
                raise DatabaseUnavailable("the database is not answering") from None
            if total <= FIRST_WAIT_SECONDS:
                raise
        self._down_until = 0.0
        return await super().getconn(total - FIRST_WAIT_SECONDS)

    async def _server_answers(self) -> bool:
        try:
            conn = await psycopg.AsyncConnection.connect(self.conninfo, connect_timeout=2)
        except psycopg.OperationalError:
            return False
        await conn.close()
        return True


async def open_pool(database_url: str, *, min_size: int = 2, max_size: int = 20,
                    timeout: float = 10.0, wait: bool = True) -> AsyncConnectionPool:
    """Open the pool; `wait=False` returns at once even when PostgreSQL is down (the server)."""
    pool = FailFastPool(
        to_conninfo(database_url),
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        kwargs={"row_factory": dict_row, "autocommit": True},
        check=AsyncConnectionPool.check_connection,
        reconnect_timeout=RECONNECT_SECONDS,
        open=False,
    )
    await pool.open(wait=wait, timeout=timeout)
    return pool
