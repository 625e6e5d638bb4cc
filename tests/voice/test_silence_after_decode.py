"""The silence reprompt waits for the answer being decoded.

Issue 13's bookings bench under load: an answer that took longer to decode than the call's silence
timer was talked over with "Sorry, I didn't hear anything", counted from the end of the caller's
speech. The silence now counts from when the line is quiet: no reply playing, no turn in progress,
and no utterance still open or being decoded."""
from __future__ import annotations

import asyncio

import pytest

from channels.voice.call import VoiceConfig
from channels.voice.speech.combined import CombinedRecognition

pytestmark = pytest.mark.serial        # times what a caller hears: run alone (scripts/test)

DECODE_SECONDS = 2.5                   # longer than the silence timer below


async def test_a_slow_decode_is_answered_not_reprompted(voice_rig, monkeypatch):
    recognise = CombinedRecognition.recognise

    async def slow(self, *args, **kw):
        heard = await recognise(self, *args, **kw)
        await asyncio.sleep(DECODE_SECONDS)          # a loaded server
        return heard
    monkeypatch.setattr(CombinedRecognition, "recognise", slow)
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=1.0))
    caller = await rig.connected_caller()
    try:
        assert await caller.wait_for_agent(timeout=30) is not None          # the greeting
        await caller.say("I'd like to book with Doctor Raman")
        assert await caller.wait_for_agent(timeout=30) is not None
        call = rig.live(caller.call_sid)
        said = [p.text for p in call.playbacks]
        assert not any(s.startswith("Sorry, I didn't hear anything") for s in said[:2]), said
        assert "reprompt" not in [e[1] for e in call.events], said
        assert said[1].startswith("What day") or "Raman" in said[1], said
    finally:
        await caller.close()
