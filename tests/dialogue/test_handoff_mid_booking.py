"""A request for a person in the middle of a booking, on the chat API: the conversation goes on.

The front desk follows up; meanwhile the patient may finish the booking here, and a phone number
given where one was asked for is an answer, not a request to be called.
"""
from __future__ import annotations

from datetime import datetime

import pytest

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")
TO_PHONE = ("I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985")


async def test_call_me_at_a_number_answers_the_phone_question(chat):
    d = await chat(NOW)
    for line in TO_PHONE:
        body = await d.say(line)
    assert "phone" in body["message"]
    body = await d.say("call me at 312-555-0100")
    assert body["state"] == "collect_reason" and body["intent"] != "handoff", body
    assert body["collected_data"]["phone"] == "+13125550100"
    await d.say("checkup")
    body = await d.say("yes")
    assert body["state"] == "booked" and body["booking_id"]
    assert len(await d.appointments()) == 1


@pytest.mark.parametrize("next_line", ["yes", "hello"])
async def test_after_a_handoff_mid_booking_the_patient_is_answered_and_can_finish(chat, next_line):
    d = await chat(NOW)
    for line in TO_PHONE:
        await d.say(line)
    body = await d.say("can I talk to a real person")
    assert body["state"] == "handed_off" and "front desk" in body["message"]
    body = await d.say(next_line)           # was a 500: InvalidTransition handed_off -> searching
    assert "front desk" in body["message"] and "will be in touch" in body["message"], body
    assert "phone number" in body["message"], body          # the open question, asked again
    assert body["state"] == "collect_patient_info"
    body = await d.say("hello")
    assert "phone number" in body["message"], body
    assert await d.appointments() == []
    body = await d.say("3125550100")
    assert body["state"] == "collect_reason"
    await d.say("checkup")
    body = await d.say("yes")
    assert body["state"] == "booked" and len(await d.appointments()) == 1


async def test_a_handoff_at_the_read_back_is_not_confirmed_by_a_later_yes(chat):
    d = await chat(NOW)
    for line in (*TO_PHONE, "3125550100", "checkup"):
        body = await d.say(line)
    assert "Shall I book" in body["message"]
    await d.say("I want to speak to a person")
    body = await d.say("yes")
    assert await d.appointments() == [], "a yes after the handoff is not a yes to the read-back"
    assert "will be in touch" in body["message"] and "Shall I book" in body["message"], body
    body = await d.say("yes")
    assert body["state"] == "booked" and len(await d.appointments()) == 1


async def test_after_a_handoff_a_new_request_starts_and_another_ask_is_acknowledged(chat):
    d = await chat(NOW)
    body = await d.say("can I speak to someone at the front desk")
    assert body["state"] == "handed_off"
    body = await d.say("hello")
    assert "will be in touch" in body["message"] and body["state"] == "idle"
    body = await d.say("can I talk to a person")
    assert body["state"] == "handed_off" and "front desk" in body["message"]
    body = await d.say("I'd like to book with Dr. Raman next Tuesday morning")
    assert body["state"] == "showing_slots"
