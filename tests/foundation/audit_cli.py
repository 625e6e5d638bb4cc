"""Run `voice-agent` as an operator would (a separate process, this checkout's code) and edit the
audit table the way someone with database access could, behind the append-only trigger's back."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

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
