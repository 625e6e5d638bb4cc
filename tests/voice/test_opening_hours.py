"""When the front desk calls back: the next opening after now, in the clinic's time zone."""
from __future__ import annotations

from datetime import datetime

import pytest

from channels.voice.opening_hours import callback_promise, is_open

HOURS = {"mon": [["08:00", "12:00"], ["13:00", "17:00"]], "tue": [["08:00", "17:00"]], "fri": [["08:00", "17:00"]],
         "sat": [["09:00", "12:00"]]}
TZ = "America/Chicago"


@pytest.mark.parametrize("now, promise", [
    ("2027-03-08T12:30:00-06:00", "after we open today at 1 PM"),          # Monday lunch
    ("2027-03-05T20:00:00-06:00", "after we open tomorrow at 9 AM"),        # Friday evening
    ("2027-03-06T13:00:00-06:00", "after we open on Monday at 8 AM"),       # Saturday afternoon
    ("2027-03-09T18:00:00-06:00", "after we open on Friday at 8 AM"),       # Tuesday evening, closed Wed-Thu
])
def test_the_next_opening_is_promised(now, promise):
    assert promise in callback_promise(HOURS, TZ, datetime.fromisoformat(now))


def test_open_and_never_open():
    assert is_open(HOURS, TZ, datetime.fromisoformat("2027-03-08T09:00:00-06:00"))
    assert not is_open(HOURS, TZ, datetime.fromisoformat("2027-03-08T12:30:00-06:00"))
    assert callback_promise({}, TZ, datetime.fromisoformat("2027-03-08T12:30:00-06:00")) == \
        "Our front desk will call you back as soon as they can."
