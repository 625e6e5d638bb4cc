"""On a call the patient is identified by keypad: once the slot is chosen the date of birth and the
phone number are keyed, the record they find is confirmed by its first name ("Is this appointment
for Maria?"), and no spoken name is needed. When nothing matches, or the caller says it is someone
else, the name is asked and the booking carries a note for the front desk to check it."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from ehr.builtin.calendar import BuiltinCalendar
from voice_agent.services import Services

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")
TO_SLOT = ("I'd like to book with Doctor Raman", "next Tuesday", "in the morning", "1")


class Call:
    """The engine as a call drives it: channel "voice", one session per CallSid."""

    def __init__(self, engine, clinic_id: str) -> None:
        self.engine, self.clinic_id, self.sid = engine, clinic_id, "CA" + uuid.uuid4().hex
        self.expecting: str | None = None
        self.provider: str | None = None

    async def say(self, text: str) -> str:
        reply = await self.engine.process(self.clinic_id, "voice", text, channel_user_id=self.sid)
        self.expecting, self.provider = reply.expecting, reply.collected_data.get("provider_name")
        return reply.message


@pytest.fixture
def call(make_clinic, settings, pool, redis):
    async def make() -> Call:
        clinic = await make_clinic()
        services = Services.build(settings, pool, redis, ehr=BuiltinCalendar(pool, now=lambda: NOW))
        services.engine.now = lambda: NOW
        return Call(services.engine, clinic.id)
    return make


async def _booked(pool, clinic_id: str) -> list[dict]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            """SELECT pt.first_name, pt.last_name, a.reason FROM appointments a JOIN patients pt ON pt.id = a.patient_id
               WHERE a.clinic_id = %s AND a.booked_via = 'voice'""", (clinic_id,))
        return await cur.fetchall()


async def _to_slot(c: Call) -> str:
    for line in TO_SLOT:
        reply = await c.say(line)
    return reply


async def test_a_known_patient_books_with_two_keyed_entries_and_a_yes(call, pool):
    c = await call()
    reply = await _to_slot(c)
    assert c.expecting == "date_of_birth" and "keypad" in reply, reply     # no name question first
    reply = await c.say("03041985")
    assert c.expecting == "phone", reply
    reply = await c.say("3125550123")
    assert reply == "Thank you. Is this appointment for Maria?" and c.expecting == "confirm_identity"
    reply = await c.say("yes")
    assert c.expecting == "reason", reply
    await c.say("a checkup")
    reply = await c.say("yes")
    assert "all set" in reply.lower(), reply
    booked = await _booked(pool, c.clinic_id)
    assert [(b["first_name"], b["last_name"], b["reason"]) for b in booked] == [("Maria", "Garcia", "checkup")]


async def test_someone_else_on_the_same_phone_gives_a_name_and_the_desk_checks_it(call, pool):
    c = await call()
    await _to_slot(c)
    await c.say("03041985")
    assert await c.say("3125550123") == "Thank you. Is this appointment for Maria?"
    reply = await c.say("no")
    assert c.expecting == "patient_name" and reply.startswith("No problem."), reply
    await c.say("Lucia Garcia")
    assert c.expecting == "reason"
    await c.say("a checkup")
    assert "all set" in (await c.say("yes")).lower()
    booked = await _booked(pool, c.clinic_id)
    assert [(b["first_name"], b["last_name"]) for b in booked] == [("Lucia", "Garcia")]
    assert "front desk to check" in booked[0]["reason"]


async def test_no_record_on_file_asks_the_name(call, pool):
    c = await call()
    await _to_slot(c)
    await c.say("01021990")
    reply = await c.say("3125550777")
    assert c.expecting == "patient_name" and "don't see a record" in reply, reply
    assert "Garcia" not in reply and "Maria" not in reply


async def test_an_unclear_answer_to_the_name_on_file_asks_again(call):
    c = await call()
    await _to_slot(c)
    await c.say("03041985")
    await c.say("3125550123")
    reply = await c.say("hmm what")
    assert c.expecting == "confirm_identity" and "Is this appointment for Maria?" in reply, reply


async def test_text_channels_still_ask_the_name_first(chat):
    d = await chat(NOW)
    for line in TO_SLOT:
        body = await d.say(line)
    assert body["state"] == "collect_patient_info" and "name" in body["message"].lower(), body
