"""A request for a person in the middle of a booking, on SMS and the web chat: the next message
gets a real answer (it was "Sorry, something went wrong" on SMS and a 500 on the web chat)."""
from __future__ import annotations

from datetime import datetime

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")


async def test_sms_after_a_handoff_the_patient_can_still_book(sms):
    d = await sms(NOW)
    for text in ("I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia"):
        await d.text(text)
    reply = await d.text("can I talk to someone at the front desk")
    assert "front desk" in reply
    reply = await d.text("yes")
    assert "went wrong" not in reply and "will be in touch" in reply and "date of birth" in reply, reply
    await d.text("03/04/1985")
    await d.text("checkup")
    reply = await d.text("yes")
    assert "all set" in reply.lower(), reply
    assert [r["status"] for r in await d.appointments()] == ["SCHEDULED"]


async def test_web_chat_after_a_handoff_hello_is_answered(webchat):
    d = await webchat(NOW)
    await d.post("/start")
    for text in ("I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985"):
        await d.say(text)
    body = await d.say("call me at 312-555-0100")
    assert body["state"] == "collect_reason", body          # the number answers the question
    body = await d.say("I'd rather talk to a real person")
    assert body["state"] == "handed_off"
    body = await d.say("hello")                              # was a 500
    assert "will be in touch" in body["message"] and "reason" in body["message"].lower(), body
