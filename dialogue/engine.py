"""dialogue.Engine.process(): the only entry to the core, for every channel.

    1 load or create the session            5 scheduling through the EHR adapter
    2 safety on the input                    6 respond (templates)
    3 understand: intent + slots             7 safety on the output
    4 flow: the state machine decides        8 save the session, write audit events

Channels turn their transport into `process()` calls and the reply back into their transport.
Turns of one conversation run one at a time on every process and instance (`turn_lock`), and a
session write never overwrites another's (`turn_guard`).
"""
from __future__ import annotations

import asyncio

import contextlib
import logging
import re
import time as clock
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Callable

from dialogue import responses as say
from dialogue.conversation import Conversation
from dialogue.handoff_summary import HandoffDraft, after_hours_message, draft, record_handoff
from dialogue.nlu.protocol import Understanding
from dialogue.nlu.types import Intent, NLUContext, NLUResult, RosterEntry
from dialogue.notices import NoticeSender, notices_of
from dialogue.playback import PlaybackRecord, note_playback
from dialogue.reply import EngineReply, build_reply
from dialogue.ports import (AppointmentNotice, AuditSink, Clinic, ClinicDirectory, HandoffRecorder, Notifier,
                            ReminderReply,
                            SessionStore, TurnBusy, TurnLock)
from dialogue.roster_cache import RosterCache
from dialogue.safety_context import input_context, remember_crisis
from dialogue.session import ConversationTurn, SessionData
from dialogue.states import BookingState
from dialogue.turn_guard import conversation_key, redo_if_stale
from ehr.errors import NotFound, Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import Appointment, ClinicRef, Provider

log = logging.getLogger("dialogue.engine")
SEVERITY = {"EMERGENCY": "critical", "SAFETY_TRIGGER": "warning"}
EXPECTING_FOR_NLU = {"handoff_offer": "confirm", "opening": None}


@dataclass(frozen=True)
class AuditRecord:
    action: str
    resource_type: str | None
    resource_id: str | None
    details: dict[str, Any] | None
    session_id: str | None
    severity: str = "info"
    ip_address: str | None = None
    user_agent: str | None = None


class ClinicUnavailable(Exception):
    """The clinic does not exist or is not active: channels answer with a polite refusal."""


