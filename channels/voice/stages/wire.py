"""The codec of a Twilio Media Stream: its JSON messages in, typed events out, and back.

Inbound: `decode(message)` turns one `ws.receive()` message into one event (caller audio, a mark
Twilio played, a key, the stream's end, or a bad message and why). `Reframer` cuts caller audio of
any length into 20 ms frames. Outbound: `Sender` writes media, marks and `clear` to the socket, one
message at a time, and tells its owner once the socket is gone.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Union

from channels.voice.speech.codec import FRAME_BYTES
from voice_agent.web import safe_input

@dataclass(frozen=True)
class CallerAudio:
    audio: bytes

@dataclass(frozen=True)
class MarkPlayed:
    name: str

@dataclass(frozen=True)
class KeyPressed:
    digit: str

@dataclass(frozen=True)
class StreamEnded:
    hung_up: bool              # the socket closed (True), or Twilio sent `stop` (False)

@dataclass(frozen=True)
class BadMessage:
    why: str

@dataclass(frozen=True)
class Ignored:
    """`connected`, `start`, or the outbound track echoed back: nothing to do."""

WireEvent = Union[CallerAudio, MarkPlayed, KeyPressed, StreamEnded, BadMessage, Ignored]
IGNORED = Ignored()

def decode(message: dict[str, Any]) -> WireEvent:
    """One ASGI WebSocket message as an event. Never raises: junk is a `BadMessage`."""
    if message.get("type") == "websocket.disconnect":
        return StreamEnded(hung_up=True)
    text = message.get("text")
    if text is None:
        return BadMessage("binary frame")
    try:
        data = safe_input.loads(text)
    except ValueError:
        return BadMessage("malformed json")
    if not isinstance(data, dict):
        return BadMessage("not an object")
    return decode_data(data)

def decode_data(data: dict[str, Any]) -> WireEvent:
    event = data.get("event")
    if event == "media":
        media = data.get("media")
        if not isinstance(media, dict) or not isinstance(media.get("payload"), str):
            return BadMessage("media without payload")
        if media.get("track", "inbound") not in ("inbound", "inbound_track"):
            return IGNORED
        try:
            return CallerAudio(base64.b64decode(media["payload"], validate=True))
        except (binascii.Error, ValueError):
            return BadMessage("payload is not base64")
    if event == "mark":
        mark = data.get("mark")
        if isinstance(mark, dict) and isinstance(mark.get("name"), str):
            return MarkPlayed(mark["name"])
        return BadMessage("mark without name")
    if event == "dtmf":
        dtmf = data.get("dtmf")
        digit = dtmf.get("digit") if isinstance(dtmf, dict) else None
        if isinstance(digit, str) and len(digit) == 1 and digit in "0123456789*#":
            return KeyPressed(digit)
        return BadMessage("dtmf without a digit")
    if event == "stop":
        return StreamEnded(hung_up=False)
    if event in ("connected", "start"):
        return IGNORED
    return BadMessage(f"unknown event {str(event)[:20]!r}")

class Reframer:
    """Caller audio of any length → 20 ms frames (160 bytes); a flood keeps only the newest 10 s."""

    def __init__(self, keep_frames: int = 500) -> None:
        self._inbound = bytearray()
        self._keep = FRAME_BYTES * keep_frames

    def push(self, audio: bytes) -> list[bytes]:
        self._inbound.extend(audio)
        if len(self._inbound) > self._keep:
            del self._inbound[:len(self._inbound) - self._keep]
        whole = len(self._inbound) - len(self._inbound) % FRAME_BYTES
        frames = [bytes(self._inbound[pos:pos + FRAME_BYTES]) for pos in range(0, whole, FRAME_BYTES)]
        del self._inbound[:whole]
        return frames

class TextSocket(Protocol):
    async def send_text(self, data: str) -> None: ...

def media_message(stream_sid: str, frame: bytes) -> dict[str, Any]:
    return {"event": "media", "streamSid": stream_sid, "media": {"payload": base64.b64encode(frame).decode("ascii")}}

def mark_message(stream_sid: str, name: str) -> dict[str, Any]:
    return {"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}

def clear_message(stream_sid: str) -> dict[str, Any]:
    return {"event": "clear", "streamSid": stream_sid}

class Sender:
    """Writes to Twilio. After the call stopped only `clear` still goes out; a send that fails
    (the socket is gone) calls `on_gone` and is otherwise dropped: the reader sees the disconnect."""

    def __init__(self, ws: TextSocket, stream_sid: str, *, stopped: Callable[[], bool],
                 on_gone: Callable[[], None]) -> None:
        self.ws, self.stream_sid = ws, stream_sid
        self._stopped, self._on_gone = stopped, on_gone
        self._lock = asyncio.Lock()

    async def media(self, frame: bytes) -> None:
        await self.send(media_message(self.stream_sid, frame))

    async def mark(self, name: str) -> None:
        await self.send(mark_message(self.stream_sid, name))

    async def clear(self) -> None:
        await self.send(clear_message(self.stream_sid))

    async def send(self, message: dict[str, Any]) -> None:
        if self._stopped() and message.get("event") != "clear":
            return
        try:
            async with self._lock:
                await self.ws.send_text(json.dumps(message, separators=(",", ":")))
        except Exception:
            self._on_gone()
