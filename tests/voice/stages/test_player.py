"""The player with a recording output and a scripted voice: a mark after each sentence, what the
caller heard from the marks, a barge-in that clears (but not a reply with help lines), a voice
that fails handing over to the fallback, and frames paced against Twilio's buffer."""
from __future__ import annotations

import asyncio

from channels.voice.call_types import AudioCache, Playback, VoiceConfig
from channels.voice.stages.player import Player

from tests.voice.stages.fakes import FakeClock, RecordingOutput, ScriptedTTS


def _player(tts=None, fallback=None, **config):
    out, clock, notes, started, finished = RecordingOutput(), FakeClock(), [], [], []
    cfg = VoiceConfig(**{"mark_grace_seconds": 5.0, **config})
    player = Player(out, tts or ScriptedTTS(), cfg, note=lambda what, **d: notes.append(what),
                    on_started=started.append, on_finished=finished.append, fallback_tts=fallback,
                    cache=AudioCache(), clock=clock, sleep=clock.sleep)
    return player, out, notes, started, finished


async def _until(check, rounds: int = 500) -> None:
    for _ in range(rounds):
        if check():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def test_each_sentence_is_followed_by_its_mark_and_the_last_mark_finishes_the_reply():
    player, out, _, started, finished = _player()
    pb = Playback("Hello there. How can I help?")
    await player.play(pb)
    await _until(lambda: len(out.marks()) == 2)
    assert out.kinds() == ["media"] * 3 + ["mark"] + ["media"] * 3 + ["mark"]
    assert out.marks() == [f"{pb.id}:0/2", f"{pb.id}:1/2"]       # which sentence, of how many
    assert started == [pb] and player.playing
    player.on_mark(f"{pb.id}:0/2")
    assert pb.heard == "Hello there." and not pb.finished
    player.on_mark("999:1/2")                        # not ours: ignored
    player.on_mark(f"{pb.id}:1/2")
    assert pb.finished and not pb.interrupted and pb.heard == pb.text and finished == [pb]
    await player.close()


async def test_a_barge_in_clears_what_was_sent_and_keeps_what_was_heard():
    player, out, notes, _, finished = _player()
    pb = Playback("Hello there. How can I help?")
    await player.play(pb)
    await _until(lambda: out.marks())
    player.on_mark(f"{pb.id}:0")
    cut = await player.barge_in("speech", detected_at=None)
    assert cut is pb and pb.interrupted and pb.heard == "Hello there." and finished == [pb]
    assert out.kinds()[-1] == "clear" and "clear" in notes and not player.playing
    await player.close()


async def test_a_reply_with_help_lines_is_not_cleared_by_a_barge_in():
    player, out, notes, _, _ = _player()
    pb = Playback("Call 9 1 1 now.", must_finish=True)
    await player.play(pb)
    assert await player.barge_in("speech") is None
    assert "clear" not in out.kinds() and "barge_in_held" in notes and player.playing
    await player.close()
    assert pb.interrupted                          # the caller hung up over it


async def test_a_new_reply_stops_the_last_and_finishes_it_as_interrupted():
    player, out, _, _, finished = _player()
    first, second = Playback("One. Two."), Playback("Three.")
    await player.play(first)
    await player.play(second)
    assert first.finished and first.interrupted and finished == [first]
    assert player.current is second and player.playbacks == [first, second]
    await player.close()


async def test_a_failing_voice_hands_the_call_to_the_fallback():
    fallback = ScriptedTTS(fill=0x11)
    player, out, notes, _, _ = _player(tts=ScriptedTTS(fail=True), fallback=fallback)
    await player.play(Playback("Hello."))
    await _until(lambda: out.marks())
    assert player.tts is fallback and fallback.said == ["Hello."] and "tts_failed" in notes
    assert {f for k, f in out.sent if k == "media"} == {b"\x11" * 160}
    await player.close()


async def test_frames_are_paced_to_stay_a_lead_ahead_of_twilio():
    player, out, _, _, _ = _player(tts=ScriptedTTS(frames=50), lead_seconds=0.3)
    start = player._clock()
    pb = Playback("A long sentence.")
    await player.play(pb)
    await _until(lambda: out.marks())
    # 50 frames = 1 s of audio, each sent at most 0.3 s (+ the frame) ahead of Twilio's play-out
    assert abs((player.buffer_until - start) - 1.0) < 1e-6
    assert 0 < player.buffer_until - player._clock() <= 0.3 + 0.02 + 1e-6
    assert abs(pb.audio_seconds - 1.0) < 1e-9
    await player.close()


async def test_the_last_mark_never_coming_back_finishes_the_reply_after_the_grace():
    player, out, notes, _, finished = _player(mark_grace_seconds=0.05)
    pb = Playback("Hello.")
    await player.play(pb)
    await asyncio.wait_for(pb.done.wait(), timeout=3)
    assert "mark_timeout" in notes and not pb.interrupted and finished == [pb]
