"""Where a clinic's reminder lead time lives: the clinic file (validated, imported), its own
profile, `voice-agent clinic`; and the process settings for the sender."""
from __future__ import annotations

import pytest

from tests.conftest import demo_clinic_data
from voice_agent.clinic_file import validate_clinic_file
from voice_agent.web.settings import SettingsError, load_settings


@pytest.mark.parametrize("bad", [-1, 169, "24", 2.5, True])
def test_the_clinic_file_refuses_a_bad_lead_time(bad):
    _, problems = validate_clinic_file(demo_clinic_data(default_reminder_hours=bad))
    assert problems == ["$.default_reminder_hours: must be a whole number of hours, 0 (no reminders) to 168"]


async def test_the_clinic_file_sets_it_and_the_profile_shows_it(make_clinic, client):
    plain = await make_clinic()
    twelve = await make_clinic(default_reminder_hours=12)
    off = await make_clinic(default_reminder_hours=0)
    for clinic, hours in ((plain, 24), (twelve, 12), (off, 0)):
        r = await client.get("/api/v1/clinic", headers=clinic.headers)
        assert r.status_code == 200 and r.json()["default_reminder_hours"] == hours


def test_clinic_create_takes_the_lead_time():
    from voice_agent.cli import _parser
    args = _parser().parse_args(["clinic", "create", "--name", "X", "--timezone", "UTC", "--reminder-hours", "6"])
    assert args.reminder_hours == 6
    assert _parser().parse_args(["clinic", "create", "--name", "X", "--timezone", "UTC"]).reminder_hours == 24


def test_sender_settings():
    s = load_settings({"REMINDER_QUIET_HOURS": "21:30-07:15", "REMINDER_INTERVAL_SECONDS": "60"}, env_file=None)
    assert (s.reminder_quiet_hours, s.reminder_interval_seconds) == (("21:30", "07:15"), 60)
    for raw in ("20-8", "20:00-20:00", "25:00-08:00"):
        with pytest.raises(SettingsError) as err:
            load_settings({"REMINDER_QUIET_HOURS": raw}, env_file=None)
        assert "REMINDER_QUIET_HOURS" in str(err.value)
