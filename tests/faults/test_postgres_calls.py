"""Phone calls while PostgreSQL is down (the module's own cluster, stopped): the caller hears a
spoken apology, never Twilio's "application error", silence or a dropped line, and a call already
under way goes on once the database is back."""
from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import uuid

import pytest
import uvicorn

from channels.voice.call import VoiceConfig
from channels.voice.kit import VoiceKit
from ehr.builtin.calendar import BuiltinCalendar
from storage.clinic_import import import_clinic
from tests.conftest import TestClinic as ClinicUnderTest, demo_clinic_data
from tests.voice.conftest import NOW, PUBLIC, TWILIO_TOKEN, VoiceRig, _Server, decoder_pool, free_port, shared_whisper  # noqa: F401
from voice_agent.web.apikeys import generate_api_key, hash_api_key
from voice_agent.app import create_app
from voice_agent.clinic_file import validate_clinic_file
from voice_agent.services import Services

SCHEDULE_DOWN = "can't reach the schedule"


async def _reply(rig: VoiceRig, caller, line: str) -> tuple[int, str]:
    """Say `line`; once the agent's reply has been sent to its end, return the audio bytes the
    caller received for it and its text."""
    since = len(caller.received)
    await caller.say(line)
    await caller.wait_for_agent(timeout=30)
    pb = rig.live(caller.call_sid).playbacks[-1]
    await asyncio.wait_for(pb.done.wait(), 30)
    await asyncio.sleep(0.2)                                    # the last frames on the wire
    heard = sum(len(base64.b64decode(m["media"]["payload"])) for m in caller.received[since:]
                if m.get("event") == "media")
    return heard, pb.text


async def _exchange(rig: VoiceRig, caller, line: str) -> tuple[int, str]:
    """`_reply`, until the agent has understood the line (the recogniser may guess or miss on a
    busy machine)."""
    for _ in range(3):
        heard, said = await _reply(rig, caller, line)
        if said.startswith("Did you say "):
            heard, said = await _reply(rig, caller, "yes")
        if not said.startswith("Sorry, I didn't catch that"):
            break
    return heard, said


@pytest.fixture
async def cluster_rig(settings, redis, own_pool, decoder_pool, shared_whisper):
    """The voice rig of tests/voice, over the fault suite's own cluster."""
    servers: list[tuple[_Server, asyncio.Task]] = []

    async def make() -> VoiceRig:
        phone = f"+1872556{uuid.uuid4().int % 10**4:04d}"
        data = demo_clinic_data(phone=phone)
        clinic, problems = validate_clinic_file(data)
        assert not problems, problems
        key = generate_api_key("test")
        clinic_id = await import_clinic(own_pool, clinic, hash_api_key(key))
        s = dataclasses.replace(settings, twilio_auth_token=TWILIO_TOKEN, public_base_url=PUBLIC)
        # No barge-in: on a loaded machine the end of the caller's own line, sent late, talked over
        # the (instant) apology and cut it; what is said, not turn-taking, is under test here.
        ended: list = []
        voice = VoiceKit.from_settings(s, config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0,
                                                             barge_in_ms=60_000),
                                       decoder_pool=decoder_pool, whisper=shared_whisper,
                                       on_call_ended=ended.append)
        services = Services.build(s, own_pool, redis, ehr=BuiltinCalendar(own_pool, now=lambda: NOW), voice=voice)
        services.engine.now = lambda: NOW
        port = free_port()
        server = _Server(uvicorn.Config(create_app(s, services), host="127.0.0.1", port=port, log_config=None,
                                        lifespan="off", ws="websockets-sansio", ws_max_size=1 << 20))
        task = asyncio.create_task(server.serve())
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        servers.append((server, task))
        return VoiceRig(services, ClinicUnderTest(clinic_id, key, data), f"http://127.0.0.1:{port}", phone, ended)

    yield make
    for server, task in servers:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


async def test_a_call_that_comes_in_while_postgres_is_down_hears_an_apology(cluster_rig, pg_cluster):
    rig = await cluster_rig()
    pg_cluster.stop()
    try:
        twiml = await rig.caller().dial()
    finally:
        pg_cluster.start()
    assert "<Say" in twiml and SCHEDULE_DOWN in twiml and "<Hangup" in twiml, twiml
    assert "<Connect" not in twiml


async def test_a_call_under_way_when_postgres_goes_down_hears_an_apology_and_goes_on(cluster_rig, pg_cluster):
    rig = await cluster_rig()
    caller = rig.caller()
    await caller.dial()
    await caller.connect()
    try:
        assert await caller.wait_for_agent(timeout=30) is not None          # the greeting
        pg_cluster.stop()
        try:
            heard, said = await _exchange(rig, caller, "I'd like to book an appointment")
        finally:
            pg_cluster.start()
        assert heard > 8000, f"the caller heard (nearly) nothing: {heard} bytes of {said!r}"
        assert SCHEDULE_DOWN in said, said
        heard, said = await _exchange(rig, caller, "I'd like to book an appointment")   # back: the call goes on
        assert heard > 8000 and SCHEDULE_DOWN not in said and "went wrong" not in said, said
    finally:
        await caller.hangup()


async def test_a_stream_that_opens_just_as_postgres_goes_down_hears_an_apology_then_the_line_closes(cluster_rig,
                                                                                                    pg_cluster):
    rig = await cluster_rig()
    caller = rig.caller()
    assert "<Connect" in await caller.dial()                           # answered while it was up
    pg_cluster.stop()
    try:
        await caller.connect()
        turn = await caller.wait_for_agent(timeout=30)
        closed = await caller.wait_closed(timeout=10)
    finally:
        pg_cluster.start()
    assert turn is not None and len(turn.audio) > 8000, "the caller heard nothing"
    assert closed == 1000, closed
