"""The player: a reply's sentences synthesised ahead, 20 ms frames paced against a model of
Twilio's playback buffer, a `mark` after each sentence, and what the caller actually heard.

Sentence N+1 synthesises while N is sent; frames go at most `lead_seconds` ahead of Twilio's
playback position. The marks Twilio echoes tell which sentences were heard (`Playback.heard`); the
last one finishes the reply. A mark is named `<reply>:<sentence>/<sentences>`, so whoever echoes it
(a test caller) can tell a pause between sentences from the end of the reply. `stop()` ends a reply to say something else and `barge_in()` clears it
because the caller talked over it — except a reply with help lines (`must_finish`), heard whole.
A text-to-speech failure switches the rest of the call to the fallback voice.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Protocol

from channels.voice.call_types import AUDIO_CACHE, AudioCache, Playback, VoiceConfig, cancel_and_wait
from channels.voice.ports import FRAME_SECONDS, TextToSpeech
from channels.voice.speech.codec import FRAME_BYTES, MULAW_SILENCE

log = logging.getLogger("channels.voice.call")


class Output(Protocol):
    """Where the audio goes (stages/wire.py's `Sender`)."""

    async def media(self, frame: bytes) -> None: ...

    async def mark(self, name: str) -> None: ...

    async def clear(self) -> None: ...


Note = Callable[..., None]


class Player:
    def __init__(self, out: Output, tts: TextToSpeech, config: VoiceConfig, *, note: Note,
                 on_started: Callable[[Playback], None], on_finished: Callable[[Playback], None],
                 fallback_tts: TextToSpeech | None = None, voice: str = "default", cache: AudioCache = AUDIO_CACHE,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.out, self.tts, self.fallback_tts, self.voice, self.cache = out, tts, fallback_tts, voice, cache
        self.config = config
        self._note, self._on_started, self._on_finished = note, on_started, on_finished
        self._clock, self._sleep = clock, sleep
        self.current: Playback | None = None
        self.playbacks: list[Playback] = []     # every reply of the call, in order
        self.buffer_until = 0.0                 # model of Twilio's playback buffer (clock seconds)
        self._task: asyncio.Task | None = None

    @property
    def playing(self) -> bool:
        return self.current is not None and not self.current.finished

    async def play(self, pb: Playback) -> None:
        """Stop what is playing (a help-line reply first plays to its end), then play `pb`."""
        await self.stop(clear=True, why=pb.kind)
        self.current = pb
        self.playbacks.append(pb)
        self._on_started(pb)
        self._note("play", id=pb.id, kind=pb.kind)
        self._task = asyncio.create_task(self._play(pb), name="call-player")

    async def stop(self, *, clear: bool, why: str = "turn") -> None:
        """Stop what is playing to say something else. A reply with help lines is not stopped: it is
        heard to its end first (a reprompt, a guess or the next turn all come through here)."""
        held = self.current
        if held is not None and held.must_finish and not held.finished:
            self._note("barge_in_held", why=why, id=held.id)
            await held.done.wait()
        pb, task = self.current, self._task
        if pb is not None and not pb.finished and clear:
            await self.out.clear()
            self.buffer_until = 0.0
        if task is not None and not task.done() and task is not asyncio.current_task():
            await cancel_and_wait(task)
        if pb is not None and not pb.finished:
            self.finish(pb, interrupted=True)

    async def barge_in(self, why: str, detected_at: float | None = None) -> Playback | None:
        """The caller took the turn: clear the reply. Returns it, or None when nothing was cut."""
        pb = self.current
        if pb is None or pb.finished:
            return None
        if pb.must_finish:                  # the caller hears every help-line number, even talking over it
            self._note("barge_in_held", why=why, id=pb.id)
            return None
        await self.out.clear()
        cleared = self._clock()
        self.buffer_until = 0.0
        self._note("clear", why=why, id=pb.id,
                   after_detect_ms=(cleared - detected_at) * 1000 if detected_at else None)
        self.finish(pb, interrupted=True)
        if self._task is not None and not self._task.done():
            self._task.cancel()
        return pb

    def finish(self, pb: Playback, *, interrupted: bool) -> None:
        if pb.finished:
            return
        pb.finished = True
        pb.interrupted = interrupted
        if not interrupted:
            pb.heard_upto = len(pb.text)
        pb.done.set()
        self._on_finished(pb)

    def on_mark(self, name: str) -> None:
        pb = self.current
        pid, _, place = name.partition(":")
        idx = place.partition("/")[0]
        if pb is None or pb.finished or pid != str(pb.id) or not idx.isdigit():
            return                         # a mark of cleared audio, or not ours
        i = int(idx)
        if i < len(pb.ends):
            pb.heard_upto = max(pb.heard_upto, pb.ends[i])
        if i >= len(pb.sentences) - 1:
            self.finish(pb, interrupted=False)

    async def close(self) -> None:
        """The call is over: stop the player; a reply cut by the hang-up is finished as interrupted."""
        if self._task is not None and not self._task.done():
            await cancel_and_wait(self._task)
        if self.playing:
            self.finish(self.current, interrupted=True)

    # --- sending ----------------------------------------------------------------------------

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
                    await self.out.mark(f"{pb.id}:{value}/{len(pb.sentences)}")
            wait = max(0.0, self.buffer_until - self._clock()) + self.config.mark_grace_seconds
            try:
                await asyncio.wait_for(pb.done.wait(), timeout=wait)
            except asyncio.TimeoutError:
                self._note("mark_timeout", id=pb.id)
                self.finish(pb, interrupted=False)
        finally:
            await cancel_and_wait(producer)

    async def _send_frame(self, pb: Playback, frame: bytes) -> None:
        now = self._clock()
        frame_seconds = FRAME_SECONDS / self.config.playback_rate
        lead = self.config.lead_seconds / self.config.playback_rate
        if self.buffer_until - now > lead:
            await self._sleep(self.buffer_until - now - lead)
            now = self._clock()
        self.buffer_until = max(self.buffer_until, now) + frame_seconds
        pb.audio_seconds += FRAME_SECONDS
        await self.out.media(frame)
        if "first_media" not in pb.timings:
            pb.timings["first_media"] = self._clock()

    # --- synthesis --------------------------------------------------------------------------

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
            audio = self.cache.get(self.voice, sentence)
            if audio is not None:
                pb.timings.setdefault("tts_first_byte", self._clock())
                await queue.put(("audio", audio))
                return
        parts: list[bytes] = []
        tts = self.tts
        try:
            async for chunk in tts.synthesize(sentence):
                if chunk:
                    pb.timings.setdefault("tts_first_byte", self._clock())
                    parts.append(chunk)
                    await queue.put(("audio", chunk))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("text-to-speech failed", extra={"event": "tts_failed", "error": type(exc).__name__})
            self._note("tts_failed", error=type(exc).__name__)
            if self.fallback_tts is None or tts is self.fallback_tts:
                return
            self.tts = self.fallback_tts          # the rest of the call uses the embedded voice
            # The new voice says the whole sentence, even when part of it was already heard: a
            # question cut off mid-word ("What d—") is one the caller cannot answer.
            await self._synthesize(pb, sentence, queue)
            return
        if pb.cache and parts and tts is not self.fallback_tts:
            self.cache.put(self.voice, sentence, b"".join(parts))
