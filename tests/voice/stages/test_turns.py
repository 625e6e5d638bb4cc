"""Turn detection: speech over a reply takes the turn after `barge_in_ms` (a back-channel interim
may run to `backchannel_hold_ms`); speech that ends sooner is a back-channel whose final is dropped."""
from __future__ import annotations

from channels.voice.speech.vad import SpeechStartedEvent, UtteranceEndedEvent
from channels.voice.stages.turns import BargeIn, CallerStarted, CallerStopped, TurnDetector

from tests.voice.stages.fakes import ScriptedVAD

FRAME = b"\xff" * 160


def _detector() -> tuple[TurnDetector, ScriptedVAD]:
    vad = ScriptedVAD()
    return TurnDetector(barge_in_ms=300, backchannel_hold_ms=800, segmenter=vad), vad


def _ended(ms: int) -> UtteranceEndedEvent:
    return UtteranceEndedEvent(pcm=b"", start_frame=0, end_frame=0, speech_ms=ms)


def test_speech_over_a_reply_barges_in_once_it_lasts_long_enough():
    turns, vad = _detector()
    vad.next = [SpeechStartedEvent(frame_index=0, t=0.0, detected_at=10)]
    vad.speech_ms = 200
    assert turns.feed(FRAME, 10.0, playing=True) == [CallerStarted(during_playback=True)]
    assert turns.caller_speaking and turns.detected_at == 10.0
    vad.speech_ms = 300
    assert turns.feed(FRAME, 10.1, playing=True) == [BargeIn()]
    turns.barged_in()
    assert turns.feed(FRAME, 10.12, playing=True) == []          # the turn was taken once


def test_speech_while_the_agent_is_silent_never_barges_in():
    turns, vad = _detector()
    vad.next = [SpeechStartedEvent(frame_index=0, t=0.0, detected_at=10)]
    vad.speech_ms = 2000
    assert turns.feed(FRAME, 10.0, playing=False) == [CallerStarted(during_playback=False)]
    assert turns.feed(FRAME, 10.02, playing=False) == []


def test_an_interim_okay_holds_the_barge_in_up_to_the_backchannel_limit():
    turns, vad = _detector()
    vad.next = [SpeechStartedEvent(frame_index=0, t=0.0, detected_at=10)]
    turns.feed(FRAME, 10.0, playing=True)
    turns.interim("Okay.")
    vad.speech_ms = 500
    assert turns.feed(FRAME, 10.5, playing=True) == []
    vad.speech_ms = 800
    assert turns.feed(FRAME, 10.8, playing=True) == [BargeIn()]


def test_short_speech_over_a_reply_is_a_backchannel_and_its_final_is_dropped():
    turns, vad = _detector()
    vad.next = [SpeechStartedEvent(frame_index=0, t=0.0, detected_at=10)]
    turns.feed(FRAME, 10.0, playing=True)
    vad.next, vad.speech_ms = [_ended(220)], 0
    assert turns.feed(FRAME, 10.3, playing=True) == [CallerStopped(backchannel_ms=220)]
    assert not turns.caller_speaking
    onset = turns.clock.time_of(0)
    assert turns.is_backchannel(onset, "mm hmm", playing=False)             # the same audio's final
    assert not turns.is_backchannel(onset + 5.0, "book me in", playing=False)
    assert turns.is_backchannel(None, "uh-huh", playing=True)              # said over a reply
    assert not turns.is_backchannel(None, "uh-huh", playing=False)         # an answer to a question


def test_an_utterance_between_replies_is_not_a_backchannel():
    turns, vad = _detector()
    vad.next = [SpeechStartedEvent(frame_index=0, t=0.0, detected_at=10)]
    turns.feed(FRAME, 10.0, playing=False)
    vad.next = [_ended(900)]
    assert turns.feed(FRAME, 11.0, playing=False) == [CallerStopped(backchannel_ms=None)]
    assert turns.backchannels == []
