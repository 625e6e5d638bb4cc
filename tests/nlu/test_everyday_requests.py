"""Everyday wordings of requests the rules missed (found by the blind goal suite, bench/goals)."""
from __future__ import annotations

import pytest

from dialogue.nlu import Intent


@pytest.mark.parametrize("text, intent", [
    ("I have to cancel, something came up", Intent.CANCELLATION),
    ("What day am I seeing Dr. Raman?", Intent.CHECK_APPOINTMENT),
    ("I forgot when my appointment is", Intent.CHECK_APPOINTMENT),
    ("Who can see me soonest? Anyone is fine", Intent.SCHEDULING),
    ("How do I get to your office?", Intent.INFORMATION),
    ("Do you have a dermatologist? I'd like an appointment", Intent.SCHEDULING),
    ("see you later", Intent.GOODBYE),
])
def test_everyday_wordings(understand, text, intent):
    assert understand(text).intent == intent


def test_single_letter_answers_at_a_read_back(understand):
    assert understand("y", expecting="confirm").yes_no is True
    assert understand("n", expecting="confirm").yes_no is False


def test_am_alone_answers_the_part_of_day(understand):
    assert understand("am", expecting="time").part_of_day == "morning"
    assert understand("pm", expecting="time").part_of_day == "afternoon"


def test_later_with_a_time_is_not_a_goodbye(understand):
    r = understand("later please, after 2", expecting="slot_choice", shown_options=3)
    assert r.intent != Intent.GOODBYE and r.earliest_time is not None


@pytest.mark.parametrize("text, days", [("not on a Monday", [0]), ("any day but Monday", [0]),
                                        ("except Fridays", [4]), ("no, Monday", []), ("Monday works", [])])
def test_days_ruled_out(understand, text, days):
    assert understand(text, expecting="date").not_weekdays == days
