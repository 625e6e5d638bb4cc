"""The handoff record in PostgreSQL: scoped by clinic, one live record per conversation, atomic moves
that name where they may start from, and a NOTIFY on every change."""
from __future__ import annotations

import asyncio
import uuid

import psycopg

from storage.db import to_conninfo
from storage.handoffs import HandoffStore, claim, close, mask_number

TURNS = [{"role": "patient", "text": "I need to talk to someone about my bill"},
         {"role": "assistant", "text": "Let me get someone from the front desk."}]


async def _new(store, clinic_id, **kw):
    args = dict(channel="webchat", reason="asked for a person", summary="Billing question; asked for a person.",
                transcript=TURNS, conversation_id=str(uuid.uuid4()))
    args.update(kw)
    return await store.create(clinic_id, **args)


async def test_create_get_list_and_tenancy(pool, make_clinic):
    a, b = await make_clinic(), await make_clinic()
    store = HandoffStore(pool)
    made = await _new(store, a.id, callback_number="+13125550123", patient_name="Ana Diaz")
    assert made.status == "open" and made.transcript == TURNS and made.channel == "webchat"
    assert (await store.get(a.id, made.id)) == made
    assert await store.get(b.id, made.id) is None              # another clinic: not found
    assert await store.get(a.id, "not-a-uuid") is None
    assert [h.id for h in await store.list(a.id, "open")] == [made.id]
    assert await store.list(b.id) == []
    shown = made.to_json()
    assert shown["callback_number"] == "•••0123" and "+13125550123" not in str(shown)
    assert made.to_json(full_number=True)["callback_number"] == "+13125550123"
    assert mask_number(None) is None


async def test_one_live_record_per_conversation(pool, make_clinic):
    clinic = await make_clinic()
    store = HandoffStore(pool)
    conversation = str(uuid.uuid4())
    first, second = await asyncio.gather(_new(store, clinic.id, conversation_id=conversation),
                                         _new(store, clinic.id, conversation_id=conversation))
    assert first.id == second.id
    assert len(await store.list(clinic.id)) == 1
    await close(store, clinic.id, first.id, "called back")
    again = await _new(store, clinic.id, conversation_id=conversation)     # closed: a new handoff is new
    assert again.id != first.id


async def test_transitions_are_atomic_and_scoped(pool, make_clinic):
    a, b = await make_clinic(), await make_clinic()
    store = HandoffStore(pool)
    made = await _new(store, a.id, channel="voice", call_sid="CA" + "1" * 32)
    assert await claim(store, b.id, made.id, "intruder@b.test") is None      # another clinic's: nothing changes
    assert (await store.get(a.id, made.id)).status == "open"
    ringing = await store.transition(a.id, made.id, "ringing", allowed_from=("open",), conference_name="handoff-x")
    assert ringing.status == "ringing" and ringing.conference_name == "handoff-x"
    assert await store.transition(a.id, made.id, "ringing", allowed_from=("open",)) is None
    results = await asyncio.gather(
        store.transition(a.id, made.id, "connected", allowed_from=("ringing",)),
        store.transition(a.id, made.id, "missed", allowed_from=("ringing",)))
    assert sum(r is not None for r in results) == 1                          # one winner
    assert (await store.find_by_call(a.id, "CA" + "1" * 32)).id == made.id
    assert await store.find_by_call(b.id, "CA" + "1" * 32) is None
    claimed = await claim(store, a.id, made.id, "desk@a.test")
    assert claimed.status == "claimed" and claimed.claimed_by == "desk@a.test" and claimed.claimed_at
    closed = await close(store, a.id, made.id, "rebooked for Tuesday")
    assert closed.status == "closed" and closed.close_note == "rebooked for Tuesday" and closed.closed_at
    assert await close(store, a.id, made.id, "again") is None                 # closed stays closed


async def test_every_change_is_notified(pool, make_clinic, database):
    clinic = await make_clinic()
    store = HandoffStore(pool)
    heard: list[str] = []
    async with await psycopg.AsyncConnection.connect(to_conninfo(database), autocommit=True) as listener:
        listener.add_notify_handler(lambda note: heard.append(note.payload))
        await listener.execute("LISTEN handoffs")
        made = await _new(store, clinic.id)
        await claim(store, clinic.id, made.id, "desk@a.test")
        for _ in range(50):
            await listener.execute("SELECT 1")        # delivers what arrived meanwhile
            if len(heard) >= 2:
                break
            await asyncio.sleep(0.05)
    assert heard == [f"{clinic.id}:{made.id}"] * 2
