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

A server that hangs (frozen, a dead network path) must not hang a turn either: connecting gives
up after `CONNECT_SECONDS`, the check before a connection is handed out after `CHECK_SECONDS`, and
every later wait on the server after `query_seconds` (the connection is then closed, never
reused). `statement_timeout` ends a slow query on the server a second earlier, so a query that is
merely slow (a lock wait) is cancelled there cleanly and releases its locks.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

FIRST_WAIT_SECONDS = 1.0
DOWN_SECONDS = 5.0
RECONNECT_SECONDS = 5.0
CONNECT_SECONDS = 3                 # libpq's connect_timeout (whole seconds, at least 2)
CHECK_SECONDS = 1.0
ANSWER_SECONDS = 1.0                # "does the server answer at all?" while the pool has nothing
QUERY_SECONDS = 6.0                 # the client's deadline on any one wait; statement_timeout is 1 s less


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


class ServerNotAnswering(psycopg.OperationalError):
    """A query got no answer within the client's deadline (HTTP 503 like any outage)."""


class DeadlineConnection(psycopg.AsyncConnection):
    """A connection whose every wait on the server has a deadline (`deadline_seconds`, None: none).
    Past it the connection is closed: its protocol state is unknown, so it is never reused."""

    deadline_seconds: float | None = None

    async def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        if timeout is None:
            timeout = self.deadline_seconds
        try:
            return await super().wait(gen, interval, timeout)
        except psycopg.errors._WaitTimeout:
            self.pgconn.finish()
            raise ServerNotAnswering(f"PostgreSQL did not answer within {timeout:g} s") from None


async def check_quickly(conn: psycopg.AsyncConnection) -> None:
    """The pool's check before handing a connection out, with a short deadline of its own."""
    if not isinstance(conn, DeadlineConnection):
        await AsyncConnectionPool.check_connection(conn)
        return
    usual, conn.deadline_seconds = conn.deadline_seconds, CHECK_SECONDS
    try:
        await AsyncConnectionPool.check_connection(conn)
    finally:
        conn.deadline_seconds = usual


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

    _probe: "asyncio.Future[bool] | None" = None

    async def _server_answers(self) -> bool:
        """One probe at a time, shared by every request waiting: 180 requests queued behind a busy pool
        each opening its own probe connection went past PostgreSQL's max_connections, and the refusals
        read as "down" (503s from a live server under load)."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(self._probe_once())
        return await asyncio.shield(self._probe)

    async def _probe_once(self) -> bool:
        try:
            async with asyncio.timeout(ANSWER_SECONDS):
                conn = await psycopg.AsyncConnection.connect(self.conninfo, connect_timeout=2)
        except (psycopg.OperationalError, TimeoutError):
            return False
        await conn.close()
        return True


async def open_pool(database_url: str, *, min_size: int = 2, max_size: int = 20,
                    timeout: float = 10.0, wait: bool = True,
                    query_seconds: float | None = QUERY_SECONDS) -> AsyncConnectionPool:
    """Open the pool; `wait=False` returns at once even when PostgreSQL is down (the server).
    `query_seconds=None`: no deadline and no statement_timeout (operator commands that may run long)."""
    pool = new_pool(database_url, min_size=min_size, max_size=max_size, timeout=timeout,
                    query_seconds=query_seconds)
    await pool.open(wait=wait, timeout=timeout)
    return pool


def new_pool(database_url: str, *, min_size: int = 2, max_size: int = 20, timeout: float = 10.0,
             query_seconds: float | None = QUERY_SECONDS) -> AsyncConnectionPool:
    """The pool, not yet open: the server builds its services with it and opens it in the lifespan."""

    class Connection(DeadlineConnection):
        deadline_seconds = query_seconds

    kwargs: dict[str, Any] = {"row_factory": dict_row, "autocommit": True, "connect_timeout": CONNECT_SECONDS}
    pool = FailFastPool(
        to_conninfo(database_url),
        connection_class=Connection,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        kwargs=kwargs,
        configure=_statement_timeout(query_seconds),
        check=check_quickly,
        reconnect_timeout=RECONNECT_SECONDS,
        open=False,
    )
    return pool


def _statement_timeout(query_seconds: float | None):
    """Set on each new connection: the server ends a query a second before the client gives up."""
    async def configure(conn: psycopg.AsyncConnection) -> None:
        if query_seconds is not None:
            await conn.execute(f"SET statement_timeout = {int(max(query_seconds - 1, 1) * 1000)}")
    return configure
