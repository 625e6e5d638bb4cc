"""Bad input never crashes a call: forged requests are refused (403 / close 1008); junk on a live
stream is ignored and the call keeps answering; every task ends when the socket does."""
from __future__ import annotations

import asyncio
import base64
import json
from functools import partial

import httpx
import pytest

from channels.voice.call import VoiceConfig
from channels.voice.security import sign, stream_token
from tests.voice.conftest import PUBLIC, TWILIO_TOKEN, until

FAST = VoiceConfig(playback_rate=16.0, silence_seconds=30.0, start_timeout_seconds=1.0, key_pause_seconds=0.3)


_until = partial(until, timeout=15.0)


def _no_call_tasks() -> bool:
    return not [t for t in asyncio.all_tasks() if t.get_name().startswith(("call-", "deepgram-"))]


async def test_webhook_with_a_bad_or_missing_signature_is_refused(voice_rig):
    rig = await voice_rig(config=FAST)
    params = {"CallSid": "CA" + "1" * 32, "To": rig.phone, "From": "+13125550199"}
    async with httpx.AsyncClient(base_url=rig.url) as client:
        forged = await client.post("/webhooks/twilio/voice", data=params,
                                   headers={"X-Twilio-Signature": sign("not-the-token", PUBLIC + "/webhooks/twilio/voice",
                                                                       params)})
        missing = await client.post("/webhooks/twilio/voice", data=params)
        # signed over another URL (the one behind the proxy) does not count either
        local = await client.post("/webhooks/twilio/voice", data=params,
                                  headers={"X-Twilio-Signature": sign(TWILIO_TOKEN, rig.url + "/webhooks/twilio/voice",
                                                                      params)})
        after = await client.post("/webhooks/twilio/voice/after", data=params)
    for r in (forged, missing, local, after):
        assert r.status_code == 403 and r.json()["error"]["code"] in ("invalid_signature",), r.text


async def test_unknown_number_gets_an_apology_and_a_hangup(voice_rig):
    rig = await voice_rig(config=FAST)
    caller = rig.caller()
    caller.clinic_phone = "+13125559999"
    twiml = await caller.dial()
    assert "<Say" in twiml and "not in service" in twiml and "<Hangup" in twiml and "<Connect" not in twiml


@pytest.mark.parametrize("case", ["bad_upgrade_signature", "forged_token", "token_for_another_call",
                                  "no_token", "no_start"])
async def test_media_socket_refuses_with_policy_violation(voice_rig, settings, case):
    rig = await voice_rig(config=FAST)
    caller = rig.caller()
    await caller.dial()
    kw: dict = {}
    if case == "bad_upgrade_signature":
        kw["signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif case == "forged_token":
        kw["token"] = stream_token("some-other-secret-key-0123456789abcdef", rig.clinic.id, caller.call_sid)
    elif case == "token_for_another_call":
        kw["token"] = stream_token(settings.secret_key, rig.clinic.id, "CA" + "9" * 32)
    elif case == "no_token":
        kw["token"] = ""
    elif case == "no_start":
        kw["send_start"] = False
    await caller.connect(**kw)
    try:
        code = await caller.wait_closed(timeout=5)
        assert code == 1008
        assert rig.live(caller.call_sid) is None
    finally:
        await caller.close()


JUNK = {
    "malformed_json": ["{not json", "[1, 2", "", "null", "42", '"media"'],
    "unknown_events": [json.dumps({"event": "surprise", "x": 1}), json.dumps({"no_event": True}),
                       json.dumps({"event": None}), json.dumps({"event": "media"}),
                       json.dumps({"event": "mark"}), json.dumps({"event": "dtmf", "dtmf": {"digit": "xx"}}),
                       json.dumps({"event": "start", "start": "again"})],
    "hostile_json": ["[" * 5000 + "]" * 5000, '{"event": "media", "n": ' + "1" * 5000 + "}",
                     '{"event": "dtmf", "dtmf": {"digit": "\\ud800"}}'],
    "odd_length_payloads": [json.dumps({"event": "media", "media": {"payload": p}}) for p in
                            ("AAA", "!!!notbase64", base64.b64encode(b"\xff").decode(),
                             base64.b64encode(b"\x7f" * 161).decode(), base64.b64encode(b"\xff" * 3333).decode(), "")],
}


# messages counted as bad (odd-length but valid base64 audio is simply re-framed, not bad)
BAD = {"malformed_json": 6, "unknown_events": 7, "hostile_json": 3, "odd_length_payloads": 2}


@pytest.mark.parametrize("case", sorted(JUNK))
async def test_junk_on_a_live_stream_is_ignored_and_the_call_answers(voice_rig, case):
    rig = await voice_rig(config=FAST)
    caller = await rig.connected_caller()
    try:
        await _until(lambda: rig.live(caller.call_sid) is not None)
        session = rig.live(caller.call_sid)
        for raw in JUNK[case]:
            await caller.send_raw(raw)
        await caller.ws.send(b"\x00\x01binary")
        await caller.dtmf("0")                                 # still listening: asks for a person
        await caller.wait_closed(timeout=15)
        assert session.outcome == "handoff" and session.bad_messages >= BAD[case]
        assert "front desk" in session.playbacks[-1].text
    finally:
        await caller.close()
    await _until(_no_call_tasks, timeout=5)


async def test_media_before_start_then_speech_still_works(voice_rig):
    rig = await voice_rig(config=FAST)
    caller = rig.caller()
    await caller.dial()
    early = [json.dumps({"event": "media", "media": {"payload": base64.b64encode(b"\x10" * 160).decode()}})] * 5
    await caller.connect(before_start=early)
    try:
        await caller.wait_for_agent(timeout=20)
        await caller.say("I'd like to book with Doctor Raman")
        session = rig.live(caller.call_sid)
        await _until(lambda: session.playbacks[-1].text == "What day works best for you?")
    finally:
        await caller.hangup()
    await _until(_no_call_tasks, timeout=5)


async def test_caller_hanging_up_mid_sentence_ends_every_task(voice_rig):
    rig = await voice_rig(config=FAST)
    caller = await rig.connected_caller()
    await _until(lambda: caller._turn_start is not None)
    await caller.ws.close()                                    # no stop message: the line just drops
    await caller.close()
    await _until(lambda: rig.finished(caller.call_sid) is not None, timeout=5)
    assert rig.finished(caller.call_sid).outcome == "caller_hung_up"
    await _until(_no_call_tasks, timeout=5)


async def test_every_call_records_its_disclosure_as_a_consent_event(voice_rig):
    rig = await voice_rig(config=FAST)
    caller = await rig.connected_caller()
    try:
        greeting = await caller.wait_for_agent(timeout=20)
        assert greeting is not None
        assert "automated assistant" in rig.live(caller.call_sid).playbacks[0].text
    finally:
        await caller.hangup()
    async with rig.services.pool.connection() as conn:
        cur = await conn.execute(
            """SELECT e.kind, e.source, e.created_at, a.action::text AS action FROM consent_events e
               JOIN audit_logs a ON a.resource_id = e.id::text AND a.clinic_id = e.clinic_id
               WHERE e.clinic_id = %s AND e.channel = 'voice'""", (rig.clinic.id,))
        rows = await cur.fetchall()
    assert len(rows) == 1 and rows[0]["kind"] == "call_disclosure" and rows[0]["action"] == "CONSENT_GIVEN"
    assert rows[0]["source"] == "recording_notice"      # the demo clinic records calls
