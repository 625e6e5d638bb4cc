"""Run `voice-agent` as an operator would (a separate process, this checkout's code), edit the audit
table the way someone with database access could (behind the append-only trigger's back), and give a
test a database of its own (`fresh`), so a whole-database verify answers for that test's clinics only."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest_asyncio

from storage import audit
from storage.audit_anchor import AuditAnchors
from storage.audit_anchoring import SCOPE_SQL
from storage.db import open_pool, to_conninfo
from storage.migrate import migrate
from tests.conftest import ROOT, TEST_DATABASE_URL
from voice_agent.services import Services
from voice_agent.web.settings import load_settings

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Run:
    code: int
    lines: list[dict[str, Any]]     # stdout's JSON lines
    stderr: str

    def about(self, clinic_id: str) -> dict[str, Any]:
        """The line naming this clinic (there is exactly one)."""
        found = [line for line in self.lines if line.get("clinic_id") == clinic_id]
        assert len(found) == 1, (self.lines, self.stderr)
        return found[0]


def operator_env(test_env: dict[str, str], **overrides: str) -> dict[str, str]:
    return {**os.environ, **test_env, "PYTHONPATH": str(ROOT), "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
            **overrides}


def run_shell(command: str, env: dict[str, str]) -> Run:
    done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return Run(done.returncode, lines, done.stderr)


def voice_agent(test_env: dict[str, str], *args: str, **overrides: str) -> Run:
    return run_shell(" ".join(["voice-agent", *args]), operator_env(test_env, **overrides))


async def behind_the_trigger(conn, sql: str, params: tuple) -> None:
    """UPDATE or DELETE audit rows as a database owner can: switch the trigger off, write, switch it on."""
    async with conn.transaction():
        await conn.execute("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete")
        await conn.execute(sql, params)
        await conn.execute("ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete")


@dataclass
class Fresh:
    env: dict[str, str]
    services: Services

    def cli(self, *args: str, **env: str):
        return voice_agent(self.env, *args, **env)

    async def clinic(self, events: int = 3) -> str:
        """A clinic made by `voice-agent clinic create`, then `events` anchored events, as the app writes them."""
        run = self.cli("clinic", "create", "--name", f"Clinic-{uuid.uuid4().hex[:6]}", "--timezone", "UTC")
        assert run.code == 0, run
        clinic_id = run.lines[-1]["clinic_id"]
        await self.events(clinic_id, events)
        return clinic_id

    async def events(self, clinic_id: str, n: int, anchors: AuditAnchors | None | str = "app") -> None:
        chosen = self.services.anchors if anchors == "app" else anchors
        for i in range(n):
            async with self.services.pool.connection() as conn, conn.transaction():
                await audit.append(conn, clinic_id, audit.AuditEvent("SAFETY_TRIGGER", "session", str(i),
                                                                     {"n": i}), chosen)

    async def delete_newest(self, clinic_id: str) -> int:
        """Delete the clinic's newest audit row as a database owner could; returns its seq."""
        async with self.services.pool.connection() as conn:
            cur = await conn.execute("SELECT max(seq) AS seq FROM audit_logs WHERE clinic_id = %s", (clinic_id,))
            seq = (await cur.fetchone())["seq"]
            await behind_the_trigger(conn, "DELETE FROM audit_logs WHERE seq = %s", (seq,))
        return seq

    async def lose_anchor(self, clinic_id: str) -> None:
        """What FLUSHALL (or a Redis without persistence restarting) does to this clinic's anchor."""
        async with self.services.pool.connection() as conn:
            scope = (await (await conn.execute(f"SELECT {SCOPE_SQL} AS s")).fetchone())["s"]
        assert await self.services.redis.delete(AuditAnchors.redis_key(scope, clinic_id)) == 1


@pytest_asyncio.fixture
async def fresh(test_env, redis):
    base = TEST_DATABASE_URL.rsplit("/", 1)[0]
    name = f"voice_agent_anchor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**test_env, "DATABASE_URL": f"{base}/{name}"}
    pool = None
    try:
        await migrate(to_conninfo(env["DATABASE_URL"]))
        pool = await open_pool(env["DATABASE_URL"], min_size=1, max_size=4)
        yield Fresh(env, Services.build(load_settings(env, env_file=None), pool, redis))
    finally:
        if pool is not None:
            await pool.close()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
