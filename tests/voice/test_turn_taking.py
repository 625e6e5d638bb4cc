"""Turn-taking on a real socket: barge-in and back-channels, marks, DTMF, silence, goodbye, handoff."""
from __future__ import annotations

import asyncio
from datetime import datetime
from xml.etree import ElementTree

from channels.voice.call import VoiceConfig
from dialogue.states import BookingState
from tests.voice.conftest import until as _until


def _kinds(session) -> list[str]:
    return [e[1] for e in session.events]


async def test_barge_in_clears_within_150ms_and_records_what_was_heard(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=1.0, silence_seconds=30.0))
    caller = await rig.connected_caller()
    try:
        # let the first sentence of the (long) greeting play and its mark come back
        await _until(lambda: any(played for _, _, played in caller.marks_echoed), timeout=15)
        session = rig.live(caller.call_sid)
        greeting = session.playbacks[0]
        assert not greeting.finished
        spoke_at = caller.now()
        await caller.say("I'd like to book with Doctor Raman", wait=False)
        await _until(lambda: caller.clears, timeout=5)
        clear_event = next(e for e in session.events if e[1] == "clear")
        assert clear_event[2]["after_detect_ms"] <= 150, clear_event
        # from the first spoken frame: the barge-in threshold (300 ms) + detection, well under a second
        assert caller.clears[0] - spoke_at < 0.8
        assert greeting.interrupted and 0 < greeting.heard_upto < len(greeting.text)
        cut = await caller.wait_for_agent(timeout=20)          # what played of the greeting
        assert cut.cleared
        await caller._speaking_done.wait()
        reply = await caller.wait_for_agent(timeout=20)
        assert reply is not None
        assert session.playbacks[-1].text == "What day works best for you?"
        stored = await rig.session(caller.call_sid)
        first = next(t for t in stored.message_history if t.role == "assistant")
        assert first.meta["interrupted"] is True
        assert first.meta["heard_chars"] == greeting.heard_upto
        assert first.meta["unheard"] and first.meta["unheard"].strip().endswith("How can I help you today?")
    finally:
        await caller.hangup()


async def test_a_short_backchannel_does_not_interrupt(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=1.0, silence_seconds=30.0))
    caller = await rig.connected_caller()
    try:
        await _until(lambda: caller._turn_start is not None, timeout=15)
        await asyncio.sleep(0.5)
        uh_huh = await asyncio.to_thread(__import__("channels.voice.speech.tts", fromlist=["x"]).synthesize_ulaw_sync,
                                         "uh huh", speed=280)
        await caller.say("uh huh", audio=uh_huh)
        await asyncio.sleep(1.5)
        session = rig.live(caller.call_sid)
        assert not caller.clears
        assert "clear" not in _kinds(session)
        assert "backchannel" in _kinds(session)
        assert not session.playbacks[0].finished              # still greeting
        stored = await rig.session(caller.call_sid)
        assert not any(t.role == "patient" for t in stored.message_history)
    finally:
        await caller.hangup()


async def test_goodbye_ends_the_stream_only_after_the_farewell_played(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0))
    caller = await rig.connected_caller()
    try:
        await caller.wait_for_agent(timeout=20)
        await caller.say("goodbye")
        await caller.wait_closed(timeout=20)
        session = rig.finished(caller.call_sid)
        farewell = session.playbacks[-1]
        assert farewell.after == "hangup" and "goodbye" in farewell.text.lower()
        assert session.outcome == "goodbye" and "mark_timeout" not in _kinds(session)
        last_mark = f"{farewell.id}:{len(farewell.sentences) - 1}/{len(farewell.sentences)}"
        echoed = [t for t, name, played in caller.marks_echoed if name == last_mark and played]
        assert echoed and caller.closed_at >= echoed[0]
        after = await caller.after()
        assert "<Hangup" in after and "<Dial" not in after
    finally:
        await caller.close()


async def test_silence_reprompts_twice_then_closes_politely(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=0.6))
    caller = await rig.connected_caller()
    try:
        await caller.wait_closed(timeout=40)
        session = rig.finished(caller.call_sid)
        said = [p.text for p in session.playbacks]
        assert said[1].startswith("Sorry, I didn't hear anything.") and said[1].endswith("How can I help you today?")
        assert said[2].startswith("Are you still there?")
        assert "Goodbye" in said[3] and len(said) == 4
        assert session.outcome == "goodbye"
    finally:
        await caller.close()


