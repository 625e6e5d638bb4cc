"""Warm transfer of a call to the front desk, through a Twilio conference (docs/warm_transfer.md).

1. The engine hands a call off while the clinic is open and has a `front_desk_phone`: the handoff goes
   `open → ringing` and the desk is dialled at once (`Calls.create`, `Url` = the whisper, `Timeout` =
   the clinic's `transfer_ring_seconds`, status callbacks for every call-progress event). A crisis
   therefore rings while its safety reply (911 / 988) is still being spoken.
2. When the caller has heard the handoff reply to its end, their live call is moved by a REST update
   with TwiML into the conference, where they hear hold audio (`caller_heard_handoff`).
3. The desk hears the whisper and presses 1 → `ringing → connected`, the desk joins, the caller hears
   "Connecting you". Anything else (another key, nothing, no answer, busy, failed, hung up, the
   server's own time limit) → `ringing → missed`, and the caller's call is updated back to a Media
   Stream on the same conversation, where the assistant offers a call-back or takes a message.
4. The caller hanging up first → `missed` (outcome `caller-left`); a desk that answers after that
   hears "the caller has left".

Each move is one atomic transition from named statuses, so callbacks arriving twice, late or in any
order move a record once; which side moves the caller is settled by `TransferRecords.hold`, which
marks the caller held and reads the status in one statement. The REST client is the Twilio SDK
(blocking: run in a thread); TWILIO_API_BASE_URL points it at the simulator's stand-in.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from channels.ports import Conversations
from channels.voice import transfer_twiml as tw
from channels.voice.call_summary import staff_summary
from channels.voice.opening_hours import is_open
from dialogue.ports import Clinic

log = logging.getLogger("channels.voice.transfer")
DEFAULT_RING_SECONDS = 25
DESK_EVENTS = ["initiated", "ringing", "answered", "completed"]
UNANSWERED = {"no-answer": "no-answer", "busy": "busy", "failed": "failed", "canceled": "no-answer"}
# After the ring time, the whisper and its key: still ringing then means a callback was lost.
GRACE_SECONDS = tw.WHISPER_GATHER_SECONDS + 45


class Handoffs(Protocol):
    async def get(self, clinic_id: str, handoff_id: str) -> Any: ...

    async def transition(self, clinic_id: str, handoff_id: str, to: str, *, allowed_from: tuple[str, ...],
                         **fields: Any) -> Any: ...

    async def find_by_call(self, clinic_id: str, call_sid: str) -> Any: ...

    async def create(self, clinic_id: str, *, channel: str, reason: str, summary: str, transcript: list,
                     conversation_id: str, call_sid: str | None = None) -> Any: ...


class TransferStore(Protocol):
    async def facts(self, clinic_id: str, handoff_id: str) -> Any: ...

    async def set_desk_call(self, clinic_id: str, handoff_id: str, desk_call_sid: str) -> None: ...

    async def set_callback_number(self, clinic_id: str, handoff_id: str, number: str) -> None: ...

    async def hold(self, clinic_id: str, handoff_id: str) -> str | None: ...

    async def set_outcome(self, clinic_id: str, handoff_id: str, outcome: str) -> None: ...

    async def record_message(self, clinic_id: str, handoff_id: str, message: str) -> bool: ...

    async def first_time(self, digest: str) -> bool: ...

    async def forget(self, digest: str) -> None: ...


def ring_seconds(clinic: Clinic) -> int:
    value = clinic.settings.get("transfer_ring_seconds", DEFAULT_RING_SECONDS)
    return value if isinstance(value, int) and not isinstance(value, bool) and 5 <= value <= 120 \
        else DEFAULT_RING_SECONDS


class WarmTransfer:
    def __init__(self, *, settings: Any, client: Any, handoffs: Handoffs, records: TransferStore, engine: Any,
                 conversations: Conversations) -> None:
        self.settings, self.client, self.handoffs, self.records, self.engine = \
            settings, client, handoffs, records, engine
        self.conversations = conversations       # the call's conversation (for the desk's summary)
        self._timers: dict[str, asyncio.Task] = {}       # handoff id -> this process's time limit

    def urls(self, clinic_id: str, handoff_id: str) -> tw.TransferUrls:
        return tw.TransferUrls(self.settings.public_base_url, clinic_id, handoff_id)

    def can_ring(self, clinic: Clinic) -> bool:
        """A transfer is tried only with a REST client, a desk number, and the clinic open now."""
        return bool(self.client is not None and clinic.settings.get("front_desk_phone")
                    and is_open(clinic.business_hours, clinic.timezone, self.engine.now(),
                                clinic.settings.get("holidays")))

    async def _rest(self, what: str, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return await asyncio.to_thread(fn, *args, **kw)
        except Exception as exc:
            log.warning("Twilio REST call failed", extra={"event": "transfer_rest_failed", "what": what,
                                                          "error": type(exc).__name__})
            return None

    async def update_call(self, call_sid: str, **kw: Any) -> bool:
        return await self._rest("calls.update", lambda: self.client.calls(call_sid).update(**kw)) is not None

    # --- the caller's side (the call session calls these) ----------------------------------------

    async def begin(self, clinic: Clinic, call_sid: str, reply: Any) -> str | None:
        """Ring the desk for this handoff; the handoff id when ringing, None when no transfer is tried."""
        if not self.can_ring(clinic):
            return None
        handoff_id = getattr(reply, "handoff_id", None) or await self._record_of(clinic, call_sid, reply)
        name = tw.conference_name(self.settings.secret_key, handoff_id)
        moved = await self.handoffs.transition(clinic.id, handoff_id, "ringing", allowed_from=("open",),
                                               call_sid=call_sid, conference_name=name)
        if moved is None:
            return None
        urls, seconds = self.urls(clinic.id, handoff_id), ring_seconds(clinic)
        desk = await self._rest("calls.create", self.client.calls.create,
                                to=clinic.settings["front_desk_phone"], from_=clinic.phone, url=urls.whisper,
                                method="POST", timeout=seconds, status_callback=urls.desk_status,
                                status_callback_method="POST", status_callback_event=DESK_EVENTS)
        if desk is None:
            await self.missed(clinic.id, handoff_id, "failed")
            return handoff_id
        await self.records.set_desk_call(clinic.id, handoff_id, desk.sid)
        if not getattr(moved, "callback_number", None):     # whom to call back: the caller ID, unless keyed
            caller = await self._rest("calls.fetch", lambda: self.client.calls(call_sid).fetch())
            number = getattr(caller, "_from", None)          # (the SDK's name for the call's From)
            if number:
                await self.records.set_callback_number(clinic.id, handoff_id, number)
        log.info("front desk ringing", extra={"event": "transfer_ringing", "clinic_id": clinic.id})
        self._timers[handoff_id] = asyncio.create_task(
            self._time_limit(clinic.id, handoff_id, seconds + GRACE_SECONDS), name="transfer-time-limit")
        return handoff_id

    def _settled(self, handoff_id: str) -> None:
        """The transfer left `ringing`: its time limit (if this process set it) is no longer needed."""
        timer = self._timers.pop(handoff_id, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()

    async def _record_of(self, clinic: Clinic, call_sid: str, reply: Any) -> str:
        """The call's handoff record (the engine makes one per handoff; made here if it did not)."""
        found = await self.handoffs.find_by_call(clinic.id, call_sid)
        if found is not None:
            return found.id
        session = await self.conversations.find_active(clinic.id, "voice", call_sid)
        made = await self.handoffs.create(
            clinic.id, channel="voice", reason="crisis" if reply.safety_action == "escalate" else "caller_request",
            summary=tw.scrub_numbers(staff_summary(session, clinic)), transcript=[],
            conversation_id=reply.session_id, call_sid=call_sid)
        return made.id

    async def caller_heard_handoff(self, clinic_id: str, handoff_id: str, call_sid: str) -> bool:
        """The handoff reply was heard: move the caller out of the stream (hold, straight into the call
        when the desk already pressed 1, or back to a new stream when the desk already missed it)."""
        status = await self.records.hold(clinic_id, handoff_id)
        facts = await self.records.facts(clinic_id, handoff_id)
        if status is None or facts is None or not facts.conference_name:
            return False
        return await self.update_call(call_sid, twiml=self._caller_twiml(clinic_id, handoff_id, status, facts))

    def _caller_twiml(self, clinic_id: str, handoff_id: str, status: str, facts: Any) -> str:
        urls = self.urls(clinic_id, handoff_id)
        if status == "connected":
            return tw.caller_connected(facts.conference_name, urls)
        if status == "missed":
            return tw.back_to_assistant(self.settings.public_base_url, self.settings.secret_key, clinic_id,
                                        facts.call_sid)
        return tw.caller_on_hold(facts.conference_name, urls)

    async def caller_left(self, clinic_id: str, handoff_id: str) -> None:
        """The caller hung up before anyone took the call: missed, and a desk still ringing stops."""
        moved = await self.handoffs.transition(clinic_id, handoff_id, "missed", allowed_from=("open", "ringing"))
        if moved is None:
            return
        self._settled(handoff_id)
        await self.records.set_outcome(clinic_id, handoff_id, "caller-left")
        facts = await self.records.facts(clinic_id, handoff_id)
        if facts is not None and facts.desk_call_sid:     # `canceled` ends only a call not yet answered
            await self.update_call(facts.desk_call_sid, status="canceled")
        log.info("caller left before the transfer", extra={"event": "transfer_caller_left", "clinic_id": clinic_id})

    async def after_stream(self, clinic_id: str, call_sid: str) -> str | None:
        """What the end of a stream means for a call whose handoff went through a warm transfer: None
        (no transfer: the usual `<Dial>` or message), "hangup" (the desk has it, or a message was
        taken), or "message" (missed and no message yet: take a recorded one)."""
        handoff = await self.handoffs.find_by_call(clinic_id, call_sid)
        if handoff is None or handoff.status not in ("ringing", "connected", "missed"):
            return None
        facts = await self.records.facts(clinic_id, handoff.id)
        return "message" if handoff.status == "missed" and facts is not None and not facts.message else "hangup"

    async def take_message(self, clinic_id: str, handoff_id: str, message: str) -> bool:
        return await self.records.record_message(clinic_id, handoff_id, message)

    # --- the desk's side and Twilio's callbacks (transfer_routes.py calls these) ------------------------

    async def missed(self, clinic_id: str, handoff_id: str, outcome: str) -> bool:
        """`ringing → missed`; the caller, if already out of the stream, goes back to the assistant."""
        moved = await self.handoffs.transition(clinic_id, handoff_id, "missed", allowed_from=("ringing",))
        if moved is None:
            return False
        self._settled(handoff_id)
        await self.records.set_outcome(clinic_id, handoff_id, outcome)
        facts = await self.records.facts(clinic_id, handoff_id)
        log.info("transfer missed", extra={"event": "transfer_missed", "clinic_id": clinic_id, "outcome": outcome})
        if facts is not None and facts.caller_held_at is not None and facts.call_sid:
            await self.update_call(facts.call_sid, twiml=tw.back_to_assistant(
                self.settings.public_base_url, self.settings.secret_key, clinic_id, facts.call_sid))
        return True

    async def desk_pressed(self, clinic_id: str, handoff_id: str, digits: str) -> str:
        """The desk's key after the whisper: TwiML for the desk leg."""
        facts = await self.records.facts(clinic_id, handoff_id)
        if facts is None or facts.status != "ringing":
            return tw.say_and_hang_up(tw.TAKEN if facts is not None and facts.status == "connected"
                                      else tw.CALLER_LEFT)
        if digits != "1":
            await self.missed(clinic_id, handoff_id, "declined")
            return tw.say_and_hang_up(tw.DECLINED)
        moved = await self.handoffs.transition(clinic_id, handoff_id, "connected", allowed_from=("ringing",))
        if moved is None:
            return tw.say_and_hang_up(tw.CALLER_LEFT if facts.status == "missed" else tw.DECLINED)
        self._settled(handoff_id)
        await self.records.set_outcome(clinic_id, handoff_id, "answered")
        facts = await self.records.facts(clinic_id, handoff_id)
        urls = self.urls(clinic_id, handoff_id)
        if facts.caller_held_at is not None:     # on hold now: "Connecting you" and into the call
            await self.update_call(facts.call_sid, twiml=tw.caller_connected(facts.conference_name, urls))
        log.info("transfer connected", extra={"event": "transfer_connected", "clinic_id": clinic_id})
        return tw.desk_joins(facts.conference_name, urls)

    async def whisper(self, clinic_id: str, handoff_id: str) -> str:
        handoff = await self.handoffs.get(clinic_id, handoff_id)
        if handoff is None or handoff.status != "ringing":
            return tw.say_and_hang_up(tw.CALLER_LEFT)
        return tw.whisper(await self.whisper_words(clinic_id, handoff), self.urls(clinic_id, handoff_id))

    async def whisper_words(self, clinic_id: str, handoff: Any) -> str:
        clinic = await self.engine.clinic(clinic_id)
        session = await self.conversations.find_active(clinic_id, "voice", handoff.call_sid) \
            if handoff.call_sid else None
        try:
            providers = {p.id: p.display_name for p in await self.engine.roster(clinic)}
        except Exception:
            providers = {}
        summary = staff_summary(session, clinic, providers) if session is not None else handoff.summary
        return tw.whisper_text(summary, patient_name=handoff.patient_name, reason=handoff.reason)

    async def desk_status(self, clinic_id: str, handoff_id: str, status: str) -> None:
        """A call-progress event of the desk leg; only the end of the call matters here."""
        if status in UNANSWERED:
            await self.missed(clinic_id, handoff_id, UNANSWERED[status])
        elif status == "completed":               # answered, then hung up without taking the call
            await self.missed(clinic_id, handoff_id, "declined")

    async def conference_event(self, clinic_id: str, handoff_id: str, event: str, call_sid: str) -> None:
        """The caller leaving the conference while the desk is still being rung means they hung up
        (a caller we move leaves only after the record has left `ringing`)."""
        if event != "participant-leave" or not call_sid:
            return
        handoff = await self.handoffs.get(clinic_id, handoff_id)
        if handoff is not None and handoff.call_sid == call_sid and handoff.status == "ringing":
            await self.caller_left(clinic_id, handoff_id)

    async def _time_limit(self, clinic_id: str, handoff_id: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._timers.pop(handoff_id, None)
        with_desk = await self.records.facts(clinic_id, handoff_id)
        if with_desk is not None and with_desk.status == "ringing":
            if await self.missed(clinic_id, handoff_id, "timeout") and with_desk.desk_call_sid:
                await self.update_call(with_desk.desk_call_sid, twiml=tw.say_and_hang_up(tw.CALLER_LEFT))
