"""What a call carries: its settings, a reply being played (and what of it was heard), a cache of
synthesised phrases, and who is calling which clinic."""
from __future__ import annotations

import asyncio
import itertools
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from channels.voice.ports import SpeechContext
from channels.voice.speech.tts import split_sentences
from dialogue.ports import Clinic

log = logging.getLogger("channels.voice.call")

_PLAYBACK_IDS = itertools.count(1)


@dataclass
class VoiceConfig:
    barge_in_ms: int = 300            # caller speech during playback that interrupts
    backchannel_hold_ms: int = 800    # an interim "okay"/"uh-huh" may run this long without interrupting
    silence_seconds: float = 6.0
    max_reprompts: int = 2
    dtmf_pause_seconds: float = 3.0   # ends a date of birth or phone number typed without `#`
    key_pause_seconds: float = 1.5    # ends any other entry (a lone 0 then asks for a person)
    lead_seconds: float = 0.3         # audio sent ahead of Twilio's playback position
    playback_rate: float = 1.0        # >1 only in tests, with a simulator that plays as fast
    mark_grace_seconds: float = 3.0   # wait this long past the expected end for the last mark
    start_timeout_seconds: float = 10.0
    max_bad_messages: int = 200       # malformed messages tolerated before the stream is closed
    escape_sure: float = 0.9          # a goodbye or "a person, please" heard less surely is confirmed first

    @classmethod
    def from_settings(cls, settings: Any) -> "VoiceConfig":
        return cls(barge_in_ms=settings.voice_barge_in_ms, silence_seconds=settings.voice_silence_seconds)


class AudioCache:
    """Process-wide LRU of synthesised sentences for fixed phrases (greetings, reprompts)."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.size = size

    def get(self, voice: str, text: str) -> bytes | None:
        hit = self._items.get((voice, text))
        if hit is not None:
            self._items.move_to_end((voice, text))
        return hit

    def put(self, voice: str, text: str, audio: bytes) -> None:
        self._items[(voice, text)] = audio
        while len(self._items) > self.size:
            self._items.popitem(last=False)


AUDIO_CACHE = AudioCache()


@dataclass
class Playback:
    """One reply being played; `timings` holds monotonic marks of its turn (speech_end, final_at, ...)."""
    text: str
    kind: str = "reply"               # reply | greeting | reprompt | apology
    after: str | None = None          # None | "hangup" | "handoff"
    engine_turn: bool = True          # the engine holds this text as its last assistant turn
    cache: bool = False
    must_finish: bool = False         # a reply with help lines: barge-in does not cut it (911, 988, ...)
    timings: dict[str, float] = field(default_factory=dict)
    id: int = field(default_factory=lambda: next(_PLAYBACK_IDS))

    def __post_init__(self) -> None:
        self.sentences = split_sentences(self.text)
        self.ends: list[int] = []
        pos = 0
        for sentence in self.sentences:
            found = self.text.find(sentence, pos)
            pos = found + len(sentence) if found >= 0 else min(len(self.text), pos + len(sentence) + 1)
            self.ends.append(pos)
        self.heard_upto = 0
        self.audio_seconds = 0.0
        self.done = asyncio.Event()
        self.interrupted = False
        self.finished = False

    @property
    def heard(self) -> str:
        return self.text[:self.heard_upto]

    def spans_ms(self) -> dict[str, float]:
        """The turn's stages in ms, for those whose two marks were both recorded."""
        t = self.timings
        return {name: max(0.0, t[b] - t[a]) * 1000 for name, a, b, _ in TURN_SPANS if a in t and b in t}


# (reported name, from mark, to mark, metrics stage)
TURN_SPANS = (("stt_final_ms", "speech_end", "final_at", "stt_final"),
              ("engine_ms", "engine_start", "engine_end", "engine"),
              ("tts_first_byte_ms", "engine_end", "tts_first_byte", "tts_first_byte"),
              ("first_media_ms", "speech_end", "first_media", "first_media"))


@dataclass
class CallInfo:
    clinic: Clinic
    call_sid: str
    stream_sid: str
    greeting_prefix: str = ""
    speech: SpeechContext | None = None


async def cancel_and_wait(*tasks: asyncio.Task, timeout: float = 3.0) -> None:
    """Cancel tasks and wait for them to end. Unlike `suppress(BaseException): await task`, a
    cancellation of the *caller* still propagates (swallowing it leaves a task that never ends)."""
    tasks = tuple(t for t in tasks if t is not None)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:                     # something swallowed the cancellation: do not hang on it
        log.error("task ignored cancellation", extra={"event": "task_stuck", "task": task.get_name()})
        task.cancel()
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()                 # retrieved: logged by its owner, never re-raised here
