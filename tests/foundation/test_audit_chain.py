"""The audit trail is a per-clinic hash chain: `voice-agent audit verify` passes, and names the first
row someone edited behind the trigger's back."""
from __future__ import annotations

import asyncio
import json
import os
import uuid

import psycopg
import pytest

from storage import audit
from storage.db import to_conninfo
from storage.migrate import migrate
from tests.conftest import TEST_DATABASE_URL
from tests.foundation.audit_cli import behind_the_trigger, voice_agent
from voice_agent.cli import main as cli_main


async def _append_events(pool, clinic_id: str, n: int, anchors=None) -> None:
    for i in range(n):
        async with pool.connection() as conn, conn.transaction():
            await audit.append(conn, clinic_id, audit.AuditEvent("SAFETY_TRIGGER", "session", str(i),
                                                                 {"reason": "test", "n": i}, severity="warning"),
                               anchors)


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


async def test_verify_names_the_edited_row(pool, services, make_clinic, monkeypatch, test_env, capsys):
    clinic = await make_clinic()
    await _append_events(pool, clinic.id, 5, services.anchors)
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
    first, summary = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()[-2:]]
    assert first["ok"] is False and first["clinic_id"] == clinic.id and first["row_id"] == victim
    assert first["status"] == "tampered" and summary["ok"] is False and summary["tampered"] == 1


async def test_chain_stays_linear_under_concurrent_writers(pool, make_clinic):
    clinic = await make_clinic()
    await asyncio.gather(*(_append_events(pool, clinic.id, 3) for _ in range(10)))
    async with pool.connection() as conn:
        count, broken = await audit.verify_chain(conn, clinic.id)
    assert broken is None and count == 31


async def _append_with_client(pool, clinic_id: str, anchors) -> list[str]:
    """Three events that carry the caller's address and browser, as a staff action would."""
    ids = []
    for i in range(3):
        async with pool.connection() as conn, conn.transaction():
            await audit.append(conn, clinic_id, audit.AuditEvent(
                "UPDATE", "appointment", str(i), {"n": i}, ip_address="198.51.100.7",
                user_agent="Mozilla/5.0 (front desk)"), anchors)
            cur = await conn.execute("SELECT id::text AS id FROM audit_logs WHERE clinic_id = %s "
                                     "ORDER BY seq DESC LIMIT 1", (clinic_id,))
            ids.append((await cur.fetchone())["id"])
    return ids


@pytest.mark.parametrize("column, forged", [("ip_address", "203.0.113.99"), ("user_agent", "curl/8.0")])
async def test_verify_sees_a_changed_ip_address_or_user_agent(pool, services, make_clinic, test_env, column,
                                                              forged):
    clinic = await make_clinic()
    victim = (await _append_with_client(pool, clinic.id, services.anchors))[1]
    assert voice_agent(test_env, "audit", "verify", "--clinic", clinic.id).code == 0
    async with pool.connection() as conn:
        await behind_the_trigger(conn, f"UPDATE audit_logs SET {column} = %s WHERE id = %s", (forged, victim))
    run = voice_agent(test_env, "audit", "verify", "--clinic", clinic.id)
    assert run.code == 1, run
    line = run.about(clinic.id)
    assert line["ok"] is False and line["row_id"] == victim, line


async def test_rows_hashed_before_format_2_still_verify(pool):
    """A clinic whose chain began before migration 0004 (format 1, ip_address not hashed) goes on in
    format 2 and verifies; a format-1 row after a format-2 row is a break."""
    from storage.audit_hash import GENESIS, row_hash
    async with pool.connection() as conn, conn.transaction():
        cur = await conn.execute(
            """INSERT INTO clinics (name, slug, timezone, api_key_hash, business_hours)
               VALUES ('Old', %s, 'UTC', %s, '{}') RETURNING id::text AS id""",
            (f"old-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex))
        clinic_id = (await cur.fetchone())["id"]
        prev = GENESIS
        for _ in range(2):   # as the code before format 2 wrote them
            cur = await conn.execute("SELECT gen_random_uuid()::text AS id, clock_timestamp() AS ts")
            ident = await cur.fetchone()
            old = {"id": ident["id"], "clinic_id": clinic_id, "timestamp": ident["ts"], "action": "LOGIN",
                   "resource_type": None, "resource_id": None, "details": None, "session_id": None,
                   "severity": "info"}
            digest = row_hash(prev, old, 1)
            await conn.execute(
                """INSERT INTO audit_logs (id, clinic_id, "timestamp", action, severity, ip_address, prev_hash,
                       row_hash, hash_version) VALUES (%s, %s, %s, 'LOGIN', 'info', '192.0.2.1', %s, %s, 1)""",
                (old["id"], clinic_id, old["timestamp"], prev, digest))
            prev = digest
    async with pool.connection() as conn, conn.transaction():
        await audit.append(conn, clinic_id, audit.AuditEvent("LOGIN", ip_address="192.0.2.1"))
    async with pool.connection() as conn:
        assert await audit.verify_chain(conn, clinic_id) == (3, None)
        cur = await conn.execute("SELECT id::text AS id, hash_version FROM audit_logs WHERE clinic_id = %s "
                                 "ORDER BY seq", (clinic_id,))
        rows = await cur.fetchall()
        assert [r["hash_version"] for r in rows] == [1, 1, 2]
        await behind_the_trigger(conn, "UPDATE audit_logs SET hash_version = 1 WHERE id = %s", (rows[2]["id"],))
        count, broken = await audit.verify_chain(conn, clinic_id)
        assert broken is not None and broken.row_id == rows[2]["id"]
