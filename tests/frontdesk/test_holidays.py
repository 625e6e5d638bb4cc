"""Holidays in the clinic file: validated dates, and the front desk counts them as closed all day
(the next opening skips them), along with lunch breaks, in the clinic's zone."""
from __future__ import annotations

from datetime import datetime

from dialogue.opening_hours import callback_promise, is_open, next_opening
from tests.conftest import demo_clinic_data
from voice_agent.clinic_file import validate_clinic_file

HOURS = {"mon": [["08:00", "12:00"], ["13:00", "17:00"]], "tue": [["08:00", "17:00"]]}
TZ = "America/Chicago"


def test_clinic_file_holidays_are_checked():
    data = demo_clinic_data()
    data["settings"]["holidays"] = ["2027-12-25", "2027-12-24", "2027-12-25"]
    clinic, problems = validate_clinic_file(data)
    assert not problems and clinic["settings"]["holidays"] == ["2027-12-24", "2027-12-25"]
    data["settings"]["holidays"] = ["Christmas", "2027-02-30"]
    _, problems = validate_clinic_file(data)
    assert "$.settings.holidays[0]" in str(problems) and "$.settings.holidays[1]" in str(problems)


def test_holidays_close_the_whole_day():
    monday_morning = datetime.fromisoformat("2027-03-08T09:00:00-06:00")
    assert is_open(HOURS, TZ, monday_morning)
    assert not is_open(HOURS, TZ, monday_morning, ["2027-03-08"])
    sunday = datetime.fromisoformat("2027-03-07T12:00:00-06:00")
    assert next_opening(HOURS, TZ, sunday, ["2027-03-08"]).isoformat() == "2027-03-09T08:00:00-06:00"
    assert "tomorrow at 8 AM" in callback_promise(HOURS, TZ, sunday)
    assert "on Tuesday at 8 AM" in callback_promise(HOURS, TZ, sunday, ["2027-03-08"])
    far = callback_promise(HOURS, TZ, sunday, ["2027-03-08", "2027-03-09", "2027-03-15", "2027-03-16"])
    assert "on Monday, March 22, at 8 AM" in far, far
