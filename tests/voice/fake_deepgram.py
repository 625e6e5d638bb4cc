"""A fake Deepgram live-transcription server on 127.0.0.1 that speaks Deepgram's message format.

It accepts `/v1/listen` WebSockets, reads binary mu-law audio, and runs a crude energy detector:
on speech it sends `SpeechStarted`; `final_delay` seconds after the speech ends it sends a
`Results` message (`is_final: true`, `speech_final: true`, word timings on the audio timeline)
whose transcript is the next scripted line, then `UtteranceEnd`. An interim `Results`
(`is_final: false`) is sent while the speech lasts. `KeepAlive`, `Configure` (answered with
`ConfigureSuccess`) and `CloseStream` (answered with `Metadata`, then close) are handled.
`kill()` drops every connection abruptly (a vendor dying mid-call).
"""
from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field

import numpy as np
from websockets.asyncio.server import ServerConnection, serve

from channels.voice.speech.codec import ulaw_to_array

FRAME = 160


@dataclass
class Connection:
    path: str
    headers: dict
    messages: list[dict] = field(default_factory=list)   # text messages received
    audio_bytes: int = 0


class FakeDeepgram:
    def __init__(self, script: list[str] | None = None, *, final_delay: float = 0.05, interim: str | None = None,
                 threshold: float = 500.0, end_frames: int = 15) -> None:
        self.script = list(script or [])
        self.final_delay, self.interim = final_delay, interim
        self.threshold, self.end_frames = threshold, end_frames
        self.connections: list[Connection] = []
        self._sockets: set[ServerConnection] = set()
        self._server = None
        self.url = ""
        self.refuse = False

    async def __aenter__(self) -> "FakeDeepgram":
        self._server = await serve(self._handle, "127.0.0.1", 0, max_size=2 ** 22,
                                   process_request=self._process_request)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.close()
        await self._server.wait_closed()

    def _process_request(self, connection, request):
        if self.refuse:
            return connection.respond(503, "unavailable\n")
        return None

    async def kill(self) -> None:
        for ws in list(self._sockets):
            ws.transport.abort()

    async def _handle(self, ws: ServerConnection) -> None:
        conn = Connection(ws.request.path, dict(ws.request.headers))
        self.connections.append(conn)
        self._sockets.add(ws)
        frames = 0
        voiced_run = silent_run = 0
        in_speech = False
        speech_start = last_voice = 0.0
        buffer = b""
        pending: list[asyncio.Task] = []
        try:
            async for message in ws:
                if isinstance(message, bytes):
                    conn.audio_bytes += len(message)
                    buffer += message
                    while len(buffer) >= FRAME:
                        frame, buffer = buffer[:FRAME], buffer[FRAME:]
                        t = frames * 0.02
                        frames += 1
                        rms = float(np.sqrt(np.mean(ulaw_to_array(frame).astype(np.float64) ** 2)))
                        if rms > self.threshold:
                            voiced_run += 1
                            silent_run = 0
                            last_voice = t + 0.02
                            if not in_speech and voiced_run >= 3:
                                in_speech, speech_start = True, t - 0.04
                                await ws.send(json.dumps({"type": "SpeechStarted", "channel": [0],
                                                          "timestamp": round(speech_start, 3)}))
                            elif in_speech and self.interim and voiced_run == 10:
                                await ws.send(json.dumps(self._results(self.interim, speech_start, t, False)))
                        else:
                            voiced_run = 0
                            silent_run += 1
                            if in_speech and silent_run >= self.end_frames:
                                in_speech = False
                                text = self.script.pop(0) if self.script else ""
                                pending.append(asyncio.create_task(
                                    self._send_final(ws, text, speech_start, last_voice)))
                    continue
                data = json.loads(message)
                conn.messages.append(data)
                kind = data.get("type")
                if kind == "Configure":
                    await ws.send(json.dumps({"type": "ConfigureSuccess", "keyterms": data.get("keyterms")}))
                elif kind == "CloseStream":
                    await ws.send(json.dumps({"type": "Metadata", "transaction_key": "deprecated",
                                              "request_id": str(uuid.uuid4()), "sha256": "0" * 64,
                                              "created": "2027-03-05T15:00:00.000Z", "duration": frames * 0.02,
                                              "channels": 1}))
                    await ws.close()
                    return
        except Exception:
            pass
        finally:
            for task in pending:
                task.cancel()
            self._sockets.discard(ws)

    async def _send_final(self, ws: ServerConnection, text: str, start: float, end: float) -> None:
        await asyncio.sleep(self.final_delay)
        await ws.send(json.dumps(self._results(text, start, end, True)))
        await ws.send(json.dumps({"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": round(end, 3)}))

    @staticmethod
    def _results(text: str, start: float, end: float, final: bool) -> dict:
        words = text.split()
        span = max(end - start, 0.1)
        step = span / max(len(words), 1)
        return {
            "type": "Results", "channel_index": [0, 1], "duration": round(span, 3), "start": round(start, 3),
            "is_final": final, "speech_final": final, "from_finalize": False,
            "channel": {"alternatives": [{
                "transcript": text, "confidence": 0.98,
                "words": [{"word": w.lower(), "start": round(start + i * step, 3), "end": round(start + (i + 1) * step, 3),
                           "confidence": 0.98, "punctuated_word": w} for i, w in enumerate(words)]}]},
            "metadata": {"request_id": str(uuid.uuid4()), "model_uuid": str(uuid.uuid4()),
                         "model_info": {"name": "general-nova-3", "version": "2024", "arch": "nova-3"}},
        }
