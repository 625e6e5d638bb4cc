"""PostgreSQL stopped and restarted in the middle of conversations (the module's own cluster).

While it is down the patient gets a clear answer at once (the chat API: 503 + Retry-After, JSON; an
SMS: a short apology), nothing half-done is kept, and once it is back the conversation goes on
from the last turn that was saved.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime

import httpx
import psycopg
import pytest

from storage.db import open_pool

from tests.faults.test_redis_faults import NOW, TO_READ_BACK, nothing_doubled

FAST_S = 2.0
FROZEN_S = 4.0         # a hung server costs a connection check (1 s) and a connect attempt (1 s)


async def _post(s, body: dict) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=s.app), base_url="https://t") as c:
        r = await c.post("/api/v1/chat", json=body, headers=s.clinic.headers)
    return r, time.monotonic() - started


async def test_chat_api_says_503_quickly_while_postgres_is_down_and_goes_on_after(stack, pg_cluster, own_pool):
    s = await stack(NOW, db_pool=own_pool)
    d = s.chat()
    for line in TO_READ_BACK[:3]:
        body = await d.say(line)
    assert "date of birth" in body["message"]
    pg_cluster.stop()
    try:
        for _ in range(3):
            r, took = await _post(s, {"message": "05/06/1990", "session_id": d.session_id})
            _assert_quick_503(r, took, FAST_S)
    finally:
        pg_cluster.start()
    await _resend_and_book(s, d)


async def test_chat_api_says_503_within_seconds_while_postgres_is_frozen_and_goes_on_after(stack, pg_cluster,
                                                                                           own_pool):
    s = await stack(NOW, db_pool=own_pool)
    d = s.chat()
    for line in TO_READ_BACK[:3]:
        body = await d.say(line)
    assert "date of birth" in body["message"]
    pg_cluster.freeze()
    try:
        for _ in range(2):
            try:
                r, took = await asyncio.wait_for(_post(s, {"message": "05/06/1990", "session_id": d.session_id}),
                                                 30)
            except TimeoutError:
                raise AssertionError("a turn hung for 30 s on a frozen PostgreSQL") from None
            _assert_quick_503(r, took, FROZEN_S)
    finally:
        pg_cluster.thaw()
    await _resend_and_book(s, d)


def _break(pg_cluster, how: str) -> None:
    pg_cluster.stop() if how == "stopped" else pg_cluster.freeze()


def _mend(pg_cluster, how: str) -> None:
    pg_cluster.start() if how == "stopped" else pg_cluster.thaw()


@pytest.mark.parametrize("how", ["stopped", "frozen"])
async def test_web_chat_says_503_quickly_while_postgres_is_out_and_goes_on_after(stack, pg_cluster, own_pool, how):
    s = await stack(NOW, db_pool=own_pool)
    d = s.web()
    assert (await d.post("/start")).status_code == 200
    for line in TO_READ_BACK[:3]:
        body = await d.say(line)
    assert "date of birth" in body["message"]
    _break(pg_cluster, how)
    try:
        started = time.monotonic()
        try:
            r = await asyncio.wait_for(d.post("/messages", {"message": "05/06/1990"}), 30)
        except TimeoutError:
            raise AssertionError("the web chat hung for 30 s on PostgreSQL out") from None
        _assert_quick_503(r, time.monotonic() - started, FAST_S if how == "stopped" else FROZEN_S)
    finally:
        _mend(pg_cluster, how)
    body = await d.say("05/06/1990")                 # the page sends it again: the conversation goes on
    assert "phone" in body["message"], body
    for line in TO_READ_BACK[4:]:
        body = await d.say(line)
    body = await d.say("yes")
    assert "all set" in body["message"].lower(), body
    await nothing_doubled(s)
    said = [m["text"] for m in (await d.history())["messages"] if m["role"] == "patient"]
    # the newest turns, each once (the resent date of birth is not doubled, nothing after it lost)
    assert said[-5:] == ["[name hidden]", "[date of birth hidden]", "[phone number hidden]", "checkup", "yes"], said


@pytest.mark.parametrize("how", ["stopped", "frozen"])
async def test_sms_while_postgres_is_out_gets_a_short_apology_and_the_retry_goes_on(stack, pg_cluster, own_pool, how):
    s = await stack(NOW, db_pool=own_pool)
    d = s.sms()
    d.patient = "+13125550188"
    for text in TO_READ_BACK[:3]:
        reply = await d.text(text)
    assert "date of birth" in reply.lower()
    _break(pg_cluster, how)
    try:
        started = time.monotonic()
        reply = await asyncio.wait_for(d.text("05/06/1990"), 30)   # Twilio reads TwiML: a 5xx would be silence
        assert time.monotonic() - started < (FAST_S if how == "stopped" else FROZEN_S)
        assert "try again" in reply.lower() and len(reply) <= 160, reply
    finally:
        _mend(pg_cluster, how)
    reply = await d.text("05/06/1990")           # a new message (new MessageSid): the conversation goes on
    assert "reason" in reply.lower() or "visit" in reply.lower(), reply
    await d.text("checkup")
    reply = await d.text("yes")
    assert "all set" in reply.lower(), reply
    await nothing_doubled(s)
    assert len(await d.sent()) == 1


async def test_a_query_already_under_way_when_postgres_freezes_ends_at_the_deadline(pg_cluster):
    """A turn that holds a connection when the server hangs gets an outage (503), not a hang."""
    pool = await open_pool(pg_cluster.url, min_size=1, max_size=2, query_seconds=2.0)
    try:
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")
            pg_cluster.freeze()
            try:
                started = time.monotonic()
                with pytest.raises(psycopg.OperationalError):
                    await asyncio.wait_for(conn.execute("SELECT 1"), 30)
                assert time.monotonic() - started < 3.0
            finally:
                pg_cluster.thaw()
        async with pool.connection() as conn:         # the pool goes on with a fresh connection
            assert (await (await conn.execute("SELECT 1 AS one")).fetchone())["one"] == 1
    finally:
        await pool.close()


def _assert_quick_503(r, took: float, limit: float) -> None:
    assert r.status_code == 503, r.text
    assert took < limit, f"503 after {took:.1f} s"
    assert int(r.headers["Retry-After"]) > 0
    assert r.json()["error"]["code"] == "service_unavailable"


async def _resend_and_book(s, d) -> None:
    """The patient sends the lost message again: the conversation goes on to a single booking."""
    body = await d.say("05/06/1990")
    assert "phone" in body["message"] and body["state"] == "collect_patient_info", body
    for line in TO_READ_BACK[4:]:
        body = await d.say(line)
    body = await d.say("yes")
    assert body["state"] == "booked"
    await nothing_doubled(s)
