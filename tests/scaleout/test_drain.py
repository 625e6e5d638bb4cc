"""The app's CallDrain reaches the voice routes and the readiness check through their deps (no
app-wide state): once the process is draining, a new call is asked to call back and
/health/ready answers 503 "draining", while a call already live keeps the drain from being idle."""
from __future__ import annotations

import httpx

from channels.voice.draining import CallDrain
from channels.voice.security import sign
from voice_agent.app import create_app

PATH = "/webhooks/twilio/voice"


async def test_a_draining_app_refuses_new_calls_and_is_not_ready(settings, services):
    drain = CallDrain()
    app = create_app(settings, services, drain=drain)
    params = {"CallSid": "CA" + "7" * 32, "To": "+13125550100", "From": "+13125550199"}
    headers = {"X-Twilio-Signature": sign(settings.twilio_auth_token, settings.public_base_url + PATH, params)}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as client:
        assert (await client.get("/health/ready")).status_code == 200
        drain.refuse_new_calls()
        ready = await client.get("/health/ready")
        call = await client.post(PATH, data=params, headers=headers)
    assert ready.status_code == 503 and ready.json()["error"]["draining"] is True
    assert call.status_code == 200 and "call back" in call.text and "<Hangup" in call.text
    assert "<Connect" not in call.text


async def test_the_drain_waits_for_live_calls_within_its_bound():
    drain = CallDrain()
    with drain.live_call():
        assert drain.live == 1 and not await drain.wait_idle(0.05)
    assert drain.live == 0 and await drain.wait_idle(0.05)
