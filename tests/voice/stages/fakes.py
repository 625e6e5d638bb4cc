"""Fakes for the call's stages: a clock moved by hand, a recording Twilio output, a scripted VAD,
a scripted text-to-speech. No sockets, no audio models."""
from __future__ import annotations

import asyncio
from typing import AsyncIterator


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class RecordingOutput:
    """What the player sent to Twilio, in order: ("media", frame) | ("mark", name) | ("clear", None)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []

    async def media(self, frame: bytes) -> None:
        self.sent.append(("media", frame))

    async def mark(self, name: str) -> None:
        self.sent.append(("mark", name))

    async def clear(self) -> None:
        self.sent.append(("clear", None))

    def kinds(self) -> list[str]:
        return [k for k, _ in self.sent]

    def marks(self) -> list[str]:
        return [v for k, v in self.sent if k == "mark"]


class ScriptedTTS:
    """Each sentence is `frames` frames of one byte value; `fail` makes synthesis raise."""

    def __init__(self, frames: int = 3, fill: int = 0x55, fail: bool = False) -> None:
        self.frames, self.fill, self.fail = frames, fill, fail
        self.said: list[str] = []

    async def synthesize(self, text: str) -> AsyncIterator[bytes]:
        self.said.append(text)
        if self.fail:
            raise ConnectionError("vendor down")
        yield bytes([self.fill]) * (160 * self.frames)


class ScriptedVAD:
    """Returns the events queued for the next frame; `speech_ms` is set by the test."""

    def __init__(self) -> None:
        self.speech_ms = 0
        self.next: list[object] = []

    def feed(self, frame: bytes) -> list[object]:
        events, self.next = self.next, []
        return events
