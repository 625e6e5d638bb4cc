"""The chat API from the outside: fields, validation, sessions across clinics and Redis outages."""
from __future__ import annotations

import json
import logging
from datetime import datetime

import httpx
import pytest

from dialogue.session import SessionData
from dialogue.states import BookingState, InvalidTransition
from storage.keys import session_key
from storage.redis_client import open_redis
from voice_agent.app import create_app
from voice_agent.services import Services

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")


async def test_fields_have_the_seeds_meaning(chat):
    d = await chat(NOW)
    body = await d.say("I'd like to book with Dr. Raman next Tuesday morning")
    assert set(body) == {"message", "session_id", "state", "intent", "confidence", "booking_id", "collected_data",
                         "available_slots", "processing_time_ms"}
    assert body["state"] == "showing_slots" and body["intent"] == "scheduling"
    assert 0 < body["confidence"] <= 1 and body["booking_id"] is None
    assert body["collected_data"]["provider_name"] == "Dr. Priya Raman"
    assert body["collected_data"]["date"] == "2027-03-09"
    first = body["available_slots"][0]
    assert first["start"] == "2027-03-09T08:00:00-06:00" and first["provider_name"] == "Dr. Priya Raman"
    assert body["processing_time_ms"] > 0
    for line in ("1", "Maria Garcia", "03/04/1985", "3125550123", "checkup"):
        body = await d.say(line)
    assert body["available_slots"] is None
    body = await d.say("yes")
    assert body["state"] == "booked" and body["booking_id"]
    rows = await d.appointments()
    assert [r["id"] for r in rows] == [body["booking_id"]]


@pytest.mark.parametrize("payload,code", [
    ({}, 400), ({"message": ""}, 400), ({"message": "   "}, 400), ({"message": "x" * 2001}, 400),
    ({"message": 5}, 400), ({"message": "hi", "session_id": 7}, 400), ([1, 2], 400),
])
async def test_bad_bodies_get_400_json(client, make_clinic, payload, code):
    clinic = await make_clinic()
    r = await client.post("/api/v1/chat", json=payload, headers=clinic.headers)
    assert r.status_code == code and r.json()["error"]["code"] == "validation_error"


async def test_not_json_is_400_and_wrong_type_is_415(client, make_clinic):
    clinic = await make_clinic()
    r = await client.post("/api/v1/chat", content=b"{nope", headers={**clinic.headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = await client.post("/api/v1/chat", content=b"message=hi", headers={**clinic.headers,
                                                                         "Content-Type": "text/plain"})
    assert r.status_code == 415


async def test_another_clinics_session_id_starts_fresh_and_reveals_nothing(chat):
    a = await chat(NOW)
    await a.say("I'd like to book with Dr. Raman next Tuesday morning")
    await a.say("1")
    await a.say("Maria Garcia")
    b = await chat(NOW)
    b.session_id = a.session_id
    body = await b.say("what did I say my name was?")
    assert body["session_id"] != a.session_id
    assert "Maria" not in json.dumps(body) and "Garcia" not in json.dumps(body)
    # The first clinic's conversation is untouched.
    again = await a.say("03/04/1985")
    assert again["collected_data"]["last_name"] == "Garcia" and again["state"] == "collect_patient_info"


async def test_redis_outage_mid_conversation_continues_from_postgres(chat, settings, pool):
    d = await chat(NOW)
    await d.say("I'd like to book with Dr. Raman next Tuesday morning")
    await d.say("the first one")
    # Redis goes away: the same clinic, engine and calendar, but a Redis nobody answers.
    dead = open_redis("redis://127.0.0.1:1/0")
    live_engine = d.services.engine
    services = Services.build(settings, pool, dead, ehr=live_engine.calendar)
    engine = services.engine
    engine.now = live_engine.now
    d.app = create_app(settings, services)
    body = await d.say("Maria Garcia")
    assert body["state"] == "collect_patient_info" and body["collected_data"]["first_name"] == "Maria"
    assert "date of birth" in body["message"]
    await dead.aclose()


async def test_collected_data_is_encrypted_at_rest(chat, pool, redis):
    d = await chat(NOW)
    for line in ("I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985"):
        await d.say(line)
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT state::text AS s FROM sessions WHERE id = %s", (d.session_id,))
        stored = (await cur.fetchone())["s"]
    cached = await redis.get(session_key(d.session_id))
    for blob in (stored, cached):
        assert "Garcia" not in blob and "1985-03-04" not in blob and "03/04/1985" not in blob


def test_invalid_transition_raises():
    s = SessionData.new("c", "web", None, 60)
    with pytest.raises(InvalidTransition):
        s.move_to(BookingState.BOOKED)
    s.move_to(BookingState.COLLECT_PROVIDER)
    with pytest.raises(InvalidTransition):
        s.move_to(BookingState.CONFIRM_BOOKING)


async def test_two_messages_at_once_in_one_conversation_both_count(chat):
    import asyncio
    d = await chat(NOW)
    await d.say("I'd like to book with Dr. Raman next Tuesday morning")
    engine = d.services.engine
    save = engine.sessions.save

    async def slow_save(session):      # widen the window in which a second turn could read stale state
        await asyncio.sleep(0.05)
        await save(session)

    engine.sessions.save = slow_save
    first, second = await asyncio.gather(
        engine.process(d.clinic.id, "web", "the first one", session_id=d.session_id),
        engine.process(d.clinic.id, "web", "Maria Garcia", session_id=d.session_id))
    # One after the other: the pick, then the name answering the question the pick asked.
    assert first.state.value == "collect_patient_info" and "name" in first.message
    assert second.state.value == "collect_patient_info" and "date of birth" in second.message
    history = await engine.history(d.clinic.id, d.session_id)
    assert len([t for t in history.turns if t[0] == "patient"]) == 3
    assert history.collected_data["last_name"] == "Garcia"
