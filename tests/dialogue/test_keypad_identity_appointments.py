"""On a call, cancelling, moving or checking an appointment identifies the caller the way booking
does: the date of birth and the phone number keyed, the name on file confirmed by yes or no ("Am I
speaking with Maria…?"), never a spoken name first. No record found, or "no" to the name: the name is
asked, and the appointments are found by name and date of birth as on text channels."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from ehr.builtin.calendar import BuiltinCalendar
from voice_agent.services import Services

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")     # Friday
MARIA = {"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1985-03-04"}
APPOINTMENT = {"provider_last_name": "Raman", "patient": MARIA, "start": "2027-03-10T15:00:00-06:00"}
CONFIRM = "Thank you. Am I speaking with Maria, or about Maria's appointments?"


class Call:
    def __init__(self, engine, clinic_id: str) -> None:
        self.engine, self.clinic_id, self.sid = engine, clinic_id, "CA" + uuid.uuid4().hex
        self.expecting: str | None = None
        self.state: str | None = None

    async def say(self, text: str) -> str:
        reply = await self.engine.process(self.clinic_id, "voice", text, channel_user_id=self.sid)
        self.expecting, self.state = reply.expecting, reply.state.value
        return reply.message


@pytest.fixture
def call(make_clinic, settings, pool, redis):
    async def make() -> tuple[Call, str]:
        clinic = await make_clinic(appointments=[APPOINTMENT])
        services = Services.build(settings, pool, redis, ehr=BuiltinCalendar(pool, now=lambda: NOW))
        services.engine.now = lambda: NOW
        return Call(services.engine, clinic.id), clinic.id
    return make


async def _statuses(pool, clinic_id: str) -> list[str]:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT status::text AS status FROM appointments WHERE clinic_id = %s", (clinic_id,))
        return [r["status"] for r in await cur.fetchall()]


async def _keyed(c: Call, opening: str) -> str:
    reply = await c.say(opening)
    assert c.expecting == "date_of_birth" and "keypad" in reply, reply       # no name question first
    reply = await c.say("03041985")
    assert c.expecting == "phone", reply
    reply = await c.say("3125550123")
    assert reply == CONFIRM and c.expecting == "confirm_identity", reply
    return await c.say("yes")


async def test_cancel_by_keypad(call, pool):
    c, clinic_id = await call()
    reply = await _keyed(c, "I need to cancel my appointment")
    assert "cancel your appointment with Dr. Priya Raman on Wednesday, March 10th at 3 PM" in reply, reply
    await c.say("yes")
    assert c.state == "cancelled"
    assert await _statuses(pool, clinic_id) == ["CANCELLED"]


async def test_check_by_keypad(call):
    c, _ = await call()
    reply = await _keyed(c, "when is my appointment")
    assert "Wednesday, March 10th at 3 PM" in reply, reply


async def test_reschedule_by_keypad_goes_on_to_the_new_day(call):
    c, _ = await call()
    reply = await _keyed(c, "I need to reschedule my appointment")
    assert c.expecting == "date" and "let's move your appointment" in reply, reply


async def test_not_maria_asks_the_name_then_finds_by_name(call):
    c, _ = await call()
    await c.say("I need to cancel my appointment")
    await c.say("03041985")
    await c.say("3125550123")
    reply = await c.say("no")
    assert c.expecting == "patient_name" and reply.startswith("No problem."), reply
    reply = await c.say("Lucia Garcia")                 # nobody of that name: asked again, nothing changes
    assert c.expecting in ("patient_name", "date_of_birth"), reply


async def test_no_record_for_the_keyed_numbers_asks_the_name(call):
    c, _ = await call()
    await c.say("I need to cancel my appointment")
    await c.say("01021990")
    reply = await c.say("3125550777")
    assert c.expecting == "patient_name" and "don't see a record" in reply, reply
    assert "Maria" not in reply


async def test_a_move_said_in_the_first_words_of_a_call_goes_to_its_openings(call):
    c, _ = await call()
    reply = await _keyed(c, "Can I move my Dr. Raman appointment to Thursday morning?")
    assert c.state == "showing_slots" and "Thursday, March 11th" in reply, reply
    assert "What day" not in reply, reply
