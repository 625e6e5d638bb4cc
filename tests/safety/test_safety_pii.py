import time

import pytest

from safety.pii import NEVER_NEEDED, get_detector

det = get_detector()


def types(text):
    return [f.entity_type for f in det.detect(text)]


@pytest.mark.parametrize("text", ["my ssn is 123-45-6789", "SSN: 078-05-1120", "social security 460 89 9847", "my ssn is 460899847"])
def test_ssn_including_dummy_shapes(text):
    r = det.redact(text)
    assert "US_SSN" in r.entity_types
    assert "<US_SSN>" in r.text
    assert not any(ch.isdigit() for ch in r.text.split("<US_SSN>")[0][-3:])


def test_ssn_dummy_fully_redacted():
    r = det.redact("It's 123-45-6789.")
    assert r.text == "It's <US_SSN>."
    assert r.never_needed_found


@pytest.mark.parametrize("text,expected", [
    ("call me at 555-123-4567", "PHONE_NUMBER"),
    ("my cell is (415) 555 0134", "PHONE_NUMBER"),
    ("five five five one two three four five six seven", "PHONE_NUMBER"),
    ("it's five five five, one two three, four five six seven", "PHONE_NUMBER"),
    ("my email is ana.ruiz@example.com", "EMAIL_ADDRESS"),
    ("card number 4111 1111 1111 1111", "CREDIT_CARD"),
    ("MRN 12345678", "MEDICAL_RECORD_NUMBER"),
    ("my medical record number is A1234567", "MEDICAL_RECORD_NUMBER"),
    ("my driver's license is D1234567", "US_DRIVER_LICENSE"),
    ("my date of birth is March 4th, 1985", "DATE_OF_BIRTH"),
    ("DOB 03/04/1985", "DATE_OF_BIRTH"),
    ("I was born on 4 March 1985", "DATE_OF_BIRTH"),
    ("it's 7/14/1962", "DATE_OF_BIRTH"),
    ("my name is Maria Lopez", "PERSON"),
    ("Hi, this is John Smith", "PERSON"),
    ("I'm Ana Ruiz", "PERSON"),
])
def test_entities_detected(text, expected):
    assert expected in types(text)


def test_spoken_phone_redacted():
    r = det.redact("call me back at five five five one two three four five six seven please")
    assert r.text == "call me back at <PHONE_NUMBER> please"


@pytest.mark.parametrize("text", [
    "I want to see Dr. Patel on Tuesday",
    "can I come in at 3:30 on 12/05/2030",
    "I have two kids aged 5 and 7",
    "I'm calling about my appointment",
    "this is about my refill",
    "suite 1200, room 204",
    "I need 1 appointment next week",
])
def test_no_false_positives(text):
    assert det.detect(text) == []


def test_doctor_names_are_not_patient_pii():
    assert "PERSON" not in types("I'd like to see Dr. Alvarez please")


def test_never_needed_category():
    assert NEVER_NEEDED == {"US_SSN", "CREDIT_CARD", "US_DRIVER_LICENSE"}
    fs = det.detect("ssn 123-45-6789 and phone 555-123-4567")
    assert {f.entity_type for f in fs if f.never_needed} == {"US_SSN"}
    assert {f.entity_type for f in fs if not f.never_needed} == {"PHONE_NUMBER"}


def test_redaction_placeholders():
    r = det.redact("I'm Ana Ruiz, DOB 3/4/1985, call 555-123-4567 or ana@example.com")
    assert r.text == "I'm <PERSON>, DOB <DATE_OF_BIRTH>, call <PHONE_NUMBER> or <EMAIL_ADDRESS>"


def test_singleton_and_speed():
    assert get_detector() is det
    text = "Hi, my name is Ana Ruiz, my number is 555-123-4567 and I was born 3/4/1985"
    det.redact(text)
    n = 50
    t0 = time.process_time()     # CPU time: a loaded machine (parallel suites) must not fail this
    for _ in range(n):
        det.redact(text)
    per_call_ms = (time.process_time() - t0) / n * 1000
    assert per_call_ms < 20  # target ~2–4 ms; generous bound for slow CI
