"""The vendor paths: Deepgram live STT against a fake Deepgram server on loopback, ElevenLabs TTS with
its streaming HTTP mocked by respx; a booking end to end, and a vendor dying mid-call."""
from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx
import respx

from channels.voice.call import VoiceConfig
from dialogue.states import BookingState
from tests.voice.fake_deepgram import FakeDeepgram

DG = {"deepgram_api_key": "dg-test-key"}
SCRIPT = ["I'd like to book with Doctor Raman.", "Next Tuesday.", "In the morning.", "The first one.",
          "dtmf:03041985", "dtmf:3125550123", "Yes.", "A physical.", "Yes."]


def _mulaw_tone(seconds: float) -> bytes:
    """A loud mu-law tone: what the fake 'hears' as speech (it ignores the words)."""
    import numpy as np

    from channels.voice.speech.codec import array_to_ulaw
    t = np.arange(int(8000 * seconds)) / 8000
    return array_to_ulaw(8000 * np.sin(2 * np.pi * 220 * t))


async def _talk(caller, lines, timeout: float = 20) -> None:
    for line in lines:
        if line.startswith("dtmf:"):
            await caller.dtmf(line[5:])
        else:
            await caller.say(line, audio=_mulaw_tone(0.8))
        try:
            turn = await caller.wait_for_agent(timeout=timeout)
        except TimeoutError:
            raise AssertionError(f"no reply after {line!r}") from None
        assert turn is not None, line


async def test_deepgram_live_stream_drives_a_booking(voice_rig, monkeypatch):
    from channels.voice.vendors import deepgram_stt
    monkeypatch.setattr(deepgram_stt, "KEEPALIVE_SECONDS", 0.3)     # KeepAlive while the agent talks
    spoken = [line for line in SCRIPT if not line.startswith("dtmf:")]
    async with FakeDeepgram(spoken) as fake:
        rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0),
                              settings_overrides={**DG, "deepgram_url": fake.url})
        caller = await rig.connected_caller()
        try:
            await caller.wait_for_agent(timeout=20)
            assert len(fake.connections) == 1          # opened when the call started, before any speech
            await _talk(caller, SCRIPT)
            stored = await rig.session(caller.call_sid)
            assert stored.current_state == BookingState.BOOKED
        finally:
            await caller.hangup()
        await asyncio.sleep(0.2)
        conn = fake.connections[0]
        query = parse_qs(urlsplit(conn.path).query)
        assert query["encoding"] == ["mulaw"] and query["sample_rate"] == ["8000"]
        assert query["interim_results"] == ["true"] and query["vad_events"] == ["true"]
        assert query["smart_format"] == ["true"] and "endpointing" in query and "utterance_end_ms" in query
        assert "Doctor Priya Raman" in query["keyterm"]
        assert conn.headers.get("authorization") == "Token dg-test-key"
        assert any(m.get("type") == "Configure" for m in conn.messages)      # the question's vocabulary
        assert any(m.get("type") == "KeepAlive" for m in conn.messages)
        assert conn.messages[-1].get("type") == "CloseStream"
        rows = await rig.appointments()
        assert len(rows) == 1 and rows[0]["provider"] == "Raman"


async def test_deepgram_dying_mid_call_gets_an_apology_and_a_new_socket(voice_rig):
    async with FakeDeepgram(["I'd like to book with Doctor Raman.", "Next Tuesday."]) as fake:
        rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0),
                              settings_overrides={**DG, "deepgram_url": fake.url})
        caller = await rig.connected_caller()
        try:
            await caller.wait_for_agent(timeout=20)
            await _talk(caller, ["I'd like to book with Doctor Raman"])
            await fake.kill()
            session = rig.live(caller.call_sid)
            apology = await caller.wait_for_agent(timeout=20)
            assert apology is not None
            assert session.playbacks[-1].kind == "apology" and "trouble hearing" in session.playbacks[-1].text
            assert len(fake.connections) == 2                 # reconnected
            await _talk(caller, ["Next Tuesday"])
            assert session.playbacks[-1].text.startswith("Do you prefer the morning")
        finally:
            await caller.hangup()


async def test_deepgram_unreachable_falls_back_to_the_embedded_recogniser(voice_rig):
    async with FakeDeepgram() as fake:
        fake.refuse = True
        rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0),
                              settings_overrides={**DG, "deepgram_url": fake.url})
        caller = await rig.connected_caller()
        try:
            await caller.wait_for_agent(timeout=30)
            session = rig.live(caller.call_sid)
            assert type(session.stt).__name__ == "EmbeddedSTT"
            await caller.say("I'd like to book with Doctor Raman")
            await caller.wait_for_agent(timeout=20)
            assert session.playbacks[-1].text == "What day works best for you?"
        finally:
            await caller.hangup()


def _elevenlabs_body(text: str) -> bytes:
    return _mulaw_tone(0.3 + 0.02 * len(text))


async def test_elevenlabs_streams_mulaw_into_the_call(voice_rig):
    requests: list[httpx.Request] = []

    def reply(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        body = _elevenlabs_body(request.read().decode())
        return httpx.Response(200, content=body[:1234] + body[1234:], headers={"content-type": "audio/basic"})

    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post(url__regex=r"https://api\.elevenlabs\.io/v1/text-to-speech/[^/]+/stream.*").mock(side_effect=reply)
        rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0),
                              settings_overrides={"elevenlabs_api_key": "el-test-key", "elevenlabs_voice_id": "voice123"})
        caller = await rig.connected_caller()
        try:
            greeting = await caller.wait_for_agent(timeout=20)
            assert greeting is not None and len(greeting.audio) % 160 == 0
            await caller.say("I'd like to book with Doctor Raman")
            await caller.wait_for_agent(timeout=20)
        finally:
            await caller.hangup()
    assert requests
    first = requests[0]
    assert first.url.path == "/v1/text-to-speech/voice123/stream"
    assert first.url.params["output_format"] == "ulaw_8000"
    assert first.headers["xi-api-key"] == "el-test-key"
    import json
    body = json.loads(first.content)
    assert body["model_id"] == "eleven_flash_v2_5" and body["text"].startswith("You've reached")
    # one request per sentence: the first sentence is requested before the rest are synthesised
    assert len(requests) >= 6   # the greeting alone is six sentences


async def test_elevenlabs_failing_mid_call_falls_back_to_espeak(voice_rig):
    calls = {"n": 0}

    def reply(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] > 2:
            return httpx.Response(500, json={"detail": "boom"})
        return httpx.Response(200, content=_elevenlabs_body("x" * 40))

    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post(url__regex=r"https://api\.elevenlabs\.io/.*").mock(side_effect=reply)
        rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0),
                              settings_overrides={"elevenlabs_api_key": "el-test-key", "elevenlabs_voice_id": "failing"})
        caller = await rig.connected_caller()
        try:
            await caller.wait_for_agent(timeout=30)
            session = rig.live(caller.call_sid)
            greeting = session.playbacks[0]
            # the switch to espeak can leave a pause mid-greeting longer than the simulator's
            # end-of-turn gap, so wait for the greeting's last mark rather than for silence
            await asyncio.wait_for(greeting.done.wait(), timeout=30)
            assert "tts_failed" in [e[1] for e in session.events]
            assert type(session.tts).__name__ == "NaturalTTS"
            assert not greeting.interrupted
            assert len(caller.agent_track.replace(b"\xff", b"")) > 8000 * 3   # ~3 s of speech heard
        finally:
            await caller.hangup()
