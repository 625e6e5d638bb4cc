"""A caller simulator that speaks Twilio's Media Streams protocol to a running server.

    voice-agent call [--url http://127.0.0.1:8000] [--clinic-phone N] [--from N] "line one" "dtmf:06301952" ...

It does what Twilio does: posts the signed "call comes in" webhook, reads the TwiML, opens the
media socket with the `<Stream>` parameters (and a signed upgrade), sends the caller's audio as
20 ms mu-law frames in real time (silence between lines, as a phone line does), plays the agent's
audio on a simulated playback clock, echoes each `mark` once the audio before it has played, and
honours `clear`. When the server ends the stream it posts the `<Connect action>` and shows the
TwiML that follows (a transfer, a voicemail prompt or a hang-up).

Each line is synthesised with espeak-ng (through the same 8 kHz mu-law path a phone uses); a line
written `dtmf:123#` is sent as keypad presses. `save_audio` writes both sides as a stereo WAV. The
command line around it is `call_cli.py`.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx

FRAME = 160
SILENCE = b"\xff" * FRAME


@dataclass
class AgentTurn:
    audio: bytes
    started: float            # seconds since the call began, first agent frame received
    ended: float
    latency: float | None     # end of the caller's last line -> first agent audio
    cleared: bool = False


@dataclass
class CallResult:
    connect_twiml: str = ""
    after_twiml: str = ""
    close_code: int | None = None
    turns: list[AgentTurn] = field(default_factory=list)


class SimulatedCaller:
    """One call. `speed` > 1 plays both sides faster than real time (tests only)."""

    def __init__(self, url: str, *, auth_token: str, public_url: str | None = None, clinic_phone: str,
                 from_phone: str = "+13125550199", call_sid: str | None = None, speed: float = 1.0,
                 voice: str = "en-us", words_per_minute: int = 160, log=None,
                 extra_headers: dict[str, str] | None = None) -> None:
        self.url = url.rstrip("/")
        self.public_url = (public_url or self.url).rstrip("/")
        self.auth_token, self.clinic_phone, self.from_phone = auth_token, clinic_phone, from_phone
        self.call_sid = call_sid or "CA" + uuid.uuid4().hex
        self.stream_sid = "MZ" + uuid.uuid4().hex
        self.speed, self.voice, self.wpm = speed, voice, words_per_minute
        self.log = log or (lambda line: None)
        self.extra_headers = extra_headers or {}
        self.result = CallResult()
        self.ws: Any = None
        self.t0 = time.monotonic()
        self._outgoing: asyncio.Queue[bytes] = asyncio.Queue()
        self._speaking_done: asyncio.Event = asyncio.Event()
        self._speaking_done.set()
        self._playq: list[tuple[str, Any]] = []
        self._play_wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._closed = asyncio.Event()
        self.caller_track = bytearray()
        self.agent_track = bytearray()
        self.received: list[dict] = []          # every message from the server, with "_t"
        self.clears: list[float] = []
        self.marks_echoed: list[tuple[float, str, bool]] = []   # (time, name, played or cleared)
        self.closed_at: float | None = None
        self._turn_audio = bytearray()
        self._turn_start: float | None = None
        self._last_agent_frame = 0.0
        self._last_line_end: float | None = None
        self._turn_cleared = False
        self._more_coming = False     # the last sentence played was not its reply's last (its mark says so)
        self._seq = 0
        self.stream_url = ""
        self.parameters: dict[str, str] = {}
        self.action_url = ""
        self.redirected = False       # the call was moved off the stream by a REST update (a transfer)
        self.moves = 0                # how many times that happened (a reconnect clears `redirected`)
        self.connected_at = 0.0       # when the current media socket was opened (seconds since the call began)

    def now(self) -> float:
        return time.monotonic() - self.t0

    # --- set-up ---------------------------------------------------------------------------

    async def post_signed(self, path_or_url: str, params: dict[str, str]) -> httpx.Response:
        public = path_or_url if path_or_url.startswith("http") else self.public_url + path_or_url
        parts = urlsplit(public)
        local = self.url + parts.path + (f"?{parts.query}" if parts.query else "")
        from channels.voice.security import sign
        headers = {"X-Twilio-Signature": sign(self.auth_token, public, params), **self.extra_headers}
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(local, data=params, headers=headers)

    def _call_params(self, status: str) -> dict[str, str]:
        return {"CallSid": self.call_sid, "AccountSid": "AC" + "0" * 32, "From": self.from_phone,
                "To": self.clinic_phone, "CallStatus": status, "Direction": "inbound", "ApiVersion": "2010-04-01"}

    async def dial(self) -> str:
        """The incoming-call webhook; returns the TwiML and remembers the stream it asks for."""
        r = await self.post_signed("/webhooks/twilio/voice", self._call_params("ringing"))
        r.raise_for_status()
        self.result.connect_twiml = r.text
        root = ElementTree.fromstring(r.text)
        connect = root.find("Connect")
        if connect is None:
            return r.text
        self.action_url = connect.get("action", "")
        stream = connect.find("Stream")
        self.stream_url = stream.get("url", "") if stream is not None else ""
        self.parameters = {p.get("name"): p.get("value") for p in (stream.findall("Parameter") if stream is not None
                                                                    else [])}
        return r.text

    async def connect(self, *, signature: str | None = None, token: str | None = None,
                      before_start: list[str] | None = None, send_start: bool = True) -> None:
        """Open the media socket (as Twilio: signed upgrade, `connected`, then `start`)."""
        self.connected_at = self.now()
        from websockets.asyncio.client import connect as ws_connect

        path = urlsplit(self.stream_url).path or "/webhooks/twilio/media"
        base = urlsplit(self.url)
        local = f"{'wss' if base.scheme == 'https' else 'ws'}://{base.netloc}{path}"
        from channels.voice.security import sign
        sig = signature if signature is not None else sign(self.auth_token, self.stream_url, {})
        self.ws = await ws_connect(local, additional_headers={"X-Twilio-Signature": sig}, max_size=2 ** 22,
                                   open_timeout=10)
        params = dict(self.parameters)
        if token is not None:
            params["token"] = token
        try:
            await self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
            for raw in before_start or []:
                await self.ws.send(raw)
        except Exception:                  # refused at once (a bad signature): keep the close code
            send_start = False
        if not send_start:
            self._tasks = [asyncio.create_task(self._receiver())]
            return
        await self.send({"event": "start", "sequenceNumber": self._next(), "streamSid": self.stream_sid,
                         "start": {"accountSid": "AC" + "0" * 32, "streamSid": self.stream_sid,
                                   "callSid": self.call_sid, "tracks": ["inbound"],
                                   "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                                   "customParameters": params}})
        self._tasks = [asyncio.create_task(self._sender()), asyncio.create_task(self._receiver()),
                       asyncio.create_task(self._player())]

    def _next(self) -> str:
        self._seq += 1
        return str(self._seq)

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def send_raw(self, text: str) -> None:
        await self.ws.send(text)

    # --- caller audio ---------------------------------------------------------------------

    def synthesize(self, text: str) -> bytes:
        from channels.voice.speech.tts import synthesize_ulaw_sync
        return synthesize_ulaw_sync(text, voice=self.voice, speed=self.wpm)

    async def say(self, text: str, *, wait: bool = True, audio: bytes | None = None) -> None:
        audio = audio if audio is not None else await asyncio.to_thread(self.synthesize, text)
        self.log(f"[+{self.now():.2f}s] caller: {text}")
        self._speaking_done.clear()
        for pos in range(0, len(audio), FRAME):
            chunk = audio[pos:pos + FRAME]
            self._outgoing.put_nowait(chunk + b"\xff" * (FRAME - len(chunk)))
        self._outgoing.put_nowait(b"")            # end-of-line marker
        if wait:
            await self._speaking_done.wait()

    async def dtmf(self, digits: str, gap: float = 0.15) -> None:
        self.log(f"[+{self.now():.2f}s] caller: (keypad) {digits}")
        for d in digits:
            if self._closed.is_set():
                return
            await self.send({"event": "dtmf", "streamSid": self.stream_sid, "sequenceNumber": self._next(),
                             "dtmf": {"track": "inbound_track", "digit": d}})
            await asyncio.sleep(gap / self.speed)
        self._last_line_end = self.now()

    async def _sender(self) -> None:
        """Twilio streams the caller's line continuously: speech when there is some, else silence."""
        frame_s = 0.02 / self.speed
        next_at = time.monotonic()
        chunk = 0
        last_speech = self.now()
        while True:
            try:
                frame = self._outgoing.get_nowait()
            except asyncio.QueueEmpty:
                frame = SILENCE
            if frame == b"":
                self._last_line_end = last_speech       # when the caller's last speech frame went out
                self._speaking_done.set()
                continue
            speech = frame is not SILENCE
            chunk += 1
            self.caller_track.extend(frame)
            if len(self.agent_track) < len(self.caller_track) - FRAME:
                self.agent_track.extend(b"\xff" * (len(self.caller_track) - FRAME - len(self.agent_track)))
            try:
                await self.send({"event": "media", "sequenceNumber": self._next(), "streamSid": self.stream_sid,
                                 "media": {"track": "inbound", "chunk": str(chunk), "timestamp": str(chunk * 20),
                                           "payload": base64.b64encode(frame).decode()}})
            except Exception:             # the server closed the stream
                self._speaking_done.set()
                return
            if speech:
                last_speech = self.now()
            next_at += frame_s
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                next_at = time.monotonic()

    # --- agent audio ------------------------------------------------------------------------

    async def _receiver(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                message["_t"] = self.now()
                self.received.append(message)
                event = message.get("event")
                if event == "media":
                    audio = base64.b64decode(message["media"]["payload"])
                    if self._turn_start is None:
                        self._turn_start = self.now()
                        self._turn_cleared = False
                    self._playq.append(("audio", audio))
                    self._last_agent_frame = self.now()
                elif event == "mark":
                    self._playq.append(("mark", message["mark"]["name"]))
                elif event == "clear":
                    self.clears.append(self.now())
                    self._turn_cleared = True
                    self._more_coming = False
                    marks = [v for k, v in self._playq if k == "mark"]
                    self._playq.clear()
                    for name in marks:            # Twilio returns the marks of discarded audio
                        self.marks_echoed.append((self.now(), name, False))
                        await self.send({"event": "mark", "streamSid": self.stream_sid, "sequenceNumber": self._next(),
                                         "mark": {"name": name}})
                self._play_wakeup.set()
        except Exception:
            pass
        finally:
            self.result.close_code = getattr(self.ws, "close_code", None)
            self.closed_at = self.now()
            self._closed.set()

    async def _player(self) -> None:
        frame_s = 0.02 / self.speed
        while True:
            if not self._playq:
                self._play_wakeup.clear()
                await self._play_wakeup.wait()
                continue
            kind, value = self._playq.pop(0)
            if kind == "audio":
                self._turn_audio.extend(value)
                pos = max(len(self.agent_track), len(self.caller_track))
                self.agent_track.extend(b"\xff" * (pos - len(self.agent_track)))
                self.agent_track.extend(value)
                await asyncio.sleep(frame_s * max(1, len(value) // FRAME))
            else:
                self._more_coming = _more_after(value)
                self.marks_echoed.append((self.now(), value, True))
                with contextlib.suppress(Exception):
                    await self.send({"event": "mark", "streamSid": self.stream_sid, "sequenceNumber": self._next(),
                                     "mark": {"name": value}})

    async def wait_for_agent(self, timeout: float = 30.0, quiet: float = 0.8,
                             between_sentences: float = 2.0) -> AgentTurn | None:
        """Wait until the agent has spoken and gone quiet (its queue played, `quiet` s without audio).
        A pause after a sentence whose mark says more follow is waited out up to `between_sentences`
        s of real time: the next sentence's synthesis is not sped up with the call, and a loaded
        machine left a gap after "Thank you." in which the caller answered a question not yet asked."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            idle = self.now() - self._last_agent_frame
            quiet_enough = idle >= max(quiet / self.speed, 0.15) and \
                (not self._more_coming or idle >= max(quiet / self.speed, between_sentences))
            if self._turn_start is not None and not self._playq and quiet_enough:
                return self._close_turn()
            if self._closed.is_set():
                return self._close_turn() if self._turn_start is not None else None
            await asyncio.sleep(0.02)
        raise TimeoutError(f"the agent did not answer within {timeout} s")

    def _close_turn(self) -> AgentTurn:
        start = self._turn_start or self.now()
        latency = start - self._last_line_end if self._last_line_end is not None else None
        turn = AgentTurn(bytes(self._turn_audio), start, self.now(), latency, self._turn_cleared)
        self.result.turns.append(turn)
        self._turn_audio.clear()
        self._turn_start = None
        return turn

    async def wait_closed(self, timeout: float = 10.0) -> int | None:
        await asyncio.wait_for(self._closed.wait(), timeout)
        return self.result.close_code

    async def hangup(self) -> None:
        if self.ws is not None and not self._closed.is_set():
            with contextlib.suppress(Exception):
                await self.send({"event": "stop", "sequenceNumber": self._next(), "streamSid": self.stream_sid,
                                 "stop": {"accountSid": "AC" + "0" * 32, "callSid": self.call_sid}})
            with contextlib.suppress(Exception):
                await self.ws.close()
        await self.close()

    async def reconnect(self, stream_url: str, parameters: dict[str, str], action_url: str = "") -> None:
        """The call is sent back to a `<Connect><Stream>` (after a missed transfer): a new socket, the
        same CallSid."""
        await self.close()
        self.stream_url, self.parameters = stream_url, parameters
        self.action_url = action_url or self.action_url
        self.stream_sid = "MZ" + uuid.uuid4().hex
        self._closed, self.closed_at, self.result.close_code = asyncio.Event(), None, None
        self._playq.clear()
        self._turn_audio.clear()
        self._turn_start, self.redirected = None, False
        await self.connect()

    async def close(self) -> None:
        self._speaking_done.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        self._tasks = []
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    async def after(self) -> str:
        """What Twilio does when the stream ends: request the `<Connect action>`."""
        if not self.action_url:
            return ""
        r = await self.post_signed(self.action_url, self._call_params("in-progress"))
        self.result.after_twiml = r.text
        return r.text

    def save_audio(self, path: str) -> None:
        from channels.voice.speech.codec import ulaw_to_pcm
        n = max(len(self.caller_track), len(self.agent_track))
        left = ulaw_to_pcm(bytes(self.caller_track) + b"\xff" * (n - len(self.caller_track)))
        right = ulaw_to_pcm(bytes(self.agent_track) + b"\xff" * (n - len(self.agent_track)))
        import numpy as np
        stereo = np.empty(n * 2, dtype="<i2")
        stereo[0::2] = np.frombuffer(left, dtype="<i2")
        stereo[1::2] = np.frombuffer(right, dtype="<i2")
        data = stereo.tobytes()
        header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
            "<IHHIIHH", 16, 1, 2, 8000, 8000 * 4, 4, 16) + b"data" + struct.pack("<I", len(data))
        with open(path, "wb") as fh:
            fh.write(header + data)


def _more_after(mark: str) -> bool:
    """A reply's mark (`<reply>:<sentence>/<sentences>`, stages/player.py) with sentences still to come."""
    place = mark.partition(":")[2]
    done, _, total = place.partition("/")
    return done.isdigit() and total.isdigit() and int(done) + 1 < int(total)
