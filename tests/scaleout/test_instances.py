"""Three instances on one PostgreSQL and Redis (the issue's "Done when"): a conversation whose turns
go to a different instance each time books correctly, and two messages of one conversation sent to
two instances at the same moment are both answered and both kept, in the order they were answered."""
from __future__ import annotations

import asyncio

import httpx

from tests.scaleout.conftest import FleetChat

BOOKING = ["I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985",
           "3125550123", "checkup", "yes"]
AT_ONCE = ("what are your hours?", "where are you located")


async def test_turns_alternating_between_instances_book_once(instances, make_clinic, pool):
    clinic = await make_clinic()
    bases = [s.base for s in instances]
    async with httpx.AsyncClient(timeout=30) as client:
        chat = FleetChat(client, clinic, bases)
        for turn, line in enumerate(BOOKING):
            reply = await chat.say(line, turn % 3)
    assert reply["state"] == "booked" and reply["booking_id"], reply
    assert "all set" in reply["message"].lower()
    async with pool.connection() as conn:
        cur = await conn.execute(
            """SELECT a.id::text AS id, p.last_name AS provider, pt.last_name AS patient FROM appointments a
               JOIN providers p ON p.id = a.provider_id JOIN patients pt ON pt.id = a.patient_id
               WHERE a.clinic_id = %s AND a.booked_via <> 'import'""", (clinic.id,))
        rows = await cur.fetchall()
    assert [(r["id"], r["provider"], r["patient"]) for r in rows] == [(reply["booking_id"], "Raman", "Garcia")]


async def _two_at_once(client: httpx.AsyncClient, clinic, bases: list[str]) -> tuple[FleetChat, list[dict]]:
    chat = FleetChat(client, clinic, bases)
    await chat.say(BOOKING[0], 0)
    replies = await asyncio.gather(chat.say(AT_ONCE[0], 1), chat.say(AT_ONCE[1], 2))
    return chat, list(replies)


async def test_two_messages_at_once_on_two_instances_are_both_kept_in_order(instances, make_clinic, services):
    clinic = await make_clinic()
    bases = [s.base for s in instances]
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=100)) as client:
        results = await asyncio.gather(*(_two_at_once(client, clinic, bases) for _ in range(20)))
    engine = services.engine
    lost = []
    for chat, replies in results:
        assert all(r["message"] for r in replies)
        history = await engine.history(clinic.id, chat.session_id)
        patient = [text for role, text in history.turns if role == "patient"]
        if sorted(patient[1:]) != sorted(AT_ONCE) or len(patient) != 3:
            lost.append(patient)
            continue
        # Each message is followed by the very reply its sender got: the turns ran one after the other.
        answered = dict(zip(AT_ONCE, (r["message"] for r in replies)))
        pairs = list(zip(history.turns, history.turns[1:]))
        for text, message in answered.items():
            assert (("patient", text), ("assistant", message)) in pairs, history.turns
    assert not lost, f"{len(lost)} of 20 conversations lost a turn: {lost[:3]}"


async def test_rate_limit_is_shared_by_the_instances(instances, make_clinic):
    clinic = await make_clinic(tier="free")                    # 10 requests a minute
    async with httpx.AsyncClient(timeout=30) as client:
        codes = [(await client.get(instances[i % 3].base + "/api/v1/clinic", headers=clinic.headers)).status_code
                 for i in range(13)]
    assert codes == [200] * 10 + [429] * 3, codes
