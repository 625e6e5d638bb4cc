"""What the call loop needs around the speech protocols (channels/voice/speech/protocols.py).

`SpeechToText` events carry times on the audio timeline (seconds since `start()`); the loop maps
them back to the moment the caller's frames arrived (`FrameClock`), which is what per-turn
latency is measured from. `EXPECTING_TO_GRAMMAR` turns the engine's question into a recogniser
question type.
"""
from __future__ import annotations

import time
from collections import deque

from channels.voice.speech.protocols import (Final, Interim, SpeechContext, SpeechEvent, SpeechStarted,
                                             SpeechToText, TextToSpeech)

__all__ = ["BACKCHANNELS", "is_backchannel", "EXPECTING_TO_GRAMMAR", "FRAME_SECONDS", "Final", "FrameClock", "Interim",
           "SpeechContext", "SpeechEvent", "SpeechStarted", "SpeechToText", "TextToSpeech", "question_for"]

FRAME_SECONDS = 0.02


class FrameClock:
    """Remembers when each inbound frame arrived, so audio positions map back to wall time."""

    def __init__(self, keep: int = 3000) -> None:
        self.count = 0
        self._times: deque[float] = deque(maxlen=keep)   # arrival time of frames [count-len, count)

    def tick(self, now: float | None = None) -> int:
        self._times.append(time.monotonic() if now is None else now)
        self.count += 1
        return self.count - 1

    def time_of(self, index: int) -> float | None:
        first = self.count - len(self._times)
        if not self._times:
            return None
        index = min(max(index, first), self.count - 1)
        return self._times[index - first]

    def time_at_seconds(self, seconds: float) -> float | None:
        # + 1e-9: a frame's own start time maps back to it (0.06 / 0.02 == 2.9999999999999996)
        return self.time_of(int(seconds / FRAME_SECONDS + 1e-9))


# The question types of the embedded recogniser's grammars, per engine question.
EXPECTING_TO_GRAMMAR = {
    None: "opening", "opening": "opening", "provider": "provider", "date": "date", "time": "time",
    "slot_choice": "choice", "patient_name": "name", "date_of_birth": "date", "phone": "yes_no",
    "reason": "reason", "confirm": "yes_no", "appointment_choice": "choice", "handoff_offer": "yes_no",
    "confirm_identity": "yes_no",
}



def question_for(expecting: str | None) -> str:
    return EXPECTING_TO_GRAMMAR.get(expecting, "opening")


BACKCHANNELS = frozenset({"uh huh", "uh-huh", "mm hmm", "mhm", "mm", "hmm", "okay", "ok", "yeah", "yep", "right",
                          "sure", "got it", "i see", "alright", "all right"})


def is_backchannel(text: str) -> bool:
    """Words such as "uh-huh" or "okay." that a caller says over the agent without taking the turn."""
    return text.strip(" .,!?").lower() in BACKCHANNELS
