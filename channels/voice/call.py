"""One phone call on a Twilio Media Streams socket: audio in → STT → Engine → TTS → audio out.

The call owns turn-taking, never what is said (that is the Engine's job). `CallSession` is the
coordinator of the call's stages (channels/voice/stages/, docs/architecture.md "The call as
stages"): `wire` (Twilio JSON ⇄ typed events), `turns` (whose turn, barge-in, back-channels),
`hearing` (the STT stream), `intake` (a transcript or key entry → a work item), `player` (sentences,
marks, what was heard), `records` (saved with the next turn: one session save per turn), `watchdog`
(silence), and `keypad.py`. Each owns its state; the coordinator wires them through constructor
arguments and callbacks, runs the dialogue worker (one work item at a time: the greeting, a turn, a
guess to confirm, a miss, a repeat) and ends the call. Goodbye and handoff end the stream only after
the last sentence's mark comes back; Twilio then requests the `<Connect action>` (twiml.py). Every
task is cancelled when the socket ends; nothing a caller or vendor sends crashes the call.
`transfer_call.py` extends the call through its hooks (`greet`, `take_turn`, `apply_reply`,
`before_close`).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Awaitable, Callable

from starlette.websockets import WebSocket

from channels.voice.apologies import ENGINE_FAILED, SCHEDULE_DOWN_IN_CALL, is_database_outage
from channels.voice.call_types import TURN_SPANS, CallInfo, Playback, VoiceConfig, cancel_and_wait  # noqa: F401 (re-exported)
from channels.voice.keypad import KeyMeaning, Keypad
from channels.voice.ports import (Final, Interim, SpeechContext, SpeechStarted, SpeechToText, TextToSpeech,
                                  question_for)
from channels.voice.speech.tts import split_sentences
from channels.voice.stages.hearing import Hearing
from channels.voice.stages.intake import Intake, stale_work
from channels.voice.stages.player import Player
from channels.voice.stages.records import HeardLog
from channels.voice.stages.turns import BargeIn, CallerStarted, CallerStopped, TurnDetector
from channels.voice.stages.watchdog import SilenceWatchdog
from channels.voice.stages.wire import (BadMessage, CallerAudio, KeyPressed, MarkPlayed, Reframer, Sender,
                                        StreamEnded, WireEvent, decode)
from dialogue.engine import ClinicUnavailable, Engine, EngineReply
from safety.resources import mentions_help_line

log = logging.getLogger("channels.voice.call")

APOLOGY_ENGINE = ENGINE_FAILED
NOT_CAUGHT = "Sorry, I didn't catch that."
# An answer nobody could make out, to the doctor or day question, goes to the engine as this text: it
# counts the miss and, on a call, offers numbered keypad choices (dialogue/keypad_menu.py).
NOT_HEARD = "(not understood)"
ENGINE_HEARS_MISSES = ("provider", "date")
GOODBYE_SILENT = "I haven't heard anything, so I'll end the call now. Please call back any time. Goodbye."


class CallSession:
    def __init__(self, ws: WebSocket, engine: Engine, info: CallInfo, stt: SpeechToText, tts: TextToSpeech, *,
                 config: VoiceConfig | None = None, fallback_tts: TextToSpeech | None = None,
                 stt_factory: Callable[[], Awaitable[SpeechToText]] | None = None,
                 fallback_stt_factory: Callable[[], Awaitable[SpeechToText]] | None = None,
                 tts_voice: str = "default") -> None:
        self.ws, self.engine, self.info = ws, engine, info
        self.config = config = config or VoiceConfig()
        self.clinic_id = info.clinic.id
        self.call_sid, self.stream_sid = info.call_sid, info.stream_sid
        self._stop = asyncio.Event()
        self._work: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._tasks: set[asyncio.Task] = set()
        self.outcome = "active"
        self.bad_messages = 0
        self.busy = 0                      # work items queued or being processed
        # the dialogue's state on this call: what the last reply asked, and what it offered
        self.expecting: str | None = None
        self.last_reply = ""
        self.options_offered = 0
        self.events: list[tuple[float, str, dict]] = []      # what tests and the bench read (no PHI)
        # the stages
        self.reframer = Reframer()
        self.sender = Sender(ws, self.stream_sid, stopped=self._stop.is_set, on_gone=self._socket_gone)
        self.turns = TurnDetector(barge_in_ms=config.barge_in_ms, backchannel_hold_ms=config.backchannel_hold_ms)
        self.hearing = Hearing(stt, context=self._context, on_event=self.on_stt, apologise=self._apologise,
                               note=self.note, stopped=self._stop.is_set, stt_factory=stt_factory,
                               fallback_factory=fallback_stt_factory)
        self.heard = HeardLog()
        self.player = Player(self.sender, tts, config, note=self.note, on_started=self._reply_started,
                             on_finished=self._reply_finished, fallback_tts=fallback_tts, voice=tts_voice)
        self.watchdog = SilenceWatchdog(silence_seconds=config.silence_seconds, quiet=self._line_quiet,
                                        on_silence=self._silence)
        self.keypad = Keypad(self._on_key_entry, entry_pause=config.dtmf_pause_seconds,
                             key_pause=config.key_pause_seconds)
        self.intake = Intake(self._enqueue, escape_sure=config.escape_sure, can_repeat=lambda: bool(self.last_reply))

    # --- what tests, the benchmark and the media route read ---------------------------------

    @property
    def stt(self) -> SpeechToText:
        return self.hearing.stt

    @property
    def tts(self) -> TextToSpeech:
        return self.player.tts

    @property
    def current(self) -> Playback | None:
        return self.player.current

    @property
    def playbacks(self) -> list[Playback]:
        return self.player.playbacks

    @property
    def playing(self) -> bool:
        return self.player.playing

    @property
    def turn_timings(self) -> list[dict[str, float]]:
        return self.heard.turn_timings

    def note(self, what: str, **details: Any) -> None:
        self.events.append((time.monotonic(), what, details))
        if len(self.events) > 2000:
            del self.events[:1000]

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

    async def run(self) -> None:
        """Drive the call until the caller hangs up, the stream stops or we end it."""
        try:
            await self.hearing.start()
            self._spawn(self.hearing.run(), "stt")
            self._spawn(self._reader(), "reader")
            self._spawn(self._worker(), "worker")
            self._spawn(self.watchdog.run(), "watchdog")
            self._enqueue("greet", None)
            await self._stop.wait()
        finally:
            await self._shutdown()

    def _context(self) -> SpeechContext:
        base = self.info.speech or SpeechContext(call_id=self.call_sid, clinic_id=self.clinic_id)
        return SpeechContext(call_id=base.call_id, clinic_id=base.clinic_id, providers=list(base.providers),
                             patient_names=list(base.patient_names), question=question_for(self.expecting),
                             language=base.language)

    async def before_close(self) -> None:
        """A hook: runs once the call has stopped, before its tasks are cancelled."""

    async def _shutdown(self) -> None:
        await self.before_close()
        self._stop.set()
        await cancel_and_wait(*[t for t in (*self._tasks, self.keypad.pending) if t is not None and not t.done()])
        await self.player.close()          # they hung up mid-reply: what they heard of it is recorded
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.heard.flush(self._write_record), timeout=2.0)
        await self.hearing.close()
        with contextlib.suppress(Exception):
            await self.ws.close(1000)
        self.note("closed", outcome=self.outcome)

    def end(self, outcome: str) -> None:
        self.outcome = outcome
        self.note("end", outcome=outcome)
        self._stop.set()

    def _socket_gone(self) -> None:
        self.end(self.outcome if self.outcome != "active" else "caller_hung_up")

    # --- inbound: the wire -----------------------------------------------------------------------

    async def _reader(self) -> None:
        while not self._stop.is_set():
            event = decode(await self.ws.receive())
            await self.handle(event)
            if isinstance(event, StreamEnded) and event.hung_up:
                return

    async def handle(self, event: WireEvent) -> None:
        if isinstance(event, CallerAudio):
            for frame in self.reframer.push(event.audio):
                await self._frame(frame)
        elif isinstance(event, MarkPlayed):
            self.player.on_mark(event.name)
        elif isinstance(event, KeyPressed):
            await self.on_dtmf(event.digit)
        elif isinstance(event, StreamEnded):
            self.end(self.outcome if self.outcome != "active" else "caller_hung_up" if event.hung_up else "stopped")
        elif isinstance(event, BadMessage):
            self._bad(event.why)

    def _bad(self, why: str) -> None:
        self.bad_messages += 1
        self.note("bad_message", why=why)
        if self.bad_messages == 1 or self.bad_messages % 50 == 0:
            log.warning("bad media stream message", extra={"event": "media_bad_message", "why": why,
                                                           "count": self.bad_messages})
        if self.bad_messages > self.config.max_bad_messages:
            self.end("bad_stream")

    async def _frame(self, frame: bytes) -> None:
        now = time.monotonic()
        await self.hearing.send(frame, now)
        playing = self.player.playing
        for event in self.turns.feed(frame, now, playing=playing):
            if isinstance(event, CallerStarted):
                self.watchdog.caller_active()
                self.note("speech_started", during_playback=event.during_playback)
            elif isinstance(event, CallerStopped):
                if event.backchannel_ms is not None:
                    self.note("backchannel", speech_ms=event.backchannel_ms)
                if not self.player.playing and not self.busy:
                    self.watchdog.went_quiet(now)
            elif isinstance(event, BargeIn):
                await self.barge_in("speech")

    async def barge_in(self, why: str) -> None:
        pb = await self.player.barge_in(why, self.turns.detected_at)
        if pb is None:
            return
        self.turns.barged_in()
        if pb.after == "handoff":           # they asked for a person: transfer anyway
            self.end("handoff")

    # --- outbound: the player's callbacks ----------------------------------------------------

    async def say(self, text: str, *, kind: str = "reprompt", after: str | None = None, cache: bool = False) -> None:
        await self.play(Playback(text, kind=kind, after=after, engine_turn=False, cache=cache))

    async def play(self, pb: Playback) -> None:
        await self.player.play(pb)

    async def _apologise(self, text: str, after: str | None) -> None:
        await self.say(text, kind="apology", after=after, cache=True)

    def _reply_started(self, pb: Playback) -> None:
        self.watchdog.activity()
        self.hearing.agent_speaking(True)

    def _reply_finished(self, pb: Playback) -> None:
        self.hearing.agent_speaking(False)
        if pb.engine_turn:
            self.heard.add(pb)
        if not self.busy and not self.turns.caller_speaking:
            self.watchdog.went_quiet()
        if not pb.interrupted and pb.after == "hangup":
            self.end("goodbye" if pb.kind != "apology" else "ended")
        elif not pb.interrupted and pb.after == "handoff":
            self.end("handoff")

    async def _write_record(self, record) -> None:
        await self.engine.record_playback(self.clinic_id, "voice", self.call_sid, text=record.text,
                                          heard=record.heard, interrupted=record.interrupted, timings=record.timings)

    # --- the dialogue worker -------------------------------------------------------------------

    def _enqueue(self, kind: str, payload: Any) -> None:
        self.busy += 1
        self.watchdog.activity()
        self._work.put_nowait((kind, payload))

    async def _worker(self) -> None:
        while not self._stop.is_set():    # (a library may swallow our cancellation: check too)
            kind, payload = await self._work.get()
            try:
                await self._do(kind, payload)
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
                if not self.busy and not self.player.playing and not self.turns.caller_speaking:
                    self.watchdog.quiet_unless_counting()

    async def _do(self, kind: str, payload: Any) -> None:
        if kind == "greet":
            await self.greet()
        elif kind == "text":
            await self.take_turn(*payload)
        elif kind == "guess":
            self.listen_for("yes_no")
            await self.say(payload, kind="confirm_guess")
        elif kind == "miss" and self.expecting in ENGINE_HEARS_MISSES:
            now = time.monotonic()     # the engine counts it and offers keypad choices
            await self.take_turn(NOT_HEARD, payload or {"final_at": now, "speech_end": now})
        elif kind == "miss":
            self.listen_for(question_for(self.expecting))
            await self.say(f"{NOT_CAUGHT} {self.last_question()}", kind="reprompt")
        elif kind == "repeat":
            self.listen_for(question_for(self.expecting))
            await self.say(self.last_reply, kind="repeat")

    async def greet(self) -> None:
        reply = await self.engine.greet(self.clinic_id, "voice", channel_user_id=self.call_sid,
                                        prefix=self.info.greeting_prefix)
        self.apply_reply(reply)
        await self.play(Playback(reply.message, kind="greeting", cache=True, after=_after(reply)))

    async def take_turn(self, text: str, timing: dict[str, float]) -> None:
        if self.player.playing:          # our own reply would talk over the last one: stop it first
            await self.player.stop(clear=True)
        started = time.monotonic()
        heard = self.heard.outstanding()     # saved with this turn (one save)
        reply = await self.engine.process(self.clinic_id, "voice", text, channel_user_id=self.call_sid, heard=heard)
        self.heard.written(heard)
        timing = {**timing, "engine_start": started, "engine_end": time.monotonic()}
        self.apply_reply(reply)
        await self.play(Playback(reply.message, after=_after(reply), timings=timing,
                                 must_finish=mentions_help_line(reply.message)))

    def apply_reply(self, reply: EngineReply) -> None:
        self.expecting = reply.expecting
        self.last_reply = reply.message
        self.options_offered = len(reply.available_slots or ()) or reply.keypad_options
        self.listen_for(question_for(reply.expecting))

    def listen_for(self, question: str) -> None:
        self.hearing.expect(question)

    def last_question(self) -> str:
        sentences = split_sentences(self.last_reply)
        questions = [s for s in sentences if s.endswith("?")]
        return questions[-1] if questions else "How can I help?"

    # --- what the caller said or pressed becomes work ---------------------------------------

    async def on_stt(self, event: object) -> None:
        if isinstance(event, SpeechStarted):
            self.watchdog.activity()
            return
        if isinstance(event, Interim):
            self.turns.interim(event.text)
            return
        if not isinstance(event, Final):
            return
        now = time.monotonic()
        clock = self.hearing.clock
        onset = clock.time_at_seconds(event.t_start) if event.t_end else None
        end = clock.time_at_seconds(event.t_end) if event.t_end else None
        text = " ".join((event.text or "").split())
        if self.turns.is_backchannel(onset, text, playing=self.player.playing):
            self.note("dropped_backchannel", text_len=len(text))
            return
        self.note("final", accepted=event.accepted, words=len(text.split()))     # no transcript: PHI
        self.intake.final(event, text, {"speech_end": min(end or now, now), "final_at": now})

    async def on_dtmf(self, digit: str) -> None:
        self.note("dtmf", digit="#" if digit == "#" else "*" if digit == "*" else "d")
        self.watchdog.caller_active()
        if self.player.playing:
            await self.barge_in("dtmf")
        self.keypad.press(digit, self.expecting, guess_open=self.intake.guess_open, options=self.options_offered)

    def _on_key_entry(self, meaning: KeyMeaning) -> None:
        if meaning.action == "answer":           # it answers the question: earlier misses are stale
            self.busy -= stale_work(self._work)
        self.intake.key_entry(meaning, time.monotonic())

    # --- silence -------------------------------------------------------------------------------

    def _line_quiet(self) -> bool:
        return not (self.player.playing or self.busy or self.turns.caller_speaking or self.keypad.typed
                    or self.hearing.decoding)

    async def _silence(self, reprompts: int) -> None:
        if self.intake.drop_guess():     # no answer to "Did you say ...?": re-ask
            self.listen_for(question_for(self.expecting))
        self.note("reprompt", n=reprompts)
        if reprompts > self.config.max_reprompts:
            await self.say(GOODBYE_SILENT, after="hangup", cache=True)
        elif reprompts == 1:
            await self.say(f"Sorry, I didn't hear anything. {self.last_question()}")
        else:
            await self.say(f"Are you still there? {self.last_question()}")


def _after(reply: EngineReply) -> str | None:
    if reply.handoff:
        return "handoff"
    return "hangup" if reply.end_conversation else None
