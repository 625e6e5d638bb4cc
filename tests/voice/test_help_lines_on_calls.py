"""On a call, every crisis script is spoken with its help lines read digit by digit, to its end: a
caller who talks over it does not cut the numbers off. Deepgram is the fake on loopback (the
caller's words arrive as its transcript); the detector is given each script's assessment."""
from __future__ import annotations

import asyncio

import pytest

from channels.voice.call import VoiceConfig
from safety.crisis import Severity
from safety.pipeline import SafetyPipeline
from tests.channels.test_help_lines_by_channel import HELP_SCRIPTS, ForcedDetector
from tests.safety.test_help_lines import Forced, expected_numbers
from tests.voice.fake_deepgram import FakeDeepgram
from tests.voice.test_vendors import DG, _mulaw_tone


async def _call_with(rig_factory, fake, detector=None, rate: float = 16.0):
    rig = await rig_factory(config=VoiceConfig(playback_rate=rate, silence_seconds=30.0),
                            settings_overrides={**DG, "deepgram_url": fake.url})
    if detector is not None:
        rig.services.engine.safety.inner = SafetyPipeline(crisis=detector)
    caller = await rig.connected_caller()
    greeting = await _playback(rig, caller, "greeting")
    await asyncio.wait_for(greeting.done.wait(), 30)
    return rig, caller


async def _playback(rig, caller, kind: str):
    """The call's first playback of this kind, once it has started."""
    for _ in range(3000):
        session = rig.live(caller.call_sid)
        pb = next((p for p in session.playbacks if p.kind == kind), None) if session else None
        if pb is not None:
            return pb
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {kind} played")


@pytest.mark.parametrize("lang,cat,sev", HELP_SCRIPTS)
async def test_every_script_is_spoken_with_its_numbers(voice_rig, lang, cat, sev):
    detector = ForcedDetector()
    detector.next = Forced(Severity[sev], cat, lang, [cat])
    numbers = expected_numbers(lang, cat, sev, spoken=True)
    async with FakeDeepgram(["(the caller's message)"]) as fake:
        rig, caller = await _call_with(voice_rig, fake, detector, rate=64.0)
        try:
            await caller.say("(the caller's message)", audio=_mulaw_tone(0.8))
            pb = await _playback(rig, caller, "reply")
            await asyncio.wait_for(pb.done.wait(), 30)
            assert all(n in pb.text for n in numbers), (numbers, pb.text)
            assert not pb.interrupted and pb.heard == pb.text
        finally:
            await caller.hangup()


async def test_talking_over_a_safety_reply_does_not_cut_the_numbers(voice_rig):
    text = "My toddler swallowed some of my iron pills"
    async with FakeDeepgram([text, "hello? hello?"]) as fake:
        rig, caller = await _call_with(voice_rig, fake)
        try:
            session = rig.live(caller.call_sid)
            await caller.say(text, audio=_mulaw_tone(0.8))
            for _ in range(300):                       # the reply has started playing
                pb = session.current
                if pb is not None and pb.kind == "reply" and pb.audio_seconds > 0:
                    break
                await asyncio.sleep(0.01)
            assert "1 8 0 0, 2 2 2, 1 2 2 2" in pb.text
            await caller.say("hello? hello?", audio=_mulaw_tone(1.5))     # talks over it
            await asyncio.wait_for(pb.done.wait(), 30)
            assert not pb.interrupted and pb.heard == pb.text
            assert any(what == "barge_in_held" for _, what, _ in session.events)     # it did try to cut in
        finally:
            await caller.hangup()

