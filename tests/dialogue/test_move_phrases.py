"""Days said relative to the appointment being moved, read without the calendar."""
from __future__ import annotations

from datetime import datetime

import pytest

from dialogue.move_phrases import apply_move, relative_move

START, END = datetime(2027, 3, 10, 15, 0), datetime(2027, 3, 10, 15, 20)     # Wednesday 3 PM


@pytest.mark.parametrize("text, date, extra", [
    ("Can I move my appointment to later that same day?", "2027-03-10", {"earliest_time": "15:20"}),
    ("the same day", "2027-03-10", {}),
    ("earlier that day please", "2027-03-10", {"latest_time": "14:59"}),
    ("Could I push my appointment back a week?", "2027-03-17", {"time": "15:00"}),
    ("a week later, same weekday", "2027-03-17", {"time": "15:00"}),
    ("same day the following week", "2027-03-17", {"time": "15:00"}),
    ("push it back two weeks", "2027-03-24", {"time": "15:00"}),
    ("can we move it up a week", "2027-03-03", {"time": "15:00"}),
    ("the day after", "2027-03-11", {}),
])
def test_relative_days(text, date, extra):
    move = relative_move(text)
    assert move is not None, text
    collected: dict = {}
    apply_move(collected, move, START, END)
    assert collected.pop("date") == date and collected == extra, (text, collected)


@pytest.mark.parametrize("text", ["what's the next day you have?", "I can't do that day", "Thursday",
                                  "any day that week is fine", "later please"])
def test_no_day_relative_to_the_appointment(text):
    assert relative_move(text) is None, text
