"""One phone call on a Twilio Media Streams socket: audio in → STT → Engine → TTS → audio out.

The loop owns turn-taking, never what is said (that is the Engine's job):

* Playback: each reply is split into sentences; sentence N+1 synthesises while N is sent. Frames
  (160 bytes = 20 ms) are paced against a model of Twilio's playback buffer (at most `lead`
  seconds ahead), and a `mark` follows every sentence, so the marks Twilio echoes tell exactly
  which sentences the caller heard.
* Barge-in: a local webrtcvad watches the caller during playback. Speech that lasts
  `barge_in_ms` sends `clear`, stops synthesis and tells the engine what was heard
  (`record_playback`); shorter speech (a back-channel: "uh-huh", "okay") is ignored and its
  transcript dropped.
* Silence: reprompt after `silence_seconds`, again, then a polite goodbye.
* DTMF (`keypad.py`): keys are gathered into an entry and read by the question; a lone `0` asks for
  a person; digits are the answer when the engine asks for a date of birth (8)
  or a phone number (10), ended by `#` or a 3 s pause; 1-9 pick an offered option; `*` repeats.
* Goodbye and handoff end the stream only after the last sentence's mark comes back; Twilio then
  requests the `<Connect action>` (channels/voice/twiml.py), which dials the front desk or hangs up.
* Every task is cancelled when the socket ends; nothing a caller or vendor sends crashes the call.

This module holds the call's lifecycle, the inbound socket, the dialogue worker and the silence
watchdog; listening (STT events, guesses, keypad) is `listener.Listener`, speaking is
`speaker.Speaker`.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import time
from typing import Any, Awaitable, Callable

from starlette.websockets import WebSocket

from channels.voice.ports import FrameClock, SpeechContext, SpeechToText, TextToSpeech, question_for, is_backchannel
from channels.voice.speech.codec import FRAME_BYTES
from channels.voice.speech.tts import split_sentences
from channels.voice.speech.vad import SpeechStartedEvent, UtteranceEndedEvent, UtteranceSegmenter
from channels.voice.call_types import TURN_SPANS, CallInfo, Playback, VoiceConfig, cancel_and_wait  # noqa: F401 (re-exported)
from channels.voice.apologies import ENGINE_FAILED, SCHEDULE_DOWN_IN_CALL, is_database_outage
from channels.voice.guess import GuessCheck
from channels.voice.keypad import Keypad
from channels.voice.listener import Listener
from channels.voice.speaker import Speaker
from dialogue.engine import ClinicUnavailable, Engine, EngineReply
from safety.resources import mentions_help_line
from voice_agent.web import safe_input
from voice_agent.web.metrics import TURN_SECONDS

log = logging.getLogger("channels.voice.call")

APOLOGY_ENGINE = ENGINE_FAILED
NOT_CAUGHT = "Sorry, I didn't catch that."
# An answer nobody could make out, to the doctor or day question, goes to the engine as this text: it
# counts the miss and, on a call, offers numbered keypad choices (dialogue/keypad_menu.py).
NOT_HEARD = "(not understood)"
ENGINE_HEARS_MISSES = ("provider", "date")
GOODBYE_SILENT = "I haven't heard anything, so I'll end the call now. Please call back any time. Goodbye."


class CallSession(Listener, Speaker):
    def __init__(self, ws: WebSocket, engine: Engine, info: CallInfo, stt: SpeechToText, tts: TextToSpeech, *,
                 config: VoiceConfig | None = None, fallback_tts: TextToSpeech | None = None,
                 stt_factory: Callable[[], Awaitable[SpeechToText]] | None = None,
                 fallback_stt_factory: Callable[[], Awaitable[SpeechToText]] | None = None,
                 tts_voice: str = "default") -> None:
        self.ws, self.engine, self.info = ws, engine, info
        self.stt, self.tts, self.fallback_tts = stt, tts, fallback_tts
        self.stt_factory, self.fallback_stt_factory = stt_factory, fallback_stt_factory
        self.tts_voice = tts_voice
        self.config = config or VoiceConfig()
        self.clinic_id = info.clinic.id
        self.call_sid, self.stream_sid = info.call_sid, info.stream_sid
        self.vad = UtteranceSegmenter(2, min_speech_ms=200, end_silence_ms=300, pre_roll_ms=0)
        self.clock = FrameClock()             # the STT stream's audio timeline
        self.vad_clock = FrameClock()         # the barge-in detector's
        self._inbound = bytearray()
        self._send_lock = asyncio.Lock()
        self._turns: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._tasks: set[asyncio.Task] = set()
        self._stt_task: asyncio.Task | None = None
        self._player: asyncio.Task | None = None
        self._stop = asyncio.Event()
        self.current: Playback | None = None
        self.expecting: str | None = None
        self.last_reply = ""
        self.reprompts = 0
        self.guesses = GuessCheck()
        self.keypad = Keypad(self._on_key_entry, entry_pause=self.config.dtmf_pause_seconds,
                             key_pause=self.config.key_pause_seconds)
        self.options_offered = 0
        self.idle_since: float | None = None
        self.busy = 0                      # turns queued or being processed
        self.speech_onset: float | None = None
        self.speech_detected_at: float | None = None
        self.overlap_onset: float | None = None
        self.backchannels: list[tuple[float, float]] = []
        self.last_interim = ""
        self.buffer_until = 0.0            # model of Twilio's playback buffer (monotonic seconds)
        self.outcome = "active"
        self.bad_messages = 0
        self.stt_failures = 0
        self._repairing = False
        self._records: list[Playback] = []
        # what tests and the bench read
        self.events: list[tuple[float, str, dict]] = []
        self.playbacks: list[Playback] = []
        self.turn_timings: list[dict[str, float]] = []

    # --- lifecycle ---------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable, name: str) -> asyncio.Task:
        task = asyncio.create_task(coro, name=f"call-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("call task failed", exc_info=exc, extra={"event": "call_task_failed", "task": task.get_name()})
            self._stop.set()

    def note(self, what: str, **details: Any) -> None:
        self.events.append((time.monotonic(), what, details))
        if len(self.events) > 2000:
            del self.events[:1000]

    async def run(self) -> None:
        """Drive the call until the caller hangs up, the stream stops or we end it."""
        try:
            try:
                await self.stt.start(self._context())
            except Exception as exc:
                log.warning("speech-to-text did not start", extra={"event": "stt_start_failed",
                                                                  "error": type(exc).__name__})
                await self._replace_stt()
            self._stt_task = self._spawn(self._stt_loop(), "stt")
            self._spawn(self._reader(), "reader")
            self._spawn(self._worker(), "worker")
            self._spawn(self._watchdog(), "watchdog")
            self._turns.put_nowait(("greet", None))
            self.busy += 1
            await self._stop.wait()
        finally:
            await self._shutdown()

    def _context(self) -> SpeechContext:
        base = self.info.speech or SpeechContext(call_id=self.call_sid, clinic_id=self.clinic_id)
        return SpeechContext(call_id=base.call_id, clinic_id=base.clinic_id, providers=list(base.providers),
                             patient_names=list(base.patient_names), question=question_for(self.expecting),
                             language=base.language)

    def _agent_speaking(self, speaking: bool) -> None:
        hook = getattr(self.stt, "set_agent_speaking", None)    # vendors: KeepAlive while we talk
        if hook is not None:
            with contextlib.suppress(Exception):
                hook(speaking)

    async def _shutdown(self) -> None:
        self._stop.set()
        tasks = [t for t in (*self._tasks, self._player, self.keypad.pending) if t is not None and not t.done()]
        await cancel_and_wait(*tasks)
        if self.playing:                  # they hung up mid-reply: record what they heard of it
            self._finish(self.current, interrupted=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._flush_records(), timeout=2.0)
        with contextlib.suppress(Exception):
            await self.stt.close()
        with contextlib.suppress(Exception):
            await self.ws.close(1000)
        self.note("closed", outcome=self.outcome)

    def end(self, outcome: str) -> None:
        self.outcome = outcome
        self.note("end", outcome=outcome)
        self._stop.set()

    # --- inbound ---------------------------------------------------------------------------

    async def _reader(self) -> None:
        while not self._stop.is_set():
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                self.end(self.outcome if self.outcome != "active" else "caller_hung_up")
                return
            text = message.get("text")
            if text is None:
                self._bad("binary frame")
                continue
            try:
                data = safe_input.loads(text)
            except ValueError:
                self._bad("malformed json")
                continue
            if not isinstance(data, dict):
                self._bad("not an object")
                continue
            await self.handle(data)

    def _bad(self, why: str) -> None:
        self.bad_messages += 1
        self.note("bad_message", why=why)
        if self.bad_messages == 1 or self.bad_messages % 50 == 0:
            log.warning("bad media stream message", extra={"event": "media_bad_message", "why": why,
                                                           "count": self.bad_messages})
        if self.bad_messages > self.config.max_bad_messages:
            self.end("bad_stream")

    async def handle(self, data: dict) -> None:
        event = data.get("event")
        if event == "media":
            media = data.get("media")
            if not isinstance(media, dict) or not isinstance(media.get("payload"), str):
                return self._bad("media without payload")
            if media.get("track", "inbound") not in ("inbound", "inbound_track"):
                return None
            try:
                audio = base64.b64decode(media["payload"], validate=True)
            except (binascii.Error, ValueError):
                return self._bad("payload is not base64")
            await self.on_audio(audio)
        elif event == "mark":
            mark = data.get("mark")
            if isinstance(mark, dict) and isinstance(mark.get("name"), str):
                self.on_mark(mark["name"])
            else:
                self._bad("mark without name")
        elif event == "dtmf":
            dtmf = data.get("dtmf")
            digit = dtmf.get("digit") if isinstance(dtmf, dict) else None
            if isinstance(digit, str) and len(digit) == 1 and digit in "0123456789*#":
                await self.on_dtmf(digit)
            else:
                self._bad("dtmf without a digit")
        elif event == "stop":
            self.end(self.outcome if self.outcome != "active" else "stopped")
        elif event in ("connected", "start"):
            return None
        else:
            self._bad(f"unknown event {str(event)[:20]!r}")

    async def on_audio(self, audio: bytes) -> None:
        """Caller audio of any length: re-framed to 20 ms before the VAD and the STT see it."""
        self._inbound.extend(audio)
        if len(self._inbound) > FRAME_BYTES * 500:          # a flood: keep the newest 10 s
            del self._inbound[:len(self._inbound) - FRAME_BYTES * 500]
        while len(self._inbound) >= FRAME_BYTES:
            frame = bytes(self._inbound[:FRAME_BYTES])
            del self._inbound[:FRAME_BYTES]
            await self._frame(frame)

    async def _frame(self, frame: bytes) -> None:
        now = time.monotonic()
        self.vad_clock.tick(now)
        if not self._repairing:
            self.clock.tick(now)
            try:
                await self.stt.send_audio(frame)
            except Exception as exc:
                await self._stt_broken(exc)
        for event in self.vad.feed(frame):
            if isinstance(event, SpeechStartedEvent):
                self.speech_onset = self.vad_clock.time_of(event.frame_index)
                self.speech_detected_at = now
                self.idle_since, self.reprompts = None, 0
                self.last_interim = ""
                self.overlap_onset = self.speech_onset if self.playing else None
                self.note("speech_started", during_playback=self.playing)
            elif isinstance(event, UtteranceEndedEvent):
                if self.overlap_onset is not None:     # spoke over us and never reached barge-in
                    self.backchannels.append((self.overlap_onset, now))
                    self.backchannels = self.backchannels[-20:]
                    self.note("backchannel", speech_ms=event.speech_ms)
                self.overlap_onset = self.speech_onset = None
                if not self.playing and not self.busy:
                    self.idle_since = now
        if self.overlap_onset is not None and self.playing and self.vad.speech_ms >= self.config.barge_in_ms:
            held = is_backchannel(self.last_interim)
            if not (held and self.vad.speech_ms < self.config.backchannel_hold_ms):
                await self.barge_in("speech")

    @property
    def playing(self) -> bool:
        return self.current is not None and not self.current.finished

    # --- the dialogue worker -------------------------------------------------------------------

    def _enqueue(self, kind: str, payload: Any) -> None:
        self.busy += 1
        self.idle_since = None
        self._turns.put_nowait((kind, payload))

    async def _worker(self) -> None:
        while not self._stop.is_set():    # (a library may swallow our cancellation: check too)
            kind, payload = await self._turns.get()
            try:
                await self._flush_records()
                if kind == "greet":
                    await self._greet()
                elif kind == "text":
                    await self._turn(*payload)
                elif kind == "guess":
                    self._listen_for("yes_no")
                    await self.say(payload, kind="confirm_guess")
                elif kind == "miss" and self.expecting in ENGINE_HEARS_MISSES:
                    now = time.monotonic()     # the engine counts it and offers keypad choices
                    await self._turn(NOT_HEARD, payload or {"final_at": now, "speech_end": now})
                elif kind == "miss":
                    self._listen_for(question_for(self.expecting))
                    await self.say(f"{NOT_CAUGHT} {self.last_question()}", kind="reprompt")
                elif kind == "repeat":
                    self._listen_for(question_for(self.expecting))
                    await self.say(self.last_reply, kind="repeat")
            except asyncio.CancelledError:
                raise
            except ClinicUnavailable:
                await self.say("I'm sorry, this line isn't available right now. Goodbye.", kind="apology",
                               after="hangup")
            except Exception as exc:
                if is_database_outage(exc):     # the turn saved nothing: the caller may say it again
                    log.warning("voice turn: the database is unavailable",
                                extra={"event": "voice_database_unavailable", "error_type": type(exc).__name__})
                    await self.say(SCHEDULE_DOWN_IN_CALL, kind="apology")
                else:
                    log.exception("voice turn failed", extra={"event": "voice_turn_failed"})
                    await self.say(APOLOGY_ENGINE, kind="apology")
            finally:
                self.busy -= 1
                if not self.busy and not self.playing and self.idle_since is None and self.speech_onset is None:
                    self.idle_since = time.monotonic()

    async def _greet(self) -> None:
        reply = await self.engine.greet(self.clinic_id, "voice", channel_user_id=self.call_sid,
                                        prefix=self.info.greeting_prefix)
        self._apply(reply)
        await self.play(Playback(reply.message, kind="greeting", cache=True,
                                 after=self._after(reply)))

    async def _turn(self, text: str, timing: dict[str, float]) -> None:
        if self.playing:                 # our own reply would talk over the last one: stop it first
            await self._stop_playback(clear=True)
            await self._flush_records()
        started = time.monotonic()
        reply = await self.engine.process(self.clinic_id, "voice", text, channel_user_id=self.call_sid)
        timing = {**timing, "engine_start": started, "engine_end": time.monotonic()}
        self._apply(reply)
        await self.play(Playback(reply.message, after=self._after(reply), timings=timing,
                                 must_finish=mentions_help_line(reply.message)))

    def _apply(self, reply: EngineReply) -> None:
        self.expecting = reply.expecting
        self.last_reply = reply.message
        self.options_offered = len(reply.available_slots or ()) or reply.keypad_options
        self._listen_for(question_for(reply.expecting))

    def _listen_for(self, question: str) -> None:
        try:
            self.stt.set_expected(question)
        except Exception:
            log.warning("set_expected failed", extra={"event": "stt_set_expected_failed"})

    @staticmethod
    def _after(reply: EngineReply) -> str | None:
        if reply.handoff:
            return "handoff"
        return "hangup" if reply.end_conversation else None

    def last_question(self) -> str:
        sentences = split_sentences(self.last_reply)
        questions = [s for s in sentences if s.endswith("?")]
        return questions[-1] if questions else "How can I help?"

    async def _flush_records(self) -> None:
        while self._records:
            await self._record(self._records.pop(0))

    async def _record(self, pb: Playback) -> None:
        timings = pb.spans_ms()
        if timings:
            self.turn_timings.append(timings)
        for name, _, _, stage in TURN_SPANS:
            if name in timings:
                TURN_SECONDS.labels(stage=stage).observe(timings[name] / 1000)
        await self.engine.record_playback(self.clinic_id, "voice", self.call_sid, text=pb.text, heard=pb.heard,
                                          interrupted=pb.interrupted, timings=timings)

    # --- silence ---------------------------------------------------------------------------

    async def _watchdog(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            since = self.idle_since
            if since is None or self.playing or self.busy or self.speech_onset is not None or self.keypad.typed:
                continue
            if time.monotonic() - since < self.config.silence_seconds:
                continue
            self.idle_since = None
            self.reprompts += 1
            if self.guesses.pending is not None:     # no answer to "Did you say ...?": re-ask
                self.guesses.pending = None
                self._listen_for(question_for(self.expecting))
            self.note("reprompt", n=self.reprompts)
            if self.reprompts > self.config.max_reprompts:
                await self.say(GOODBYE_SILENT, after="hangup", cache=True)
            elif self.reprompts == 1:
                await self.say(f"Sorry, I didn't hear anything. {self.last_question()}")
            else:
                await self.say(f"Are you still there? {self.last_question()}")
