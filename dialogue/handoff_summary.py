"""What staff read about a handoff: a short summary (what the patient wanted, what was done, why the
handoff), the recent redacted transcript, and who to call back — never a date of birth or a full
phone number in the summary (staff see the callback number on their own page, not in the text)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from dialogue.ports import HandoffRecorder
from dialogue.session import SessionData
from dialogue.states import BookingState

log = logging.getLogger("dialogue.handoffs")
TRANSCRIPT_TURNS = 20
CHANNEL_OF_SESSION = {"web": "webchat", "sms": "sms", "voice": "voice", "api": "api"}
FLOW_WORDS = {"book": "book an appointment", "cancel": "cancel an appointment",
              "reschedule": "reschedule an appointment", "check": "check on an appointment"}
STATE_WORDS = {
    "collect_provider": "choosing a doctor", "collect_date": "choosing a day", "collect_time": "choosing a time",
    "showing_slots": "choosing between open times", "collect_patient_info": "giving their details",
    "collect_reason": "giving the reason for the visit", "confirm_booking": "confirming a booking",
}
WHO = {"voice": "A caller", "sms": "A texter", "web": "A web-chat visitor", "api": "A patient"}


@dataclass(frozen=True)
class HandoffDraft:
    """A handoff the engine decided on, before it is recorded (after the turn is saved)."""
    clinic_id: str
    channel: str                   # the handoff channel: voice | sms | webchat | api
    reason: str
    summary: str
    transcript: list[dict[str, str]]
    conversation_id: str
    patient_id: str | None = None
    patient_name: str | None = None
    callback_number: str | None = None
    call_sid: str | None = None
    refresh: bool = False          # a later turn of a handed-off conversation: only the transcript moves on


def summarise(session: SessionData, reason: str, provider_name: str | None = None, *,
              after_hours: bool = False) -> str:
    c = session.collected_data
    name = " ".join(x for x in (c.get("first_name"), c.get("last_name")) if x)
    parts = [f"{name} ({'identified' if c.get('patient_id') else 'not yet identified'})" if name
             else WHO.get(session.channel, "A patient")]
    flow = FLOW_WORDS.get(c.get("flow") or "")
    previous = session.previous_state.value if session.previous_state else None
    if flow:
        detail = f" with {provider_name}" if provider_name else ""
        when = " ".join(str(c[k]) for k in ("date", "time") if c.get(k))
        parts[0] += f" wanted to {flow}{detail}{' (' + when + ')' if when else ''}."
        if previous in STATE_WORDS and session.current_state == BookingState.HANDED_OFF:
            parts.append(f"They were {STATE_WORDS[previous]}.")
    else:
        parts[0] += " asked for the front desk."
    if c.get("reason") and flow == FLOW_WORDS["book"]:
        parts.append(f"Visit reason: {str(c['reason'])[:80]}.")
    parts.append(f"Done: {'an appointment was booked or changed' if session.booking_id else 'nothing booked yet'}.")
    parts.append(f"Handed off because: {reason}.")
    if after_hours:
        parts.append("Came in after hours; promised a call back when we open.")
    return " ".join(parts)


def transcript(session: SessionData, turns: int = TRANSCRIPT_TURNS) -> list[dict[str, str]]:
    """The last turns as stored: patient turns already redacted by the safety pipeline."""
    return [{"role": t.role, "text": t.text} for t in session.message_history[-turns:]]


def draft(session: SessionData, reason: str, provider_name: str | None, *, after_hours: bool,
          refresh: bool = False) -> HandoffDraft:
    c = session.collected_data
    channel = CHANNEL_OF_SESSION.get(session.channel, "api")
    number = session.channel_user_id if session.channel == "sms" else c.get("phone")
    name = " ".join(x for x in (c.get("first_name"), c.get("last_name")) if x) or None
    return HandoffDraft(
        clinic_id=session.clinic_id, channel=channel, reason=reason,
        summary=summarise(session, reason, provider_name, after_hours=after_hours),
        transcript=transcript(session), conversation_id=session.session_id,
        patient_id=c.get("patient_id") or session.patient_id, patient_name=name, callback_number=number,
        call_sid=session.channel_user_id if session.channel == "voice" else None, refresh=refresh)


async def record_handoff(recorder: HandoffRecorder, handing: HandoffDraft) -> str | None:
    """The handoff as a record staff see (one per conversation while it is live), or, on a later turn,
    its transcript brought up to date (what the patient added after hours). A failure is logged and
    never costs the patient their reply."""
    try:
        if handing.refresh:
            await recorder.refresh_transcript(handing.clinic_id, handing.channel, handing.conversation_id,
                                              handing.transcript)
            return None
        made = await recorder.create(
            handing.clinic_id, channel=handing.channel, reason=handing.reason, summary=handing.summary,
            transcript=handing.transcript, conversation_id=handing.conversation_id,
            patient_id=handing.patient_id, patient_name=handing.patient_name,
            callback_number=handing.callback_number, call_sid=handing.call_sid)
    except Exception:
        log.exception("handoff record failed", extra={"event": "handoff_record_failed"})
        return None
    return str(made.id)


def after_hours_message(clinic: Any, now: Any) -> str | None:
    """The reply to a request for a person on a text channel while the clinic is closed (hours,
    lunch, a holiday): a message is taken, with the time someone will call back. None when open."""
    from dialogue.opening_hours import callback_promise, is_open
    holidays = (clinic.settings or {}).get("holidays")
    if is_open(clinic.business_hours, clinic.timezone, now, holidays):
        return None
    promise = callback_promise(clinic.business_hours, clinic.timezone, now, holidays)
    return (f"Our front desk is closed right now, so I've passed your message on. {promise} "
            "You can add anything else here and they'll see it.")
