"""The words and names of a warm transfer, without a call: the whisper never reads a date of birth or a
phone number, the conference name cannot be guessed, and the clinic's ring time is checked."""
from __future__ import annotations

import pytest

from channels.voice import transfer_twiml as tw
from tests.conftest import demo_clinic_data
from voice_agent.clinic_file import validate_clinic_file


@pytest.mark.parametrize("leak", ["03/04/1985", "1985-03-04", "3125550123", "(312) 555-0123", "+1 312 555 0123",
                                  "03041985"])
def test_the_whisper_reads_no_date_of_birth_and_no_phone_number(leak):
    text = tw.whisper_text(f"The caller is Maria Garcia, {leak}. They wanted to book an appointment.",
                           patient_name="Maria Garcia", reason="caller_request")
    digits = "".join(c for c in leak if c.isdigit())
    assert "Maria Garcia" in text and "book an appointment" in text
    assert not any(digits[i:i + 4] in text for i in range(len(digits) - 3)), text
    assert text.endswith("Handed over because they asked for a person."), text


def test_the_whisper_keeps_short_numbers_and_says_why_in_words():
    text = tw.whisper_text("They wanted the 9 AM slot.", patient_name=None, reason="crisis")
    assert "9 AM" in text and "a safety concern" in text


def test_the_conference_name_is_derived_from_the_handoff_and_the_secret():
    name = tw.conference_name("secret-one", "handoff-1")
    assert name == tw.conference_name("secret-one", "handoff-1") and name.startswith("desk-") and len(name) == 37
    assert name != tw.conference_name("secret-two", "handoff-1") != tw.conference_name("secret-one", "handoff-2")
    assert "handoff" not in name


@pytest.mark.parametrize("value, ok", [(25, True), (5, True), (120, True), (4, False), (121, False), ("25", False),
                                       (True, False), (12.5, False)])
def test_the_clinic_file_checks_the_ring_time(value, ok):
    data = demo_clinic_data()
    data["settings"]["transfer_ring_seconds"] = value
    _, problems = validate_clinic_file(data)
    assert (not problems) == ok, problems
