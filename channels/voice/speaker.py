"""Speaking on a call: sentences synthesised ahead, 20 ms frames paced against Twilio's buffer, a
`mark` after each sentence, and `clear` when the caller barges in."""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from typing import Any

from channels.voice.call_types import AUDIO_CACHE, Playback, cancel_and_wait
from channels.voice.ports import FRAME_SECONDS
from channels.voice.speech.codec import FRAME_BYTES, MULAW_SILENCE

log = logging.getLogger("channels.voice.call")


class Speaker:
    """Playback for `CallSession` (a mixin: the session owns the socket, the TTS and the state)."""

    # --- playback ---------------------------------------------------------------------------

    async def say(self, text: str, *, kind: str = "reprompt", after: str | None = None, cache: bool = False) -> None:
        await self.play(Playback(text, kind=kind, after=after, engine_turn=False, cache=cache))

    async def play(self, pb: Playback) -> None:
        await self._stop_playback(clear=True, why=pb.kind)
        self.current = pb
        self.playbacks.append(pb)
        self.idle_since = None
        self._agent_speaking(True)
        self.note("play", id=pb.id, kind=pb.kind)
        self._player = asyncio.create_task(self._play(pb), name="call-player")

    async def _stop_playback(self, *, clear: bool, why: str = "turn") -> None:
        """Stop what is playing to say something else. A reply with help lines is not stopped: it is
        heard to its end first (a reprompt, a guess or the next turn all come through here)."""
        held = self.current
        if held is not None and held.must_finish and not held.finished:
            self.note("barge_in_held", why=why, id=held.id)
            await held.done.wait()
        pb, player = self.current, self._player
        if pb is not None and not pb.finished and clear:
            await self._send({"event": "clear", "streamSid": self.stream_sid})
            self.buffer_until = 0.0
        if player is not None and not player.done() and player is not asyncio.current_task():
            await cancel_and_wait(player)
        if pb is not None and not pb.finished:
            self._finish(pb, interrupted=True)

    async def barge_in(self, why: str) -> None:
        pb = self.current
        if pb is None or pb.finished:
            return
        if pb.must_finish:                  # the caller hears every help-line number, even talking over it
            self.note("barge_in_held", why=why, id=pb.id)
            return
        detected = self.speech_detected_at
        await self._send({"event": "clear", "streamSid": self.stream_sid})
        cleared = time.monotonic()
        self.buffer_until = 0.0
        self.note("clear", why=why, id=pb.id, after_detect_ms=(cleared - detected) * 1000 if detected else None)
        self.overlap_onset = None
        self._finish(pb, interrupted=True)
        player = self._player
        if player is not None and not player.done():
            player.cancel()
        if pb.after == "handoff":           # they asked for a person: transfer anyway
            self.end("handoff")

    def _finish(self, pb: Playback, *, interrupted: bool) -> None:
        if pb.finished:
            return
        pb.finished = True
        pb.interrupted = interrupted
        if not interrupted:
            pb.heard_upto = len(pb.text)
        pb.done.set()
        self._agent_speaking(False)
        if pb.engine_turn:
            self._records.append(pb)
            self._enqueue("flush", None)
        if not self.busy and self.speech_onset is None:
            self.idle_since = time.monotonic()
        if not interrupted and pb.after == "hangup":
            self.end("goodbye" if pb.kind != "apology" else "ended")
        elif not interrupted and pb.after == "handoff":
            self.end("handoff")

    def on_mark(self, name: str) -> None:
        pb = self.current
        pid, _, idx = name.partition(":")
        if pb is None or pb.finished or pid != str(pb.id) or not idx.isdigit():
            return                         # a mark of cleared audio, or not ours
        i = int(idx)
        if i < len(pb.ends):
            pb.heard_upto = max(pb.heard_upto, pb.ends[i])
        if i >= len(pb.sentences) - 1:
            self._finish(pb, interrupted=False)

    async def _play(self, pb: Playback) -> None:
        queue: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue(maxsize=32)
        producer = asyncio.create_task(self._produce(pb, queue))
        pending = b""
        try:
            while True:
                item = await queue.get()
                if item is None:
                    break
                kind, value = item
                if kind == "audio":
                    audio = pending + value
                    whole = len(audio) - len(audio) % FRAME_BYTES
                    pending = audio[whole:]
                    for pos in range(0, whole, FRAME_BYTES):
                        await self._send_frame(pb, audio[pos:pos + FRAME_BYTES])
                elif kind == "mark":
                    if pending:
                        await self._send_frame(pb, pending + bytes([MULAW_SILENCE]) * (FRAME_BYTES - len(pending)))
                        pending = b""
                    await self._send({"event": "mark", "streamSid": self.stream_sid,
                                      "mark": {"name": f"{pb.id}:{value}"}})
            wait = max(0.0, self.buffer_until - time.monotonic()) + self.config.mark_grace_seconds
            try:
                await asyncio.wait_for(pb.done.wait(), timeout=wait)
            except asyncio.TimeoutError:
                self.note("mark_timeout", id=pb.id)
                self._finish(pb, interrupted=False)
        finally:
            await cancel_and_wait(producer)

    async def _produce(self, pb: Playback, queue: asyncio.Queue) -> None:
        try:
            for i, sentence in enumerate(pb.sentences):
                await self._synthesize(pb, sentence, queue)
                await queue.put(("mark", i))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("playback producer failed", extra={"event": "tts_producer_failed"})
        await queue.put(None)

    async def _synthesize(self, pb: Playback, sentence: str, queue: asyncio.Queue) -> None:
        if pb.cache:
            audio = AUDIO_CACHE.get(self.tts_voice, sentence)
            if audio is not None:
                pb.timings.setdefault("tts_first_byte", time.monotonic())
                await queue.put(("audio", audio))
                return
        parts: list[bytes] = []
        tts = self.tts
        try:
            async for chunk in tts.synthesize(sentence):
                if chunk:
                    pb.timings.setdefault("tts_first_byte", time.monotonic())
                    parts.append(chunk)
                    await queue.put(("audio", chunk))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("text-to-speech failed", extra={"event": "tts_failed", "error": type(exc).__name__})
            self.note("tts_failed", error=type(exc).__name__)
            if self.fallback_tts is None or tts is self.fallback_tts:
                return
            self.tts = self.fallback_tts          # the rest of the call uses the embedded voice
            # The new voice says the whole sentence, even when part of it was already heard: a
            # question cut off mid-word ("What d—") is one the caller cannot answer.
            await self._synthesize(pb, sentence, queue)
            return
        if pb.cache and parts and tts is not self.fallback_tts:
            AUDIO_CACHE.put(self.tts_voice, sentence, b"".join(parts))

    async def _send_frame(self, pb: Playback, frame: bytes) -> None:
        now = time.monotonic()
        frame_seconds = FRAME_SECONDS / self.config.playback_rate
        lead = self.config.lead_seconds / self.config.playback_rate
        if self.buffer_until - now > lead:
            await asyncio.sleep(self.buffer_until - now - lead)
            now = time.monotonic()
        self.buffer_until = max(self.buffer_until, now) + frame_seconds
        pb.audio_seconds += FRAME_SECONDS
        await self._send({"event": "media", "streamSid": self.stream_sid,
                          "media": {"payload": base64.b64encode(frame).decode("ascii")}})
        if "first_media" not in pb.timings:
            pb.timings["first_media"] = time.monotonic()

    async def _send(self, message: dict) -> None:
        if self._stop.is_set() and message.get("event") != "clear":
            return
        try:
            async with self._send_lock:
                await self.ws.send_text(json.dumps(message, separators=(",", ":")))
        except Exception:                    # the socket is gone: the reader will see the disconnect
            self.end(self.outcome if self.outcome != "active" else "caller_hung_up")
