"""PostgreSQL stopped and restarted in the middle of conversations (the module's own cluster).

While it is down the patient gets a clear answer at once (the chat API: 503 + Retry-After, JSON; an
SMS: a short apology), nothing half-done is kept, and once it is back the conversation goes on
from the last turn that was saved.
"""
from __future__ import annotations

import time
from datetime import datetime

import httpx

from tests.faults.test_redis_faults import NOW, TO_READ_BACK, nothing_doubled

FAST_S = 2.0


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
            assert r.status_code == 503, r.text
            assert took < FAST_S, f"503 after {took:.1f} s"
            assert int(r.headers["Retry-After"]) > 0
            assert r.json()["error"]["code"] == "service_unavailable"
    finally:
        pg_cluster.start()
    body = await d.say("05/06/1990")                 # the patient sends it again: the conversation goes on
    assert "phone" in body["message"] and body["state"] == "collect_patient_info", body
    for line in TO_READ_BACK[4:]:
        body = await d.say(line)
    body = await d.say("yes")
    assert body["state"] == "booked"
    await nothing_doubled(s)


async def test_sms_while_postgres_is_down_gets_a_short_apology_and_the_retry_goes_on(stack, pg_cluster, own_pool):
    s = await stack(NOW, db_pool=own_pool)
    d = s.sms()
    d.patient = "+13125550188"
    for text in TO_READ_BACK[:3]:
        reply = await d.text(text)
    assert "date of birth" in reply.lower()
    pg_cluster.stop()
    try:
        started = time.monotonic()
        reply = await d.text("05/06/1990")       # Twilio reads TwiML; a 5xx would leave the patient in silence
        assert time.monotonic() - started < FAST_S
        assert "try again" in reply.lower() and len(reply) <= 160, reply
    finally:
        pg_cluster.start()
    reply = await d.text("05/06/1990")           # a new message (new MessageSid): the conversation goes on
    assert "reason" in reply.lower() or "visit" in reply.lower(), reply
    await d.text("checkup")
    reply = await d.text("yes")
    assert "all set" in reply.lower(), reply
    await nothing_doubled(s)
    assert len(await d.sent()) == 1
