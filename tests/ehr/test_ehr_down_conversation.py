"""A conversation on a clinic whose EHR is down ends with a clear offer, never an error and never a
booking it cannot confirm (through the chat API, the clinic on the DrChrono stand-in)."""
from __future__ import annotations

import pytest

UNREACHABLE = "can't reach our appointment schedule"


async def say(client, clinic, text: str, session: str | None = None) -> dict:
    body = {"message": text, **({"session_id": session} if session else {})}
    r = await client.post("/api/v1/chat", json=body, headers=clinic.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_the_ehr_down_from_the_first_word_gets_an_offer_and_a_yes_reaches_a_person(
        client, drchrono_clinic, standin):
    standin.mode = "down"
    first = await say(client, drchrono_clinic, "I'd like to book an appointment with Dr. Rivera next Wednesday")
    assert UNREACHABLE in first["message"] and "take a message" in first["message"]
    assert first["booking_id"] is None and not first["available_slots"]
    then = await say(client, drchrono_clinic, "yes please", first["session_id"])
    assert "front desk" in then["message"] and then["state"] == "handed_off"


async def test_an_outage_at_the_confirmation_books_nothing_and_the_booking_can_resume(
        client, drchrono_clinic, standin):
    body = await say(client, drchrono_clinic, "I'd like to book with Dr. Rivera next Wednesday morning")
    sid = body["session_id"]
    assert body["available_slots"], body["message"]
    for line in ("1", "Maria Garcia", "03/14/1985", "5555550101", "checkup"):
        body = await say(client, drchrono_clinic, line, sid)
    assert body["state"] == "confirm_booking", body["message"]
    booked_before = len(standin.practices["contract"].appointments)
    standin.mode = "down"
    body = await say(client, drchrono_clinic, "yes", sid)
    assert UNREACHABLE in body["message"] and body["booking_id"] is None
    assert "booked" not in body["message"].lower() and "confirmed" not in body["message"].lower()
    standin.mode = "up"
    assert len(standin.practices["contract"].appointments) == booked_before
    body = await say(client, drchrono_clinic, "no", sid)           # not a person: carry on here
    assert body["state"] == "confirm_booking"
    body = await say(client, drchrono_clinic, "yes", sid)
    assert body["state"] == "booked" and body["booking_id"]
    assert len(standin.practices["contract"].appointments) == booked_before + 1


@pytest.mark.parametrize("kind", ["timeout"])
async def test_a_stalled_ehr_answers_within_the_deadline(client, drchrono_clinic, standin, services, kind):
    import time
    standin.mode = kind
    started = time.monotonic()
    body = await say(client, drchrono_clinic, "Do you have anything with Dr. Okafor on Thursday?")
    assert UNREACHABLE in body["message"]
    assert time.monotonic() - started < services.settings.ehr_call_timeout     # one wait a turn, not one per lookup


async def test_questions_that_need_no_calendar_are_answered_while_it_is_down(client, drchrono_clinic, standin):
    standin.mode = "down"
    body = await say(client, drchrono_clinic, "What are your hours?")
    assert UNREACHABLE not in body["message"] and "9" in body["message"], body["message"]


def test_the_offer_fits_each_channel():
    from dialogue import responses
    from storage.clinics import Clinic
    clinic = Clinic("c", "Lakeside", "lakeside", "America/Chicago", "ACTIVE", "+13125550100", None, None, {},
                    {"front_desk_phone": "+13125550101"})
    call = responses.schedule_unreachable(clinic, "voice")
    assert UNREACHABLE in call and "connect you" in call and "take a message" in call
    text = responses.schedule_unreachable(clinic, "sms")
    assert UNREACHABLE in text and "take a message" in text and "+13125550101" in text
