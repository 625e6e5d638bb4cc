"""Retention: expired conversations and old SMS ids are deleted after their time, audited by count."""
from __future__ import annotations

import asyncio
import json
import uuid

from psycopg.types.json import Jsonb

from storage.audit import verify_chain
from storage.housekeeping import prune
from voice_agent.cli import main as cli_main


async def _session(pool, clinic_id: str, expired_days_ago: float) -> str:
    sid = str(uuid.uuid4())
    async with pool.connection() as conn:
        await conn.execute(
            """INSERT INTO sessions (id, clinic_id, channel, channel_user_id, state, expires_at)
               VALUES (%s, %s, 'web', 'u', %s, now() - make_interval(secs => %s))""",
            (sid, clinic_id, Jsonb({"history": "encrypted"}), expired_days_ago * 86400))
    return sid


async def _sms(pool, clinic_id: str, days_ago: float) -> None:
    async with pool.connection() as conn:
        await conn.execute(
            """INSERT INTO sms_inbound_messages (clinic_id, message_sid, received_at)
               VALUES (%s, %s, now() - make_interval(secs => %s))""",
            (clinic_id, "SM" + uuid.uuid4().hex, days_ago * 86400))


async def _left(pool, clinic_id: str) -> tuple[set[str], int]:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT id::text AS id FROM sessions WHERE clinic_id = %s", (clinic_id,))
        sessions = {r["id"] for r in await cur.fetchall()}
        cur = await conn.execute("SELECT count(*) AS n FROM sms_inbound_messages WHERE clinic_id = %s", (clinic_id,))
        return sessions, (await cur.fetchone())["n"]


async def test_prune_deletes_only_what_is_past_retention_and_audits_it(pool, make_clinic):
    clinic = await make_clinic()
    old = await _session(pool, clinic.id, 40)
    recent = await _session(pool, clinic.id, 2)        # expired, but within the 30 days kept
    active = await _session(pool, clinic.id, -0.01)    # still open
    await _sms(pool, clinic.id, 8)
    await _sms(pool, clinic.id, 0.01)

    dry = await prune(pool, session_days=30, dry_run=True)
    assert dry.sessions.get(clinic.id) == 1 and dry.sms_inbound.get(clinic.id) == 1
    assert await _left(pool, clinic.id) == ({old, recent, active}, 2)          # a dry run deletes nothing

    done = await prune(pool, session_days=30)
    assert done.sessions[clinic.id] == 1 and done.sms_inbound[clinic.id] == 1
    assert await _left(pool, clinic.id) == ({recent, active}, 1)
    async with pool.connection() as conn:
        cur = await conn.execute(
            """SELECT details FROM audit_logs WHERE clinic_id = %s AND action = 'DELETE'
               AND resource_type = 'retention'""", (clinic.id,))
        (row,) = await cur.fetchall()
        assert row["details"]["sessions"] == 1 and row["details"]["sms_inbound_messages"] == 1
        count, broken = await verify_chain(conn, clinic.id)
        assert broken is None
    again = await prune(pool, session_days=30)                                  # nothing left to do here
    assert clinic.id not in again.sessions and clinic.id not in again.sms_inbound


async def test_housekeeping_command_reports_counts(monkeypatch, test_env, capsys, pool, make_clinic):
    for k, v in test_env.items():
        monkeypatch.setenv(k, v)
    clinic = await make_clinic()
    await _session(pool, clinic.id, 400)
    assert await asyncio.to_thread(cli_main, ["housekeeping", "--session-days", "365", "--dry-run"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["dry_run"] is True and report["sessions"] >= 1 and report["session_days"] == 365
    assert await asyncio.to_thread(cli_main, ["housekeeping", "--session-days", "0"]) == 1   # a clear refusal
    assert "at least 1" in capsys.readouterr().err
