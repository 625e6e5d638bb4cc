"""Every handoff from any channel becomes one record staff can see: a short summary without a date
of birth or full phone number, the redacted transcript, the patient and the callback number; after
hours the patient is promised a call back at the next opening (lunch and holidays included)."""
from __future__ import annotations

import re
from datetime import datetime

from storage.handoffs import HandoffStore

OPEN = datetime.fromisoformat("2027-03-05T09:00:00-06:00")          # Friday morning, open
LUNCH = datetime.fromisoformat("2027-03-05T12:30:00-06:00")         # Friday lunch break
EVENING = datetime.fromisoformat("2027-03-05T19:00:00-06:00")       # Friday evening: opens Sat 9 AM


async def test_sms_handoff_is_recorded_once_with_summary_and_number(sms, pool):
    d = await sms(OPEN)
    for text in ("I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985"):
        await d.text(text)
    reply = await d.text("I want to talk to a real person")
    assert "front desk" in reply
    await d.text("I want to talk to a real person please")       # asking again: still one record
    handoffs = await HandoffStore(pool).list(d.clinic.id)
    assert len(handoffs) == 1, handoffs
    h = handoffs[0]
    assert h.channel == "sms" and h.status == "open" and h.callback_number == d.patient
    assert h.patient_name == "Maria Garcia"
    assert "book an appointment" in h.summary and "Dr" in h.summary and "asked for a person" in h.summary
    assert "1985" not in h.summary and "03/04" not in h.summary and not re.search(r"\d{7,}", h.summary)
    assert all("1985" not in t["text"] for t in h.transcript), h.transcript
    assert any(t["role"] == "patient" and "real person" in t["text"] for t in h.transcript)


async def test_web_chat_handoff_id_is_on_the_reply(webchat, pool):
    d = await webchat(OPEN)
    await d.post("/start")
    body = await d.say("can I speak to someone at the front desk")
    assert body["state"] == "handed_off"
    (h,) = await HandoffStore(pool).list(d.clinic.id)
    assert h.channel == "webchat" and h.callback_number is None and "asked for the front desk" in h.summary
    reply = await d.services.engine.process(d.clinic.id, "web", "I want to talk to a real person")
    assert reply.handoff and reply.handoff_id and reply.handoff_id != h.id     # another conversation
    assert (await HandoffStore(pool).get(d.clinic.id, reply.handoff_id)).conversation_id == reply.session_id


async def test_crisis_handoff_is_recorded_with_its_reason(webchat, pool):
    d = await webchat(OPEN)
    await d.post("/start")
    await d.say("I want to kill myself tonight")
    handoffs = await HandoffStore(pool).list(d.clinic.id)
    assert len(handoffs) == 1 and handoffs[0].reason.startswith("crisis"), handoffs


async def test_after_hours_request_becomes_a_message_with_a_promise(sms, pool):
    d = await sms(EVENING)
    reply = await d.text("Can I talk to a person please")
    assert "closed" in reply and "tomorrow at 9 AM" in reply, reply
    (h,) = await HandoffStore(pool).list(d.clinic.id)
    assert h.status == "open" and "after hours" in h.summary
    await d.text("It's about the bill from my last visit")          # the message goes on: the record keeps up
    (h,) = await HandoffStore(pool).list(d.clinic.id)
    assert any("bill from my last visit" in t["text"] for t in h.transcript), h.transcript


async def test_lunch_break_and_holidays_are_closed(webchat, pool):
    d = await webchat(LUNCH)
    await d.post("/start")
    body = await d.say("I want to talk to a real person")
    assert "today at 1 PM" in body["message"], body
    holiday = await webchat(EVENING, clinic_overrides={"settings": {"holidays": ["2027-03-06", "2027-03-08"]}})
    await holiday.post("/start")
    body = await holiday.say("I want to talk to a real person")
    assert "on Tuesday at 8 AM" in body["message"], body
