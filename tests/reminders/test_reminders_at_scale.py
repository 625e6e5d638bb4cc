"""Issue 15's test: three `voice-agent reminders run` processes started at once for 1,000 due
appointments send exactly 1,000 texts (counted by the Twilio stand-in), one per appointment, and
their printed `sent` values add up to 1,000."""
from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from tests.reminders.conftest import reminder_rows, seed
from tests.reminders.realtime import command_env, start

COUNT = 1000


async def test_three_runs_at_once_send_each_reminder_exactly_once(reminder_clinic, pool, standin, test_env):
    clinic = await reminder_clinic()
    began = time.monotonic()
    rows = await seed(pool, clinic.id, datetime.now(timezone.utc) + timedelta(hours=1), COUNT)   # all due (24 h)
    assert len(rows) == COUNT and time.monotonic() - began < 10
    env = command_env(test_env, standin, clinic.data["timezone"])
    runs = [start(["reminders", "run", "--clinic", clinic.id], env) for _ in range(3)]
    outputs = [run.communicate(timeout=90) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
    sent = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert all(set(s) == {"sent"} for s in sent), sent
    assert sum(s["sent"] for s in sent) == COUNT, sent
    assert len(standin.messages) == COUNT
    per_number = Counter(m["to"] for m in standin.messages)
    assert set(per_number) == {r["phone"] for r in rows} and set(per_number.values()) == {1}
    assert {m["from"] for m in standin.messages} == {clinic.data["phone"]}
    states = await reminder_rows(pool, clinic.id)
    assert all(r["reminder_state"] == "sent" and r["reminder_count"] == 1 for r in states)
    assert {r["reminder_message_sid"] for r in states} == {m["sid"] for m in standin.messages}
    print(f"per process: {[s['sent'] for s in sent]}; {time.monotonic() - began:.1f} s")
