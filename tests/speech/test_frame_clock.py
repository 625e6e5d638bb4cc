"""The call's frame clock maps an STT event's audio time back to when that frame arrived."""
from channels.voice.ports import FrameClock


def test_every_frames_start_time_maps_back_to_that_frame():
    clock = FrameClock()
    for i in range(500):
        clock.tick(now=1000.0 + i)          # frame i arrived at 1000 + i
    assert all(clock.time_at_seconds(i * 0.02) == 1000.0 + i for i in range(500))
    assert clock.time_at_seconds(0.0299) == 1001.0          # inside frame 1
