"""Two engines on one PostgreSQL and Redis stand for two processes (each has its own memory): a
patient's texts arrive in the order things happened, and a session write that lost its lock redoes
its turn instead of dropping it or the other's."""
from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

import pytest

from dialogue.ports import AppointmentNotice
from ehr.builtin.calendar import BuiltinCalendar
from voice_agent.services import Services

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")
BOOK = ["I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985",
        "3125550123", "checkup", "yes"]


class SlowTexts:
    """A notifier shared by both processes (the patient's phone): "booked" takes a second to go out."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def appointment_changed(self, notice: AppointmentNotice) -> None:
        if notice.kind == "booked":
            await asyncio.sleep(1.0)
        self.received.append(notice.kind)


class HangingTexts:
    """Twilio hangs on every text."""

    def __init__(self) -> None:
        self.sent = 0

    async def appointment_changed(self, notice: AppointmentNotice) -> None:
        await asyncio.sleep(3.0)
        self.sent += 1


class NoLock:
    """No turn lock at all: only the session's compare-and-set stands between two writers."""

    @contextlib.asynccontextmanager
    async def hold(self, key: str):
        yield None


@pytest.fixture
def processes(settings, pool, redis):
    def make(n: int, **parts: Any) -> list:
        engines = []
        for _ in range(n):
            services = Services.build(settings, pool, redis, ehr=BuiltinCalendar(pool, now=lambda: NOW), **parts)
            engine = services.engine
            engine.now = lambda: NOW
            engines.append(engine)
        return engines
    return make


async def test_a_cancellation_text_never_overtakes_the_booking_text(processes, make_clinic):
    texts = SlowTexts()
    a, b = processes(2, notifier=texts)
    clinic = await make_clinic()
    session_id = None
    for line in BOOK:
        reply = await a.process(clinic.id, "web", line, session_id=session_id)
        session_id = reply.session_id
    assert reply.state.value == "booked"
    # The patient cancels at once; this turn lands on the other process while "booked" is going out.
    for line in ("actually, cancel that appointment", "yes"):
        reply = await b.process(clinic.id, "web", line, session_id=session_id)
    assert reply.state.value == "cancelled", reply.message
    await a.drain(), await b.drain()
    assert texts.received == ["booked", "cancelled"]


async def test_a_hanging_text_does_not_stall_the_conversation(processes, make_clinic):
    texts = HangingTexts()
    a, b = processes(2, notifier=texts)
    a._texts.hold_seconds = 0.3
    clinic = await make_clinic()
    session_id = None
    for line in BOOK:
        reply = await a.process(clinic.id, "web", line, session_id=session_id)
        session_id = reply.session_id
    started = asyncio.get_running_loop().time()
    reply = await b.process(clinic.id, "web", "what are your hours?", session_id=session_id)
    assert asyncio.get_running_loop().time() - started < 2.0 and "Monday" in reply.message
    await a.drain()
    assert texts.sent == 1


async def test_without_a_lock_the_version_check_still_keeps_both_turns(processes, make_clinic, caplog):
    a, b = processes(2)
    for engine in (a, b):
        engine.turn_lock = NoLock()
        engine.sessions.save = slow(engine.sessions.save)
    clinic = await make_clinic()
    first = await a.process(clinic.id, "web", BOOK[0])
    lines = ("what are your hours?", "where are you located")
    replies = await asyncio.gather(a.process(clinic.id, "web", lines[0], session_id=first.session_id),
                                   b.process(clinic.id, "web", lines[1], session_id=first.session_id))
    history = await a.history(clinic.id, first.session_id)
    patient = [text for role, text in history.turns if role == "patient"]
    assert sorted(patient[1:]) == sorted(lines) and len(patient) == 3
    for line, reply in zip(lines, replies):
        assert ("assistant", reply.message) in history.turns
    assert any(getattr(r, "event", None) == "session_stale" for r in caplog.records)     # they did collide


def slow(save):
    async def slow_save(session):      # both turns read the same version before either writes
        await asyncio.sleep(0.05)
        await save(session)
    return slow_save


async def test_with_redis_down_postgres_keeps_the_turns_apart(processes, make_clinic, settings, pool, caplog):
    from storage.redis_client import open_redis
    dead = open_redis("redis://127.0.0.1:1/0")          # nothing listens there: sessions and locks use PostgreSQL
    try:
        engines = []
        for _ in range(2):
            services = Services.build(settings, pool, dead, ehr=BuiltinCalendar(pool, now=lambda: NOW))
            engine = services.engine
            engine.now = lambda: NOW
            engine.sessions.save = slow(engine.sessions.save)
            engines.append(engine)
        a, b = engines
        clinic = await make_clinic()
        first = await a.process(clinic.id, "web", BOOK[0])
        lines = ("what are your hours?", "where are you located")
        await asyncio.gather(a.process(clinic.id, "web", lines[0], session_id=first.session_id),
                             b.process(clinic.id, "web", lines[1], session_id=first.session_id))
        history = await a.history(clinic.id, first.session_id)
        assert sorted(text for role, text in history.turns[2:] if role == "patient") == sorted(lines)
        assert any(getattr(r, "event", None) == "turn_lock_fallback" for r in caplog.records)
        assert not any(getattr(r, "event", None) == "session_stale" for r in caplog.records)   # one after the other
    finally:
        await dead.aclose()


async def test_a_message_that_waits_too_long_is_answered_busy_and_not_recorded(processes, make_clinic, redis, pool,
                                                                             settings):
    from dialogue import responses as say
    from dialogue.turn_guard import conversation_key
    from storage.turn_lock import TurnLocks
    from voice_agent.conversation_locks import ConversationLocks
    a, b = processes(2)
    b.turn_lock = ConversationLocks(TurnLocks.build(redis, pool.conninfo, settings.secret_key, wait_seconds=0.3))
    clinic = await make_clinic()
    first = await a.process(clinic.id, "web", BOOK[0])
    async with a.turn_lock.hold(conversation_key(clinic.id, "web", first.session_id, None)):   # a turn that hangs
        reply = await b.process(clinic.id, "web", "what are your hours?", session_id=first.session_id)
    assert reply.message == say.busy() and reply.session_id == first.session_id
    history = await a.history(clinic.id, first.session_id)
    assert [text for role, text in history.turns if role == "patient"] == [BOOK[0]]
