"""Requests queued behind a busy pool ask "does the server answer?" with one shared probe, not one
connection each: 180 probes at once went past PostgreSQL's max_connections, and the refusals read as
"down" (a clean-clone CI run answered 42 of 200 concurrent bookings with 503 from a live server)."""
from __future__ import annotations

import asyncio

import psycopg

from storage.db import open_pool


async def test_waiters_on_a_busy_pool_share_one_probe_of_the_server(database, monkeypatch):
    pool = await open_pool(database, min_size=2, max_size=2)
    try:
        held = [await pool.getconn(), await pool.getconn()]          # the pool is busy, the server alive
        connects = 0
        real = psycopg.AsyncConnection.connect.__func__

        async def counting(cls, *args, **kwargs):
            nonlocal connects
            connects += 1
            return await real(cls, *args, **kwargs)
        monkeypatch.setattr(psycopg.AsyncConnection, "connect", classmethod(counting))

        async def wait_for_one():
            conn = await pool.getconn(timeout=2.5)
            await pool.putconn(conn)

        async def release_later():
            await asyncio.sleep(1.5)                                  # past the first wait: every waiter probes
            for conn in held:
                await pool.putconn(conn)

        await asyncio.gather(release_later(), *(wait_for_one() for _ in range(40)))
        assert connects <= 3, connects        # one probe (and at most the pool's own refills), not 40
    finally:
        await pool.close()
