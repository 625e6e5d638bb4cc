"""`voice-agent serve` started while PostgreSQL is down (the module's own cluster, stopped).

An operator sees a server that is up but not ready (503 naming postgres), and that becomes ready
by itself once the database is back; no restart is needed.
"""
from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from storage.clinic_import import import_clinic
from tests.conftest import demo_clinic_data
from tests.foundation.served import Served
from voice_agent.web.apikeys import generate_api_key, hash_api_key
from voice_agent.clinic_file import validate_clinic_file

RECOVERY_S = 15.0


async def _import(pool) -> tuple[str, str]:
    clinic, problems = validate_clinic_file(demo_clinic_data())
    assert not problems, problems
    key = generate_api_key("test")
    return await import_clinic(pool, clinic, hash_api_key(key)), key


async def _ready(base: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=10) as c:
        return await c.get("/health/ready")


async def test_serve_starts_with_postgres_down_and_becomes_ready_when_it_is_back(test_env, pg_cluster, own_pool):
    clinic_id, key = await _import(own_pool)
    await own_pool.close()
    pg_cluster.stop()
    try:
        server = await asyncio.to_thread(Served, {**test_env, "DATABASE_URL": pg_cluster.url}, until="/health/live")
    except RuntimeError as exc:
        pg_cluster.start()
        pytest.fail(f"the server did not start with PostgreSQL down: {exc}")
    try:
        r = await _ready(server.base)
        assert r.status_code == 503, r.text
        assert r.json()["error"]["down"] == ["postgres"], r.text
        pg_cluster.start()
        deadline = time.monotonic() + RECOVERY_S
        while (r := await _ready(server.base)).status_code != 200 and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
        assert r.status_code == 200, f"not ready {RECOVERY_S} s after PostgreSQL came back: {r.text}"
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as c:
            chat = await c.post("/api/v1/chat", json={"message": "hello"},
                                headers={"X-API-Key": key, "X-Tenant-ID": clinic_id})
        assert chat.status_code == 200, chat.text
        assert chat.json()["message"] and chat.json()["session_id"]
    finally:
        server.stop()
