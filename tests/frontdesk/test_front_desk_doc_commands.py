"""Every command printed in docs/front_desk.md's bash blocks runs exactly as printed, against a
real server on loopback, and does what the page says."""
from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from datetime import datetime
from pathlib import Path

from storage.handoffs import HandoffStore
from tests.channels.conftest import build_app
from tests.channels.test_webchat_browser import serve
from tests.conftest import ROOT
from tests.frontdesk.conftest import new_handoff

PAGE = ROOT / "docs" / "front_desk.md"
NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")


def commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_page_has_its_commands():
    assert len(commands()) == 4


async def _run(command: str, env: dict[str, str]) -> str:
    proc = await asyncio.create_subprocess_shell(command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                 stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, (command, out, err)
    return out.decode()


async def test_each_command_runs_as_printed(make_clinic, settings, pool, redis, test_env):
    clinic = await make_clinic()
    made = await new_handoff(pool, clinic.id)

    def factory(base_url: str):
        app, _ = build_app(settings, pool, redis, NOW, public_base_url=base_url)
        return app

    async with serve(factory) as base:
        env = {**os.environ, **test_env, "BASE_URL": base, "API_KEY": clinic.api_key, "CLINIC_ID": clinic.id,
               "HANDOFF_ID": made.id, "STAFF_PASSWORD": "a long enough staff password",
               "PYTHONPATH": str(ROOT), "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
        add, listed, claimed, closed = [await _run(c, env) for c in commands()]
    assert json.loads(add.splitlines()[-1])["email"] == "frontdesk@example.com"
    assert [h["id"] for h in json.loads(listed)["handoffs"]] == [made.id]
    assert json.loads(claimed)["status"] == "claimed"
    assert json.loads(closed)["status"] == "closed"
    final = await HandoffStore(pool).get(clinic.id, made.id)
    assert final.status == "closed" and final.close_note == "Called back; rebooked for Tuesday."
