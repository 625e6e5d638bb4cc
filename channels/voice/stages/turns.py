"""Turn detection and barge-in: whose turn it is, from a local VAD on the caller's frames.

Speech that starts while the agent plays is an *overlap*. An overlap that lasts `barge_in_ms` takes
the turn (the call clears the reply); an interim transcript that is a back-channel ("okay",
"uh-huh") may run up to `backchannel_hold_ms` first. An overlap that ends before that is a
back-channel: remembered, so the recogniser's final for the same audio is dropped, not answered.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, Union

from channels.voice.ports import FrameClock, is_backchannel
from channels.voice.speech.vad import SpeechStartedEvent, UtteranceEndedEvent, UtteranceSegmenter


class Segmenter(Protocol):
    """What the detector reads (channels/voice/speech/vad.py's `UtteranceSegmenter`)."""
    speech_ms: int

    def feed(self, frame: bytes) -> Sequence[object]: ...


@dataclass(frozen=True)
class CallerStarted:
    during_playback: bool


@dataclass(frozen=True)
class CallerStopped:
    backchannel_ms: int | None     # set when it was speech over the agent that never took the turn


@dataclass(frozen=True)
class BargeIn:
    """The caller has talked over the agent long enough to take the turn."""


TurnEvent = Union[CallerStarted, CallerStopped, BargeIn]


class TurnDetector:
    def __init__(self, *, barge_in_ms: int, backchannel_hold_ms: int, segmenter: Segmenter | None = None) -> None:
        self.barge_in_ms, self.backchannel_hold_ms = barge_in_ms, backchannel_hold_ms
        self.vad: Segmenter = segmenter or UtteranceSegmenter(2, min_speech_ms=200, end_silence_ms=300, pre_roll_ms=0)
        self.clock = FrameClock()                  # when each frame the VAD saw arrived
        self.speech_onset: float | None = None     # the caller is speaking since then
        self.detected_at: float | None = None      # when that speech was confirmed
        self.overlap_onset: float | None = None    # ... and it began over the agent
        self.backchannels: list[tuple[float, float]] = []
        self.last_interim = ""

    @property
    def caller_speaking(self) -> bool:
        return self.speech_onset is not None

    def feed(self, frame: bytes, now: float, *, playing: bool) -> list[TurnEvent]:
        """One 20 ms frame of the caller; `playing`: the agent is speaking."""
        self.clock.tick(now)
        out: list[TurnEvent] = []
        for event in self.vad.feed(frame):
            if isinstance(event, SpeechStartedEvent):
                self.speech_onset = self.clock.time_of(event.frame_index)
                self.detected_at = now
                self.last_interim = ""
                self.overlap_onset = self.speech_onset if playing else None
                out.append(CallerStarted(during_playback=playing))
            elif isinstance(event, UtteranceEndedEvent):
                backchannel = None
                if self.overlap_onset is not None:     # spoke over us and never reached barge-in
                    self.backchannels.append((self.overlap_onset, now))
                    self.backchannels = self.backchannels[-20:]
                    backchannel = event.speech_ms
                self.overlap_onset = self.speech_onset = None
                out.append(CallerStopped(backchannel_ms=backchannel))
        if self.overlap_onset is not None and playing and self.vad.speech_ms >= self.barge_in_ms:
            held = is_backchannel(self.last_interim)
            if not (held and self.vad.speech_ms < self.backchannel_hold_ms):
                out.append(BargeIn())
        return out

    def interim(self, text: str) -> None:
        """The recogniser's running guess at the current utterance (read for back-channels)."""
        self.last_interim = text

    def barged_in(self) -> None:
        """The reply was cleared: this overlap has taken the turn."""
        self.overlap_onset = None

    def is_backchannel(self, onset: float | None, text: str, *, playing: bool) -> bool:
        """Whether a final transcript (its speech began at `onset`) is a back-channel to drop."""
        if onset is not None and any(abs(onset - start) < 0.3 or start <= onset <= end
                                     for start, end in self.backchannels):
            return True
        return playing and is_backchannel(text)
