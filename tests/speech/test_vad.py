from channels.voice.speech.codec import split_frames
from channels.voice.speech.vad import SpeechStartedEvent, UtteranceEndedEvent, UtteranceSegmenter

from .helpers import clip, silence


def run(seg: UtteranceSegmenter, ulaw: bytes):
    events = []
    for frame in split_frames(ulaw):
        events += [(seg.frame_index + 0, ev) for ev in seg.feed(frame)]
    return events


def test_speech_then_silence_gives_started_then_ended():
    speech = clip("book_raman")
    seg = UtteranceSegmenter(min_speech_ms=200, end_silence_ms=650, pre_roll_ms=300)
    events = run(seg, silence(1000) + speech + silence(1500))
    kinds = [type(ev) for _, ev in events]
    assert kinds == [SpeechStartedEvent, UtteranceEndedEvent]
    started, ended = events[0][1], events[1][1]
    # voice begins ~1 s in (50 frames); confirmed once 200 ms of it was heard
    assert 45 <= started.frame_index <= 60
    assert abs(started.t - started.frame_index * 0.02) < 1e-9
    assert started.detected_at >= started.frame_index + 9
    # the end is reported after ~650 ms of silence, with the whole utterance incl. pre-roll
    end_at = events[1][0]
    assert end_at - ended.end_frame >= 32
    speech_ms = len(speech) // 8
    assert ended.duration_ms >= speech_ms - 300
    assert ended.duration_ms <= speech_ms + 300 + 100
    assert seg.speech_ms == 0 and not seg.in_speech


def test_a_150_ms_blip_emits_nothing():
    speech = clip("book_raman")
    # 150 ms of voiced speech from the middle of the clip
    blip = speech[8000:8000 + 150 * 8]
    seg = UtteranceSegmenter(min_speech_ms=200)
    assert run(seg, silence(500) + blip + silence(1500)) == []


def test_running_speech_duration_for_barge_in():
    speech = clip("book_raman")
    seg = UtteranceSegmenter()
    durations = []
    for frame in split_frames(silence(300) + speech[:8000]):
        seg.feed(frame)
        durations.append(seg.speech_ms)
    assert max(durations) >= 300                        # > 300 ms: barge-in territory
    assert durations == sorted(durations) or max(durations) == durations[-1]


def test_flush_closes_an_open_utterance():
    seg = UtteranceSegmenter()
    run(seg, silence(200) + clip("book_raman"))
    events = seg.flush()
    assert len(events) == 1 and isinstance(events[0], UtteranceEndedEvent) and events[0].forced
