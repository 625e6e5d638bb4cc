"""ElevenLabs failing in the middle of a call, after it spoke the greeting: the caller's reply is
still spoken (by the embedded espeak voice) and the conversation goes on in that voice. The
greeting-time failure is in tests/voice/test_vendors.py; this is the one a caller meets mid-answer."""
from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from channels.voice.call import VoiceConfig
from tests.voice.conftest import decoder_pool, shared_whisper, voice_rig  # noqa: F401  (fixtures: the call rig)
from tests.voice.test_vendors import _elevenlabs_body


@pytest.mark.parametrize("status", [500, 503])
async def test_elevenlabs_failing_on_a_reply_still_answers_the_caller(voice_rig, status):
    outage = {"on": False, "failed": 0}

    def reply(request: httpx.Request) -> httpx.Response:
        if outage["on"]:
            outage["failed"] += 1
            return httpx.Response(status, json={"detail": {"status": "service_unavailable"}})
        return httpx.Response(200, content=_elevenlabs_body(request.read().decode()),
                              headers={"content-type": "audio/basic"})

    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post(url__regex=r"https://api\.elevenlabs\.io/.*").mock(side_effect=reply)
        rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0),
                              settings_overrides={"elevenlabs_api_key": "el-test-key", "elevenlabs_voice_id": "v1"})
        caller = await rig.connected_caller()
        try:
            await caller.wait_for_agent(timeout=30)
            session = rig.live(caller.call_sid)
            await asyncio.wait_for(session.playbacks[0].done.wait(), timeout=30)
            assert type(session.tts).__name__ != "NaturalTTS"       # the greeting was ElevenLabs'

            outage["on"] = True                                     # ElevenLabs goes down mid-call
            heard_before = len(caller.agent_track)
            await caller.say("I'd like to book with Doctor Raman")
            turn = await caller.wait_for_agent(timeout=30)
            assert turn is not None, "the caller heard nothing after speaking"
            answer = session.playbacks[-1]
            await asyncio.wait_for(answer.done.wait(), timeout=30)
            assert outage["failed"] >= 1
            assert "tts_failed" in [e[1] for e in session.events]
            assert type(session.tts).__name__ == "NaturalTTS"
            assert "day" in answer.text.lower() or "raman" in answer.text.lower(), answer.text
            assert not answer.interrupted
            spoken = caller.agent_track[heard_before:].replace(b"\xff", b"")
            print("SPOKEN", len(spoken), len(caller.agent_track) - heard_before, [(p.kind, p.text) for p in session.playbacks], session.events)
            assert len(spoken) > 8000 * 1, "the reply was not heard"    # at least a second of speech

            await caller.say("Next Tuesday")                        # and the call goes on in the new voice
            assert await caller.wait_for_agent(timeout=30) is not None
        finally:
            await caller.hangup()


async def test_elevenlabs_dropping_mid_sentence_still_finishes_the_reply(voice_rig, monkeypatch):
    """respx hands the SDK whole bodies, so the drop is made where it shows: ElevenLabsTTS yields the
    first 0.1 s of the sentence and then the connection error, as it does when the socket resets."""
    from channels.voice.vendors.elevenlabs_tts import ElevenLabsTTS
    outage = {"on": False, "broken": 0}
    streamed = ElevenLabsTTS.synthesize

    async def synthesize(self, text: str):
        if not outage["on"]:
            async for chunk in streamed(self, text):
                yield chunk
            return
        outage["broken"] += 1
        yield _elevenlabs_body(text)[:800]
        raise httpx.ReadError("connection reset by peer")

    monkeypatch.setattr(ElevenLabsTTS, "synthesize", synthesize)
    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post(url__regex=r"https://api\.elevenlabs\.io/.*").mock(
            side_effect=lambda request: httpx.Response(200, content=_elevenlabs_body(request.read().decode())))
        rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0),
                              settings_overrides={"elevenlabs_api_key": "el-test-key", "elevenlabs_voice_id": "v1"})
        caller = await rig.connected_caller()
        try:
            await caller.wait_for_agent(timeout=30)
            session = rig.live(caller.call_sid)
            await asyncio.wait_for(session.playbacks[0].done.wait(), timeout=30)
            outage["on"] = True
            heard_before = len(caller.agent_track)
            await caller.say("I'd like to book with Doctor Raman")
            assert await caller.wait_for_agent(timeout=30) is not None, "the caller heard nothing"
            answer = session.playbacks[-1]
            await asyncio.wait_for(answer.done.wait(), timeout=30)
            assert answer.text == "What day works best for you?"
            # 0.1 s of the question came through before the drop; the caller must hear all of it
            # (espeak says it in over a second), or they cannot answer it.
            spoken = caller.agent_track[heard_before:].replace(b"\xff", b"")
            assert len(spoken) > 800 + 8000, f"only {len(spoken) / 8000:.2f} s of the reply was heard"
            assert outage["broken"] == 1 and "tts_failed" in [e[1] for e in session.events]
            assert type(session.tts).__name__ == "NaturalTTS" and not answer.interrupted
            await caller.say("Next Tuesday")
            assert await caller.wait_for_agent(timeout=30) is not None
        finally:
            await caller.hangup()
