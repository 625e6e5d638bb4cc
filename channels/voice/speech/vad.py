"""Utterance segmentation of Twilio's 20 ms mu-law frames with webrtcvad plus hangover.

States: idle -> candidate (voice heard, not yet ``min_speech_ms`` of it) -> speech -> idle.
* A frame is voiced when webrtcvad says so and its RMS is above ``min_rms``.
* ``SpeechStarted`` is emitted once a candidate has accumulated ``min_speech_ms`` of voiced frames
  (blips and clicks shorter than that emit nothing); it carries the frame index / time where the
  voice began, not where it was confirmed.
* ``UtteranceEnded`` is emitted after ``end_silence_ms`` of unvoiced frames (or at
  ``max_utterance_ms``), with the 8 kHz 16-bit PCM of the utterance: ``pre_roll_ms`` before the
  onset and at most ``tail_ms`` of the trailing silence.
* ``speech_ms`` is the running duration of the current speech (0 when idle) so the caller can
  decide barge-in (speech during playback > ~300 ms) versus a short back-channel ("mm-hm").
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Union

import numpy as np
import webrtcvad

from .codec import FRAME_BYTES, FRAME_MS, SAMPLE_RATE, ulaw_to_pcm


@dataclass(frozen=True)
class SpeechStartedEvent:
    frame_index: int        # first voiced frame of the utterance (0-based, frames since start)
    t: float                # seconds since the segmenter's first frame
    detected_at: int        # frame index at which it was confirmed (min_speech reached)


@dataclass(frozen=True)
class UtteranceEndedEvent:
    pcm: bytes              # 8 kHz 16-bit mono PCM incl. pre-roll and a short tail
    start_frame: int
    end_frame: int          # last voiced frame
    speech_ms: int          # onset to last voiced frame
    forced: bool = False    # cut at max_utterance_ms

    @property
    def duration_ms(self) -> int:
        return len(self.pcm) // 2 * 1000 // SAMPLE_RATE


SegmenterEvent = Union[SpeechStartedEvent, UtteranceEndedEvent]


class UtteranceSegmenter:
    def __init__(self, aggressiveness: int = 2, *, min_speech_ms: int = 200,
                 end_silence_ms: int = 650, pre_roll_ms: int = 300, tail_ms: int = 0,
                 max_utterance_ms: int = 15000, candidate_gap_ms: int = 100,
                 min_rms: float = 100.0) -> None:
        if not 0 <= aggressiveness <= 3:
            raise ValueError("aggressiveness is 0..3")
        self._vad = webrtcvad.Vad(aggressiveness)
        self.min_speech_frames = max(1, min_speech_ms // FRAME_MS)
        self.end_silence_frames = max(1, end_silence_ms // FRAME_MS)
        self.pre_roll_frames = pre_roll_ms // FRAME_MS
        self.tail_frames = tail_ms // FRAME_MS
        self.max_frames = max_utterance_ms // FRAME_MS
        self.candidate_gap_frames = max(1, candidate_gap_ms // FRAME_MS)
        self.min_rms = min_rms
        self.reset()

    def reset(self) -> None:
        self.frame_index = -1
        self._state = "idle"
        self._pre: deque[bytes] = deque(maxlen=self.pre_roll_frames or 1)
        self._buf: list[bytes] = []
        self._start = 0
        self._pre_len = 0
        self._last_voiced = 0
        self._voiced = 0
        self._silence = 0

    @property
    def in_speech(self) -> bool:
        return self._state == "speech"

    @property
    def speech_ms(self) -> int:
        """Running duration of the current (confirmed or candidate) speech, 0 when idle."""
        if self._state == "idle":
            return 0
        return (self._last_voiced - self._start + 1) * FRAME_MS

    def is_speech(self, frame: bytes) -> bool:
        return self._voiced_pcm(ulaw_to_pcm(frame))

    def _voiced_pcm(self, pcm: bytes) -> bool:
        # webrtcvad keeps saying "speech" for ~60 ms after a sound stops (its own hangover);
        # an energy floor (-50 dBFS by default) stops near-silent frames counting as speech,
        # so a 150 ms blip stays below min_speech_ms.
        if self.min_rms > 0:
            x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
            if np.sqrt(np.mean(x * x)) < self.min_rms:
                return False
        return self._vad.is_speech(pcm, SAMPLE_RATE)

    def feed(self, frame: bytes) -> list[SegmenterEvent]:
        """Feed one 20 ms mu-law frame (160 bytes); returns the events it caused."""
        if len(frame) != FRAME_BYTES:
            raise ValueError(f"expected a {FRAME_BYTES}-byte mu-law frame, got {len(frame)}")
        self.frame_index += 1
        pcm = ulaw_to_pcm(frame)
        voiced = self._voiced_pcm(pcm)
        events: list[SegmenterEvent] = []
        i = self.frame_index

        if self._state == "idle":
            if voiced:
                self._state = "candidate"
                self._buf = list(self._pre) if self.pre_roll_frames else []
                self._pre_len = len(self._buf)
                self._buf.append(pcm)
                self._start = self._last_voiced = i
                self._voiced, self._silence = 1, 0
                if self._voiced >= self.min_speech_frames:
                    self._confirm(events, i)
            else:
                self._pre.append(pcm)
            return events

        self._buf.append(pcm)
        if voiced:
            self._voiced += 1
            self._silence = 0
            self._last_voiced = i
        else:
            self._silence += 1

        if self._state == "candidate":
            if voiced and self._voiced >= self.min_speech_frames:
                self._confirm(events, i)
            elif self._silence >= self.candidate_gap_frames:
                # a blip: forget it, keep its audio as pre-roll context
                for f in self._buf[self._pre_len:]:
                    self._pre.append(f)
                self._state = "idle"
                self._buf = []
            return events

        # speech
        if self._silence >= self.end_silence_frames or (i - self._start + 1) >= self.max_frames:
            forced = self._silence < self.end_silence_frames
            keep = len(self._buf) - self._silence + min(self._silence, self.tail_frames)
            events.append(UtteranceEndedEvent(
                pcm=b"".join(self._buf[:keep]), start_frame=self._start,
                end_frame=self._last_voiced,
                speech_ms=(self._last_voiced - self._start + 1) * FRAME_MS, forced=forced))
            self._state = "idle"
            self._buf = []
            self._pre.clear()
        return events

    def _confirm(self, events: list[SegmenterEvent], i: int) -> None:
        self._state = "speech"
        events.append(SpeechStartedEvent(frame_index=self._start, t=self._start * FRAME_MS / 1000,
                                         detected_at=i))

    def flush(self) -> list[SegmenterEvent]:
        """End of stream: close a confirmed utterance that is still open."""
        if self._state != "speech":
            self.reset_state()
            return []
        keep = len(self._buf) - self._silence + min(self._silence, self.tail_frames)
        ev = UtteranceEndedEvent(pcm=b"".join(self._buf[:keep]), start_frame=self._start,
                                 end_frame=self._last_voiced,
                                 speech_ms=(self._last_voiced - self._start + 1) * FRAME_MS,
                                 forced=True)
        self.reset_state()
        return [ev]

    def reset_state(self) -> None:
        self._state = "idle"
        self._buf = []
        self._pre.clear()
