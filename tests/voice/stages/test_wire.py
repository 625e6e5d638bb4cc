"""The codec: every Twilio message becomes one typed event, junk a `BadMessage` with its reason
(never an exception), and the sender stops after the call ends but for `clear`."""
from __future__ import annotations

import base64
import json

import pytest

from channels.voice.stages.wire import (BadMessage, CallerAudio, Ignored, KeyPressed, MarkPlayed, Reframer, Sender,
                                        StreamEnded, decode)


def _text(data: object) -> dict:
    return {"type": "websocket.receive", "text": json.dumps(data)}


@pytest.mark.parametrize("message, event", [
    (_text({"event": "media", "media": {"payload": base64.b64encode(b"\x01\x02").decode()}}), CallerAudio(b"\x01\x02")),
    (_text({"event": "media", "media": {"track": "outbound", "payload": "AAAA"}}), Ignored()),
    (_text({"event": "mark", "mark": {"name": "3:0"}}), MarkPlayed("3:0")),
    (_text({"event": "dtmf", "dtmf": {"digit": "#"}}), KeyPressed("#")),
    (_text({"event": "stop"}), StreamEnded(hung_up=False)),
    ({"type": "websocket.disconnect"}, StreamEnded(hung_up=True)),
    (_text({"event": "start", "start": {}}), Ignored()),
    ({"type": "websocket.receive", "bytes": b"x"}, BadMessage("binary frame")),
    ({"type": "websocket.receive", "text": "{nope"}, BadMessage("malformed json")),
    (_text([1, 2]), BadMessage("not an object")),
    (_text({"event": "media", "media": {"payload": "not base64!"}}), BadMessage("payload is not base64")),
    (_text({"event": "media"}), BadMessage("media without payload")),
    (_text({"event": "mark", "mark": {}}), BadMessage("mark without name")),
    (_text({"event": "dtmf", "dtmf": {"digit": "12"}}), BadMessage("dtmf without a digit")),
    (_text({"event": "x" * 40}), BadMessage(f"unknown event {'x' * 20!r}")),
])
def test_each_message_becomes_one_event(message, event):
    assert decode(message) == event


def test_caller_audio_is_cut_into_20ms_frames_and_a_flood_keeps_the_newest():
    frames = Reframer(keep_frames=4)
    assert frames.push(b"a" * 100) == []
    assert frames.push(b"b" * 300) == [b"a" * 100 + b"b" * 60, b"b" * 160]      # 80 bytes wait for more
    flood = frames.push(bytes(range(10)) * 100)        # 1,080 bytes: only the newest 640 are kept
    assert len(flood) == 4 and flood[-1] == (bytes(range(10)) * 100)[-160:]


class _Socket:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict] = []
        self.fail = fail

    async def send_text(self, data: str) -> None:
        if self.fail:
            raise RuntimeError("socket closed")
        self.sent.append(json.loads(data))


async def test_the_sender_writes_twilio_messages_and_only_clear_after_the_call_stopped():
    ws, stopped = _Socket(), [False]
    sender = Sender(ws, "MZ1", stopped=lambda: stopped[0], on_gone=lambda: None)
    await sender.media(b"\xff" * 160)
    await sender.mark("7:0")
    stopped[0] = True
    await sender.media(b"\xff" * 160)
    await sender.clear()
    assert [m["event"] for m in ws.sent] == ["media", "mark", "clear"]
    assert base64.b64decode(ws.sent[0]["media"]["payload"]) == b"\xff" * 160
    assert ws.sent[1] == {"event": "mark", "streamSid": "MZ1", "mark": {"name": "7:0"}}


async def test_a_send_on_a_closed_socket_tells_the_call_once_and_does_not_raise():
    gone: list[bool] = []
    sender = Sender(_Socket(fail=True), "MZ1", stopped=lambda: False, on_gone=lambda: gone.append(True))
    await sender.mark("1:0")
    assert gone == [True]
