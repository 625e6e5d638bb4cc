"""The auth matrix from the outside: status codes, JSON error bodies, cache invalidation."""
from __future__ import annotations

import io
import logging

import pytest

from voice_agent.web.apikeys import hash_api_key
from voice_agent.cli import main as cli_main


async def test_auth_matrix(client, make_clinic):
    clinic = await make_clinic()
    other = await make_clinic()

    r = await client.get("/api/v1/clinic")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "missing_api_key"
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]

    r = await client.get("/api/v1/clinic", headers={"X-API-Key": "not-a-key", "X-Tenant-ID": clinic.id})
    assert r.status_code == 403 and r.json()["error"]["code"] == "invalid_api_key"

    unknown = "ar_live_" + "A" * 43
    r = await client.get("/api/v1/clinic", headers={"X-API-Key": unknown, "X-Tenant-ID": clinic.id})
    assert r.status_code == 403 and r.json()["error"]["code"] == "invalid_api_key"

    r = await client.get("/api/v1/clinic", headers={"X-API-Key": clinic.api_key, "X-Tenant-ID": other.id})
    assert r.status_code == 403 and r.json()["error"]["code"] == "tenant_mismatch"

    r = await client.get("/api/v1/clinic", headers=clinic.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == clinic.id and body["slug"] == clinic.data["slug"]
    assert "api_key_hash" not in r.text and clinic.api_key not in r.text and hash_api_key(clinic.api_key) not in r.text


async def test_request_id_is_echoed(client, make_clinic):
    clinic = await make_clinic()
    r = await client.get("/api/v1/clinic", headers={**clinic.headers, "X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"


async def test_suspend_takes_effect_on_next_request_despite_cache(client, make_clinic, settings, monkeypatch, test_env):
    clinic = await make_clinic()
    assert (await client.get("/api/v1/clinic", headers=clinic.headers)).status_code == 200  # now cached
    for k, v in test_env.items():
        monkeypatch.setenv(k, v)
    assert await _run_cli(["clinic", "suspend", clinic.id]) == 0
    r = await client.get("/api/v1/clinic", headers=clinic.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "clinic_inactive"
    assert await _run_cli(["clinic", "activate", clinic.id]) == 0
    assert (await client.get("/api/v1/clinic", headers=clinic.headers)).status_code == 200


async def test_rotate_key_invalidates_old_key(client, make_clinic, monkeypatch, test_env, capsys):
    clinic = await make_clinic()
    assert (await client.get("/api/v1/clinic", headers=clinic.headers)).status_code == 200
    for k, v in test_env.items():
        monkeypatch.setenv(k, v)
    capsys.readouterr()
    assert await _run_cli(["clinic", "rotate-key", clinic.id]) == 0
    import json
    new_key = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["api_key"]
    assert (await client.get("/api/v1/clinic", headers=clinic.headers)).status_code == 403
    r = await client.get("/api/v1/clinic", headers={"X-API-Key": new_key, "X-Tenant-ID": clinic.id})
    assert r.status_code == 200


async def test_key_hash_stored_and_key_nowhere(client, make_clinic, pool, caplog):
    caplog.set_level(logging.DEBUG)
    clinic = await make_clinic()
    await client.get("/api/v1/clinic", headers=clinic.headers)
    await client.get("/api/v1/clinic", headers={**clinic.headers, "X-Tenant-ID": "wrong"})
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT api_key_hash FROM clinics WHERE id = %s", (clinic.id,))
        assert (await cur.fetchone())["api_key_hash"] == hash_api_key(clinic.api_key)
        # The key itself appears in no column of any table.
        for table in ("clinics", "providers", "patients", "appointments", "sessions", "audit_logs"):
            cur = await conn.execute(f"SELECT count(*) AS n FROM {table} t WHERE t::text LIKE %s",
                                     (f"%{clinic.api_key}%",))
            assert (await cur.fetchone())["n"] == 0, table
    assert clinic.api_key not in caplog.text


async def _run_cli(argv):
    import asyncio
    return await asyncio.to_thread(cli_main, argv)