class Engine:
    def __init__(self, *, sessions: SessionStore, directory: ClinicDirectory, calendar: EHRAdapter,
                 understanding: Understanding, audit: AuditSink, safety: Any, turn_lock: TurnLock,
                 notifier: Notifier | None = None, phrasing: Any = None, handoffs: HandoffRecorder | None = None,
                 clock_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 session_ttl: int = 1800) -> None:
        self.sessions, self.directory, self.calendar = sessions, directory, calendar
        self.understanding, self.audit, self.safety = understanding, audit, safety
        self.notifier, self.phrasing, self.turn_lock = notifier, phrasing, turn_lock
        self.handoffs = handoffs
        self.now, self.ttl = clock_now, session_ttl
        self.rosters = RosterCache(calendar)
        self._texts = NoticeSender(notifier)

    async def clinic(self, clinic_id: str) -> Clinic:
        clinic = await self.directory.by_id(clinic_id)
        if clinic is None or clinic.status != "ACTIVE":
            raise ClinicUnavailable(clinic_id)
        return clinic

    async def roster(self, clinic: Clinic) -> list[Provider]:
        return await self.rosters.get(clinic)

    async def session_for(self, clinic: Clinic, channel: str, session_id: str | None,
                          channel_user_id: str | None) -> SessionData:
        found = None
        if session_id:
            found = await self.sessions.load(clinic.id, session_id)
        elif channel_user_id:
            found = await self.sessions.find_active(clinic.id, channel, channel_user_id)
        if found:
            return found
        session = SessionData.new(clinic.id, channel, channel_user_id, self.ttl)
        if channel == "sms" and channel_user_id:
            session.collected_data["phone"] = channel_user_id
        return session

    async def greet(self, clinic_id: str, channel: str, *, session_id: str | None = None,
                    channel_user_id: str | None = None, prefix: str = "") -> EngineReply:
        """Open a conversation (a call being answered): the greeting, recorded as the first turn."""
        async with self._exclusive(conversation_key(clinic_id, channel, session_id, channel_user_id)):
            return await redo_if_stale(lambda: self._greet(clinic_id, channel, session_id, channel_user_id, prefix))

    async def _greet(self, clinic_id: str, channel: str, session_id: str | None, channel_user_id: str | None,
                     prefix: str) -> EngineReply:
        started = clock.perf_counter()
        clinic = await self.clinic(clinic_id)
        session = await self.session_for(clinic, channel, session_id, channel_user_id)
        # After a call's disclosure (which names the clinic and what it can do) a short question is enough.
        opening = "How can I help you today?" if prefix else say.greeting(clinic)
        message = f"{prefix} {opening}".strip() if not session.message_history else \
            "Welcome back. " + (say.question(session.collected_data["awaiting"], channel)
                                if session.collected_data.get("awaiting") else "How can I help?")
        session.add_turn(ConversationTurn("assistant", message, _iso(self.now()), session.current_state.value))
        await self.sessions.save(session)
        return self._reply(session, message, Intent.GREETING.value, 1.0, started)

    async def process(self, clinic_id: str, channel: str, text: str, *, session_id: str | None = None,
                      channel_user_id: str | None = None, reminder: ReminderReply | None = None,
                      heard: tuple[PlaybackRecord, ...] = ()) -> EngineReply:
        """One turn. Turns of one conversation run one at a time across processes (two texts sent
        together, a web double-click, two instances), so each sees the other's result. A turn that
        waits out the whole bound is answered "one moment" and not recorded. `reminder`: the text
        answers a reminder ("C" / "R") about that appointment. `heard`: a call's records of the
        replies played since its last turn (dialogue/playback.py), saved with this turn."""
        key = conversation_key(clinic_id, channel, session_id, channel_user_id)
        held = contextlib.AsyncExitStack()
        try:
            if key is not None:
                await held.enter_async_context(self.turn_lock.hold(key))
            reply, notices, handing = await redo_if_stale(lambda: self._process(
                clinic_id, channel, text, session_id=session_id, channel_user_id=channel_user_id,
                reminder=reminder, heard=heard))
            if handing is not None and self.handoffs is not None:    # once per turn, after the save
                reply.handoff_id = await record_handoff(self.handoffs, handing)
        except TurnBusy:
            await held.aclose()
            log.warning("turn lock stayed taken; answered busy", extra={"event": "turn_busy"})
            return await self._busy(clinic_id, channel, session_id, channel_user_id)
        except BaseException:
            await held.aclose()
            raise
        if notices and self.notifier is not None:      # the lock is released once they are sent
            self._texts.send_later(notices, held.pop_all())
        else:
            await held.aclose()
        return reply

    @contextlib.asynccontextmanager
    async def _exclusive(self, key: str | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        async with self.turn_lock.hold(key):
            yield

    async def _busy(self, clinic_id: str, channel: str, session_id: str | None,
                    channel_user_id: str | None) -> EngineReply:
        started = clock.perf_counter()
        session = await self.session_for(await self.clinic(clinic_id), channel, session_id, channel_user_id)
        return self._reply(session, say.busy(), Intent.UNKNOWN.value, 0.0, started)

    async def _process(self, clinic_id: str, channel: str, text: str, *, session_id: str | None = None,
                       channel_user_id: str | None = None, reminder: ReminderReply | None = None,
                       heard: tuple[PlaybackRecord, ...] = ()
                       ) -> tuple[EngineReply, list[AppointmentNotice], HandoffDraft | None]:
        started = clock.perf_counter()
        clinic = await self.clinic(clinic_id)
        session = await self.session_for(clinic, channel, session_id, channel_user_id)
        for record in heard:                 # saved with this turn: one write
            note_playback(session, record)
        c = session.collected_data
        now = self.now()
        roster, calendar_up = await self.rosters.get_or_last(clinic)     # asked once a turn, whatever happens
        # the safety models run in a worker thread: on the event loop their encoder stalled every
        # live call's audio (docs/benchmarks/voice.md, "What stalls the event loop")
        verdict = await asyncio.to_thread(self.safety.check_input, text, input_context(session, clinic, roster))
        remember_crisis(session, verdict.crisis.severity)
        events: list[tuple[str, dict]] = list(verdict.audit_events)
        session.message_count += 1
        asked = session.open_question()
        patient_turn = ConversationTurn("patient", verdict.text_redacted, _iso(now), session.current_state.value)
        session.add_turn(patient_turn)
        intent, confidence, handoff, end = Intent.UNKNOWN.value, 0.0, False, False
        why = ""
        action = verdict.action.value
        if action == "escalate":
            message, intent, confidence, handoff = verdict.reply, Intent.HANDOFF.value, 1.0, True
            why = f"crisis ({getattr(verdict.crisis.severity, 'name', 'unknown').lower()} severity)"
            c.update(flow=None, awaiting=None)
            session.move_to(BookingState.HANDED_OFF)
        elif action in ("redirect", "block"):
            message = verdict.reply
            if verdict.abuse:
                c["abuse_strikes"] = c.get("abuse_strikes", 0) + 1
            elif verdict.crisis.severity is not None:      # resources given: offer a person next
                c["resume"], c["awaiting"] = c.get("awaiting"), "handoff_offer"
            end = action == "block"
        else:
            nlu = await self.understand(verdict.text_clean, clinic, session, roster, now)
            intent, confidence = nlu.intent.value, nlu.confidence
            try:
                about = await self.reminded(clinic, reminder, now) if reminder else None
            except Unavailable:
                about, calendar_up = None, False
            conversation = Conversation(clinic=clinic, session=session, nlu=nlu, text=verdict.text_clean,
                                        history_text=verdict.text_redacted, roster=roster, calendar=self.calendar,
                                        now=now, about=about)
            try:
                if not calendar_up and (conversation.needs_calendar() or reminder):
                    raise Unavailable("the provider list could not be read")
                message = await conversation.respond()
            except Unavailable:
                log.warning("calendar unavailable", extra={"event": "ehr_unavailable"})
                message = conversation.schedule_unreachable()
                events.append(("flow_schedule_unreachable", {}))
            handoff, end, why = conversation.handoff, conversation.end, conversation.handoff_reason
            closed = after_hours_message(clinic, now) if handoff and channel != "voice" else None
            message = closed or message
            events.extend((f"flow_{name}", details) for name, details in conversation.events)
            message = await self.phrase(message, clinic, session, roster)
            if verdict.prefix:
                message = f"{verdict.prefix} {message}"
            if verdict.notice:
                message = f"{verdict.notice} {message}"
            session.intent_history.append(intent)
        patient_turn.text = scrub_identity(patient_turn.text, asked, c)
        output = await asyncio.to_thread(self.safety.check_output, message, self.allowed_values(clinic, session),
                                         verdict.lang)
        events.extend(output.audit_events)
        message = output.text
        session.add_turn(ConversationTurn("assistant", message, _iso(self.now()), session.current_state.value,
                                          intent))
        live = handoff or bool(c.get("handoff_live"))      # later turns keep the record's transcript current
        if live:
            c["handoff_live"] = True
        await self.sessions.save(session)
        await self.record(clinic.id, session.session_id, events)
        reply = self._reply(session, message, intent, confidence, started)
        reply.handoff, reply.end_conversation, reply.safety_action = handoff, end, action
        reply.events = [e for e in events if e[0].startswith("flow_")]
        handing = self.handoff_draft(clinic, session, why, now, refresh=not handoff) if live else None
        return reply, notices_of(clinic, session, events), handing

    def handoff_draft(self, clinic: Clinic, session: SessionData, reason: str, now: datetime, *,
                      refresh: bool = False) -> HandoffDraft:
        roster = self.rosters.last(clinic.id)
        provider = next((p.display_name for p in roster if p.id == session.collected_data.get("provider_id")), None)
        return draft(session, reason or "the patient asked for a person", provider,
                     after_hours=after_hours_message(clinic, now) is not None, refresh=refresh)

    async def reminded(self, clinic: Clinic, reminder: ReminderReply,
                       now: datetime) -> tuple[str, Appointment] | None:
        """The reminder's appointment while it can still be cancelled or moved; None otherwise (the
        reply is then read like any other message)."""
        try:
            target = await self.calendar.get_appointment(ClinicRef(clinic.id, clinic.timezone, clinic.name),
                                                         reminder.appointment_id)
        except NotFound:
            return None
        if target.status.upper() not in ("SCHEDULED", "CONFIRMED") or target.start <= now:
            return None
        return reminder.action, target

    def screen(self, text: str) -> tuple[str, str | None]:
        """A caller's words taken for the front desk outside a turn (a message after a missed
        transfer): the text with its PII replaced, and what to say instead when it is a crisis."""
        verdict = self.safety.check_input(text, {"channel": "voice"})
        return verdict.text_redacted, verdict.reply if verdict.action.value == "escalate" else None

    async def phrase(self, message: str, clinic: Clinic, session: SessionData,
                     roster: list[Provider]) -> str:
        """Claude's wording of a template reply, when configured; facts are checked, the template is the
        fallback. Not on calls (a round trip before the first audio) nor for numbered option lists."""
        if self.phrasing is None or session.channel == "voice" or \
                session.collected_data.get("awaiting") in ("slot_choice", "appointment_choice"):
            return message
        facts = {"providers": [p.display_name for p in roster], "clinic": clinic.name}
        try:
            return await self.phrasing.phrase(message, facts, {"channel": session.channel, "clinic_name": clinic.name})
        except Exception:
            log.exception("phrasing failed", extra={"event": "phrasing_failed"})
            return message

    async def history(self, clinic_id: str, session_id: str) -> EngineReply | None:
        """The conversation so far (redacted, the last turns) and what is on offer, e.g. for a page reload."""
        session = await self.sessions.load(clinic_id, session_id)
        if session is None:
            return None
        last = next((t for t in reversed(session.message_history) if t.role == "assistant"), None)
        reply = self._reply(session, last.text if last else "", session.intent_history[-1]
                            if session.intent_history else Intent.UNKNOWN.value, 0.0, clock.perf_counter())
        reply.turns = [(t.role, t.text) for t in session.message_history]
        return reply

    async def record_playback(self, clinic_id: str, channel: str, channel_user_id: str, *, heard: str,
                              interrupted: bool, timings: dict[str, float] | None = None,
                              text: str | None = None) -> None:
        """A call tells the engine what the caller actually heard of a reply (barge-in), and the
        turn's timings; both land in that assistant turn's meta (no PHI). ``text`` names the reply:
        a record that arrives after the next turn began still lands on its own turn (without it,
        the last assistant turn)."""
        try:
            async with self._exclusive(conversation_key(clinic_id, channel, None, channel_user_id)):
                await redo_if_stale(lambda: self._record_playback(clinic_id, channel, channel_user_id, heard,
                                                                  interrupted, timings, text))
        except TurnBusy:
            log.warning("playback record dropped: the conversation stayed busy", extra={"event": "turn_busy"})

    async def _record_playback(self, clinic_id: str, channel: str, channel_user_id: str, heard: str,
                               interrupted: bool, timings: dict[str, float] | None, text: str | None) -> None:
        clinic = await self.clinic(clinic_id)
        session = await self.sessions.find_active(clinic.id, channel, channel_user_id)
        if session is None:
            return
        if note_playback(session, PlaybackRecord(text, heard, interrupted, timings or {})):
            await self.sessions.save(session)

    async def understand(self, text: str, clinic: Clinic, session: SessionData, roster: list[Provider],
                         now: datetime) -> NLUResult:
        awaiting = session.open_question()
        ctx = NLUContext(
            timezone=clinic.timezone, now=now,
            roster=[RosterEntry(p.id, p.first_name, p.last_name, p.title or "", p.specialty or "") for p in roster],
            expecting=EXPECTING_FOR_NLU.get(awaiting, awaiting), spoken=session.channel == "voice",
            shown_options=len(session.shown_slots) if awaiting == "slot_choice"
            else len(session.collected_data.get("appointments", [])))
        return await self.understanding.understand_async(text, ctx)

    def allowed_values(self, clinic: Clinic, session: SessionData) -> list[str]:
        """What a reply may contain that looks like PII: the clinic's own contacts, the patient's own."""
        c = session.collected_data
        values = [clinic.phone, clinic.email, clinic.address, clinic.settings.get("front_desk_phone"),
                  c.get("phone"), c.get("first_name"), c.get("last_name")]
        roster = self.rosters.last(clinic.id)
        values += [p.display_name for p in roster] + [f"{p.first_name} {p.last_name}" for p in roster]
        return [v for v in values if v]

    async def record(self, clinic_id: str, session_id: str, events: list[tuple[str, dict]]) -> None:
        """Safety and consent events of this turn, in one transaction. Bookings and cancellations are
        audited by the calendar, in their own transaction."""
        rows = [AuditRecord(action, "session", session_id, details, session_id, SEVERITY.get(action, "info"))
                for action, details in events if not action.startswith("flow_")]
        try:
            await self.audit.record_many(clinic_id, rows)
        except Exception:
            log.exception("audit write failed", extra={"event": "audit_failed"})

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for texts still being sent (shutdown, tests)."""
        await self._texts.drain(timeout)

    def _reply(self, session: SessionData, message: str, intent: str, confidence: float,
               started: float) -> EngineReply:
        return build_reply(session, message, intent, confidence, started, self.rosters.last(session.clinic_id))


IDENTITY_ANSWERS = {"patient_name": "<PERSON>", "date_of_birth": "<DATE_OF_BIRTH>", "phone": "<PHONE_NUMBER>"}


def scrub_identity(text: str, asked: str | None, collected: dict[str, Any]) -> str:
    """History never holds identifiers: an answer to an identity question is stored as its type,
    and the patient's known name is masked wherever else it appears (names need no cue here)."""
    if asked in IDENTITY_ANSWERS:
        return IDENTITY_ANSWERS[asked]
    for key in ("first_name", "last_name"):
        value = collected.get(key)
        if value and len(value) > 1:
            text = re.sub(rf"\b{re.escape(value)}\b", "<PERSON>", text, flags=re.IGNORECASE)
    return text


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")
