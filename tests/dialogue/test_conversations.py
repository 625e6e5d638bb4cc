"""The conversation suite: every flow through the chat API, checked in the database at the end."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

SCRIPTS = yaml.safe_load((Path(__file__).parent / "conversations.yaml").read_text())
DEFAULT_NOW = "2027-03-05T09:00:00-06:00"
CHICAGO = ZoneInfo("America/Chicago")


def _clinic_overrides(spec: dict) -> dict:
    overrides = dict(spec or {})
    extra = overrides.pop("extra_provider", None)
    if extra:
        import json
        demo = json.loads((Path(__file__).parents[2] / "fixtures" / "demo_clinic.json").read_text())
        overrides["providers"] = demo["providers"] + [extra]
    return overrides


async def _book_behind(driver, slot: dict) -> None:
    """Another patient takes the slot between read-back and "yes"."""
    async with driver.pool.connection() as conn:
        cur = await conn.execute("SELECT id FROM patients WHERE clinic_id = %s AND last_name = 'Bello'",
                                 (driver.clinic.id,))
        patient = (await cur.fetchone())["id"]
        start = datetime.fromisoformat(slot["start"])
        end = datetime.fromisoformat(slot["end"])
        await conn.execute(
            """INSERT INTO appointments (clinic_id, provider_id, patient_id, scheduled_start, scheduled_end,
                   duration_minutes, booked_via) VALUES (%s, %s, %s, %s, %s, %s, 'api')""",
            (driver.clinic.id, slot["provider_id"], patient, start, end, int((end - start).total_seconds() // 60)))


def _check_reply(turn: dict, body: dict) -> None:
    text = body["message"].lower()
    where = f"after {turn['say']!r}: {body['message']!r} (state {body['state']})"
    if "state" in turn:
        assert body["state"] == turn["state"], where
    if "intent" in turn:
        assert body["intent"] == turn["intent"], where
    for fragment in turn.get("contains", []):
        assert fragment.lower() in text, f"missing {fragment!r} {where}"
    for fragment in turn.get("not_contains", []):
        assert fragment.lower() not in text, f"unexpected {fragment!r} {where}"


@pytest.mark.parametrize("script", SCRIPTS, ids=[s["name"] for s in SCRIPTS])
async def test_conversation(chat, script):
    now = datetime.fromisoformat(script.get("now", DEFAULT_NOW))
    driver = await chat(now, **_clinic_overrides(script.get("clinic")))
    shown: list[dict] = []
    selected: dict | None = None
    for turn in script["turns"]:
        if "behind" in turn:
            await _book_behind(driver, selected)
            continue
        body = await driver.say(turn["say"])
        _check_reply(turn, body)
        if body["available_slots"]:
            shown = body["available_slots"]
        if body["state"] in ("collect_patient_info", "collect_reason", "confirm_booking") and shown and selected is None:
            selected = shown[0] if turn["say"] in ("1", "first", "the first one") else selected
        if body["state"] == "confirm_booking" and shown:
            selected = selected or shown[0]
            for s in shown:  # the read-back names the chosen slot
                local = datetime.fromisoformat(s["start"]).astimezone(CHICAGO)
                if local.strftime("%-I:%M").replace(":00", "") in body["message"]:
                    selected = s
    expect = script["expect"]
    rows = await driver.appointments()
    live = [r for r in rows if r["status"] != "CANCELLED"]
    new_live = [r for r in live if r["booked_via"] != "import"]
    assert len(live) == expect["live"], rows
    if "cancelled" in expect:
        assert sum(r["status"] == "CANCELLED" for r in rows) == expect["cancelled"]
    if "cancelled_provider" in expect:
        assert [r["provider"] for r in rows if r["status"] == "CANCELLED"] == [expect["cancelled_provider"]]
    booked = expect.get("booked")
    if booked:
        mine = [r for r in new_live if r["booked_via"] == "web"]
        assert len(mine) == 1, rows
        row = mine[0]
        assert row["provider"] == booked["provider"]
        if "local" in booked:
            assert row["scheduled_start"].astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M") == booked["local"]
        if "utc" in booked:
            assert row["scheduled_start"].astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M") == booked["utc"]
        if "patient" in booked:
            assert row["last_name"] == booked["patient"]
        if "reason" in booked:
            assert row["reason"] == booked["reason"]
        if "new_patient" in booked:
            assert row["is_new_patient_visit"] is booked["new_patient"]
        if booked.get("rescheduled"):
            assert row["rescheduled_from_id"] is not None
