"""docs/reminders.md: every command it prints runs as printed and does what the page says; and the
server runs the sender on its schedule, stopping with the app."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import subprocess
from datetime import datetime, timedelta, timezone

from tests.conftest import ROOT
from tests.reminders.conftest import SID, reminder_rows, seed
from tests.reminders.realtime import command_env, quiet_hours_away_from_now
from voice_agent.app import start_reminders, stop_task
from voice_agent.services import Services

PAGE = ROOT / "docs" / "reminders.md"


def commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_page_prints_its_commands():
    assert commands() == ['voice-agent clinic reminder-hours "$CLINIC_ID" 12', "voice-agent reminders run",
                          'voice-agent reminders run --clinic "$CLINIC_ID"']


async def test_the_commands_run_as_printed(reminder_clinic, pool, standin, test_env):
    clinic = await reminder_clinic()
    row, = await seed(pool, clinic.id, datetime.now(timezone.utc) + timedelta(hours=6), phone_prefix="+1773557")
    env = command_env(test_env, standin, clinic.data["timezone"], CLINIC_ID=clinic.id)
    last = []
    for command in commands():
        done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        last.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert last[0] == {"clinic_id": clinic.id, "default_reminder_hours": 12}
    assert set(last[1]) == {"sent"} and last[1]["sent"] >= 1          # ours, and any other clinic's due now
    assert last[2] == {"sent": 0}                                       # nothing is left for this clinic
    assert [m["to"] for m in standin.messages if m["from"] == clinic.data["phone"]] == [row["phone"]]
    state, = await reminder_rows(pool, clinic.id)
    assert state["reminder_state"] == "sent"


def test_without_twilio_the_command_says_so(test_env, standin):
    env = command_env(test_env, standin, "UTC")
    env.pop("TWILIO_ACCOUNT_SID")
    done = subprocess.run(commands()[1], shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"


async def test_the_server_runs_the_sender_on_its_schedule(reminder_clinic, pool, redis, settings, standin):
    clinic = await reminder_clinic()
    row, = await seed(pool, clinic.id, datetime.now(timezone.utc) + timedelta(hours=2), phone_prefix="+1773558")
    quiet = tuple(quiet_hours_away_from_now(clinic.data["timezone"]).split("-"))
    configured = dataclasses.replace(settings, twilio_account_sid=SID, twilio_api_base_url=standin.base_url,
                                     reminder_interval_seconds=1, reminder_quiet_hours=quiet)
    assert start_reminders(Services.build(dataclasses.replace(configured, reminder_interval_seconds=0),
                                          pool, redis)) is None
    task = start_reminders(Services.build(configured, pool, redis))
    ours = lambda: [m for m in standin.messages if m["to"] == row["phone"]]  # noqa: E731
    for _ in range(100):
        if ours():
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)                                  # at least one more run: nothing new for it
    await stop_task(task)
    assert task.cancelled()
    assert len(ours()) == 1
