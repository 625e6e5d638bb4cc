"""Speech protocols the voice channel talks to. Embedded (pocketsphinx / espeak-ng) and vendor
(Deepgram / ElevenLabs) implementations are chosen once at start-up from settings.

Audio in both directions is Twilio's: raw mu-law, 8 kHz, mono, 20 ms frames of 160 bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import AsyncIterator, Protocol, Union, runtime_checkable

from .grammar import Provider


@dataclass
class SpeechContext:
    """What a recogniser may know about the call (no PHI beyond what the grammar needs)."""
    call_id: str
    clinic_id: str
    providers: list[Provider] = field(default_factory=list)
    patient_names: list[str] = field(default_factory=list)
    question: str = "opening"
    language: str = "en-US"


@dataclass(frozen=True)
class SpeechStarted:
    t: float                    # seconds since start() at which the caller's voice began


@dataclass(frozen=True)
class Interim:
    text: str                   # partial transcript (vendors only; the embedded STT has none)


@dataclass(frozen=True)
class Final:
    """End of the caller's turn. ``accepted`` False: off-topic, unintelligible or nothing the
    current question expects -> re-prompt (or offer the front desk). ``guess`` (embedded
    recogniser only): the closest answer the grammar allows; the channel may ask "Did you say
    <guess>?" and use it only if the caller says yes."""
    text: str
    accepted: bool
    confidence: float
    question: str = ""
    t_start: float = 0.0
    t_end: float = 0.0
    escape: str | None = None   # 'human' | 'repeat' | 'goodbye'
    latency_ms: float = 0.0     # end of speech detected -> Final emitted
    guess: str = ""             # set only when not accepted (see above)
    # Which recognisers heard this answer (the embedded combined recogniser only; empty elsewhere):
    # ('grammar', 'whisper') when both meant the same, one name when the other disagreed or was unsure.
    heard_by: tuple[str, ...] = ()


SpeechEvent = Union[SpeechStarted, Interim, Final]


@runtime_checkable
class SpeechToText(Protocol):
    async def start(self, context: SpeechContext) -> None: ...

    async def send_audio(self, mulaw_frame: bytes) -> None: ...

    def set_expected(self, question: str) -> None:
        """The question the caller is answering (opening, provider, date, time, yes_no, choice, name,
        reason). Grammar recognisers switch grammar; vendors may use it as a keyword hint."""
        ...

    def events(self) -> AsyncIterator[SpeechEvent]: ...

    async def close(self) -> None: ...


@runtime_checkable
class TextToSpeech(Protocol):
    def synthesize(self, text: str) -> AsyncIterator[bytes]:
        """Yield mu-law 8 kHz audio in chunks of whole 160-byte frames; the first chunk as early
        as possible. Closing the iterator early (barge-in) stops synthesis."""
        ...
