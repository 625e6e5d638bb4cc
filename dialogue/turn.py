"""The shared part of one conversation turn: the session, the clinic, and small moves every flow uses."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from dialogue import responses as say
from dialogue.flow import STATE_FOR_QUESTION
from dialogue.nlu.types import Intent, NLUResult
from dialogue.ports import Clinic
from dialogue.session import SessionData
from dialogue.states import BookingState as S
from ehr.protocol import EHRAdapter
from ehr.types import Appointment, ClinicRef, Provider

MAX_ATTEMPTS = 3
IDENTITY_KEYS = ("first_name", "last_name", "date_of_birth", "phone")


class TurnBase:
    """State every flow step reads: the clinic, the session and its collected data, the message."""

    def __init__(self, *, clinic: Clinic, session: SessionData, nlu: NLUResult, text: str,
                 history_text: str, roster: list[Provider], calendar: EHRAdapter, now: datetime,
                 about: tuple[str, Appointment] | None = None) -> None:
        self.clinic, self.session, self.nlu, self.text = clinic, session, nlu, text
        self.history_text = history_text
        self.roster, self.calendar, self.now = roster, calendar, now
        self.about = about          # (flow, appointment) a reply to a reminder names
        self.c = session.collected_data
        self.tz = ZoneInfo(clinic.timezone)
        self.today = now.astimezone(self.tz).date()
        self.ref = ClinicRef(clinic.id, clinic.timezone, clinic.name)
        self.channel = session.channel
        self.handoff = False
        self.handoff_reason = ""
        self.end = False
        self.events: list[tuple[str, dict]] = []

    @property
    def awaiting(self) -> str | None:
        return self.c.get("awaiting")

    def go(self, state: S) -> None:
        self.session.move_to(state)

    def ask(self, question: str, prefix: str = "") -> str:
        self.c["awaiting"] = question
        if question in STATE_FOR_QUESTION and self.session.current_state != STATE_FOR_QUESTION[question]:
            self.go(STATE_FOR_QUESTION[question])
        return f"{prefix} {say.question(question, self.channel)}".strip()

    def fail(self, question: str, prompt: str | None = None) -> str:
        attempts = self.c.setdefault("attempts", {})
        attempts[question] = attempts.get(question, 0) + 1
        if attempts[question] >= MAX_ATTEMPTS:
            self.c["resume"] = question
            self.c["awaiting"] = "handoff_offer"
            return say.question("handoff_offer", self.channel)
        self.c["awaiting"] = question
        return say.did_not_understand(prompt or say.question(question, self.channel))

    def provider(self, provider_id: str | None) -> Provider | None:
        return next((p for p in self.roster if p.id == provider_id), None)

    def reset_flow(self, flow: str | None) -> None:
        """Start another request: keep who the patient is, forget the rest."""
        keep = {k: self.c[k] for k in (*IDENTITY_KEYS, "patient_id", "handoff_live") if k in self.c}
        self.c.clear()
        self.c.update(keep)
        if flow:
            self.c["flow"] = flow
        self.session.shown_slots, self.session.selected_slot = [], None
        if self.session.current_state != S.IDLE:
            self.go(S.IDLE)

    def schedule_unreachable(self) -> str:
        """The calendar failed this turn: nothing was booked or changed. Offer the front desk; a no
        picks the conversation up where it was (e.g. the confirmation, to try again)."""
        if self.awaiting != "handoff_offer":
            self.c["resume"] = self.awaiting
        self.c["awaiting"] = "handoff_offer"
        self.handoff = False
        return say.schedule_unreachable(self.clinic, self.channel)

    def needs_calendar(self) -> bool:
        """Would this turn read or write the calendar? (Answering the offer of a person, saying
        goodbye, asking to speak to someone or an opening-hours question do not.)"""
        if self.awaiting == "handoff_offer" and self.nlu.yes_no is not None:
            return False
        return self.nlu.intent not in (Intent.HANDOFF, Intent.GOODBYE, Intent.GREETING, Intent.INFORMATION)

    def do_handoff(self, reason: str = "the patient asked for a person") -> str:
        """The front desk will follow up; the open question is kept so the patient may go on here.
        `reason`: why, in a few words staff read on the handoff record."""
        if self.awaiting != "handoff_offer" and self.session.current_state != S.HANDED_OFF:
            self.c["resume"] = self.awaiting      # after an offer, `resume` already names the question
        self.go(S.HANDED_OFF)
        self.handoff = True
        self.handoff_reason = reason
        self.c["awaiting"] = None
        return say.handoff(self.clinic, self.channel)


def same_clock(a: time, b: time) -> bool:
    """'the 3:20 one' matches 15:20 too: on a list of options, am/pm is rarely said."""
    return a.minute == b.minute and (a.hour == b.hour or a.hour % 12 == b.hour % 12)


def appointment_from(data: dict) -> Appointment:
    return Appointment(id=data["id"], clinic_id="", provider_id=data["provider_id"],
                       provider_name=data["provider_name"], patient_id=data["patient_id"],
                       start=datetime.fromisoformat(data["start"]), end=datetime.fromisoformat(data["end"]),
                       status=data["status"].upper(), reason=data.get("reason"))