async def test_keypad_zero_hands_off_and_the_action_dials_the_front_desk_with_a_whisper(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0))
    caller = await rig.connected_caller()
    try:
        await caller.wait_for_agent(timeout=20)
        # (what the caller wanted, straight into the engine: this test is about the keypad and transfer;
        # first let the call's worker record the greeting's playback, as it would before any turn)
        await _until(lambda: not rig.live(caller.call_sid).busy)
        await rig.engine.process(rig.clinic.id, "voice", "I'd like to book with Doctor Raman",
                                 channel_user_id=caller.call_sid)
        await caller.dtmf("0")
        await caller.wait_closed(timeout=20)
        session = rig.finished(caller.call_sid)
        assert session.outcome == "handoff"
        assert "front desk" in session.playbacks[-1].text
        stored = await rig.session(caller.call_sid)
        assert stored.current_state == BookingState.HANDED_OFF
        after = await caller.after()
        root = ElementTree.fromstring(after)
        number = root.find("Dial/Number")
        assert number is not None and number.text == "+13125550101"
        whisper = await caller.post_signed(number.get("url"), {**caller._call_params("in-progress"),
                                                               "ParentCallSid": caller.call_sid})
        said = ElementTree.fromstring(whisper.text).find("Say").text
        assert "book an appointment" in said and "Priya Raman" in said, (said, stored.collected_data, [t.text[:40] for t in stored.message_history])
        assert not any(ch.isdigit() for ch in said)
    finally:
        await caller.close()


async def test_after_hours_handoff_takes_a_message(voice_rig):
    evening = datetime.fromisoformat("2027-03-05T20:00:00-06:00")
    rig = await voice_rig(now=evening, config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0))
    caller = await rig.connected_caller()
    try:
        await caller.dtmf("0")
        await caller.wait_closed(timeout=30)
        after = await caller.after()
        record = ElementTree.fromstring(after).find("Record")
        assert record is not None and record.get("maxLength") == "120"
        assert "<Dial" not in after
        told = ElementTree.fromstring(after).find("Say").text            # before the tone: when they call back
        assert "front desk will call you back after we open tomorrow at 9 AM" in told, told
        done = await caller.post_signed(record.get("action"), {**caller._call_params("in-progress"),
                                                               "RecordingSid": "RE" + "1" * 32,
                                                               "RecordingDuration": "12"})
        assert "Thank you" in done.text and "<Hangup" in done.text
    finally:
        await caller.close()


async def test_a_second_socket_for_the_same_call_resumes_the_conversation(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0))
    first = rig.caller()
    await first.dial()
    await first.connect()
    await first.wait_for_agent(timeout=20)
    await first.say("I'd like to book with Doctor Raman")
    await first.wait_for_agent(timeout=20)
    assert rig.live(first.call_sid).playbacks[-1].text == "What day works best for you?"
    await first.close()                                         # the socket drops mid-call
    again = rig.caller(call_sid=first.call_sid)
    again.stream_url, again.parameters, again.action_url = first.stream_url, first.parameters, first.action_url
    await again.connect()
    try:
        await again.wait_for_agent(timeout=20)
        session = rig.live(again.call_sid)
        assert session.playbacks[0].text.startswith("Welcome back.") and "What day" in session.playbacks[0].text
    finally:
        await again.hangup()


async def test_keyed_digits_end_with_pound_or_a_pause(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0, dtmf_pause_seconds=1.0))
    caller = await rig.connected_caller()
    try:
        await caller.wait_for_agent(timeout=20)
        session = rig.live(caller.call_sid)
        session.expecting = "date_of_birth"                    # as if the last reply asked for it
        await caller.dtmf("304198#")
        turn = await caller.wait_for_agent(timeout=20)
        assert turn.latency < 0.8                              # '#' submits at once
        session.expecting = "phone"
        await caller.dtmf("3125550")
        turn = await caller.wait_for_agent(timeout=20)
        assert turn.latency >= 0.9                             # a 1 s pause submits the rest
        keyed = [e[2] for e in session.events if e[1] == "dtmf"]
        assert len(keyed) == 14 and all(d["digit"] in ("d", "#") for d in keyed)   # no digits in the log
    finally:
        await caller.hangup()


async def test_hanging_up_mid_reply_records_what_the_caller_heard(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=1.0, silence_seconds=30.0))
    caller = await rig.connected_caller()
    await _until(lambda: any(played for _, _, played in caller.marks_echoed), timeout=15)
    greeting = rig.live(caller.call_sid).playbacks[0]
    assert not greeting.finished
    await caller.hangup()
    await _until(lambda: rig.finished(caller.call_sid), timeout=10)
    stored = await rig.session(caller.call_sid)
    first = next(t for t in stored.message_history if t.role == "assistant")
    assert first.meta["interrupted"] is True
    assert 0 < first.meta["heard_chars"] < len(first.text)
    assert first.meta["unheard"].strip().endswith("How can I help you today?")
