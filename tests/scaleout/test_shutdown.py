"""SIGTERM on a real server (`voice-agent serve`) in the middle of a phone call: the caller is not
cut off, a new caller is asked to call back, and the server exits once the call is over, or when
SHUTDOWN_GRACE_SECONDS runs out. fly.toml gives it that long before the machine is killed."""
from __future__ import annotations

import asyncio
import signal
import time
import tomllib

import httpx

from channels.voice.simulator import SimulatedCaller
from tests.conftest import ROOT
from tests.foundation.served import Served
from tests.voice.conftest import unused_phone
from voice_agent.asgi import HTTP_GRACE_SECONDS
from voice_agent.web.settings import Settings


async def call_in_progress(test_env, server: Served, phone: str) -> SimulatedCaller:
    caller = SimulatedCaller(server.base, auth_token=test_env["TWILIO_AUTH_TOKEN"],
                             public_url=test_env["PUBLIC_BASE_URL"], clinic_phone=phone)
    await caller.dial()
    await caller.connect()
    greeting = await caller.wait_for_agent(timeout=60)
    assert greeting is not None and len(greeting.audio) > 8000, "no greeting"
    return caller


async def test_sigterm_during_a_call_lets_it_finish(test_env, database, make_clinic, pool, services):
    phone = await unused_phone(pool)
    clinic = await make_clinic(phone=phone)
    server = await asyncio.to_thread(Served, test_env)
    try:
        caller = await call_in_progress(test_env, server, phone)
        server.proc.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        late = SimulatedCaller(server.base, auth_token=test_env["TWILIO_AUTH_TOKEN"],
                               public_url=test_env["PUBLIC_BASE_URL"], clinic_phone=phone)
        twiml = await late.dial()
        assert "<Connect" not in twiml and "call back" in twiml and "<Hangup" in twiml, twiml
        async with httpx.AsyncClient(timeout=5) as client:
            ready = await client.get(server.base + "/health/ready")
        assert ready.status_code == 503 and ready.json()["error"]["draining"] is True
        await caller.say("I'd like to book with Doctor Raman")
        reply = await caller.wait_for_agent(timeout=60)
        assert reply is not None and len(reply.audio) > 8000, "the caller heard nothing after the SIGTERM"
        assert server.proc.poll() is None and not caller._closed.is_set()
        session = await services.engine.sessions.find_active(clinic.id, "voice", caller.call_sid)
        heard = [t.text.lower() for t in session.message_history if t.role == "patient"]
        assert any("raman" in text for text in heard), heard          # the turn after SIGTERM was kept
        await caller.hangup()
        hung_up = time.monotonic()
        await asyncio.to_thread(server.proc.wait, 20)
        assert time.monotonic() - hung_up < 10, "the server waited out its grace after the call ended"
        assert "shutdown_grace_over" not in server.log_text()
    finally:
        server.stop()


async def test_a_call_longer_than_the_grace_is_ended_and_the_server_exits(test_env, database, make_clinic, pool):
    phone = await unused_phone(pool)
    await make_clinic(phone=phone)
    server = await asyncio.to_thread(Served, {**test_env, "SHUTDOWN_GRACE_SECONDS": "2"})
    try:
        caller = await call_in_progress(test_env, server, phone)
        server.proc.send_signal(signal.SIGTERM)
        asked = time.monotonic()
        await asyncio.to_thread(server.proc.wait, 30)
        assert 1.5 < time.monotonic() - asked < 2 + HTTP_GRACE_SECONDS + 5
        await caller.wait_closed(10)
        await caller.close()
    finally:
        server.stop()


def test_fly_waits_longer_than_the_server_drains():
    fly = tomllib.loads((ROOT / "fly.toml").read_text())
    assert fly["kill_signal"] == "SIGTERM"
    assert fly["kill_timeout"] >= Settings.shutdown_grace_seconds + HTTP_GRACE_SECONDS + 3
