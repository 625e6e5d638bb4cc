"""The audit trail is a per-clinic hash chain: `voice-agent audit verify` passes, and names the first
row someone edited behind the trigger's back."""
from __future__ import annotations

import asyncio
import json
import os
import uuid

import psycopg

from storage import audit
from storage.db import to_conninfo
from storage.migrate import migrate
from tests.conftest import TEST_DATABASE_URL
from voice_agent.cli import main as cli_main


async def _append_events(pool, clinic_id: str, n: int) -> None:
    for i in range(n):
        async with pool.connection() as conn, conn.transaction():
            await audit.append(conn, clinic_id, audit.AuditEvent("SAFETY_TRIGGER", "session", str(i),
                                                                 {"reason": "test", "n": i}, severity="warning"))


async def test_verify_passes_on_a_fresh_database(monkeypatch, test_env, capsys, make_clinic):
    name = f"voice_agent_audit_{uuid.uuid4().hex[:8]}"
    base = TEST_DATABASE_URL.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        await migrate(to_conninfo(f"{base}/{name}"))
        for k, v in {**test_env, "DATABASE_URL": f"{base}/{name}"}.items():
            monkeypatch.setenv(k, v)
        assert await asyncio.to_thread(cli_main, ["clinic", "create", "--name", "Fresh", "--timezone", "UTC"]) == 0
        capsys.readouterr()
        assert await asyncio.to_thread(cli_main, ["audit", "verify"]) == 0
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert result["ok"] is True and result["rows"] >= 1
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_verify_names_the_edited_row(pool, make_clinic, monkeypatch, test_env, capsys):
    clinic = await make_clinic()
    await _append_events(pool, clinic.id, 5)
    for k, v in test_env.items():
        monkeypatch.setenv(k, v)
    assert await asyncio.to_thread(cli_main, ["audit", "verify", "--clinic", clinic.id]) == 0
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT id::text AS id FROM audit_logs WHERE clinic_id = %s ORDER BY seq "
                                 "OFFSET 3 LIMIT 1", (clinic.id,))
        victim = (await cur.fetchone())["id"]
        async with conn.transaction():
            await conn.execute("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete")
            await conn.execute("""UPDATE audit_logs SET details = '{"reason": "nothing to see"}' WHERE id = %s""",
                               (victim,))
            await conn.execute("ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete")
    capsys.readouterr()
    assert await asyncio.to_thread(cli_main, ["audit", "verify", "--clinic", clinic.id]) == 1
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["ok"] is False and result["row_id"] == victim


async def test_chain_stays_linear_under_concurrent_writers(pool, make_clinic):
    clinic = await make_clinic()
    await asyncio.gather(*(_append_events(pool, clinic.id, 3) for _ in range(10)))
    async with pool.connection() as conn:
        count, broken = await audit.verify_chain(conn, clinic.id)
    assert broken is None and count == 31
