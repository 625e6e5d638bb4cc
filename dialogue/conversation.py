"""One turn of a conversation: what the patient said, merged into the session, answered.

Read top to bottom: global intents (handoff, goodbye, information, greeting, out of scope), then
the active flow — book, cancel, reschedule or check — each a short chain of questions ending in
a read-back and a confirmed action. The calendar is only touched through the EHRAdapter.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogue import responses as say
from dialogue.flow import SEARCH_KEYS, STATE_FOR_QUESTION, has, mark_any, merge, next_booking_question, \
    next_identity_question
from dialogue.nlu.types import Intent, NLUResult
from dialogue.ports import ClinicProfile
from dialogue.session import SessionData
from dialogue.states import BookingState as S
from ehr.errors import NotAllowed, NotFound, SlotTaken, Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot

FLOW_OF_INTENT = {Intent.SCHEDULING: "book", Intent.CANCELLATION: "cancel", Intent.RESCHEDULE: "reschedule",
                  Intent.CHECK_APPOINTMENT: "check"}
VERB = {"cancel": "cancel", "reschedule": "move", "check": "check"}
MAX_ATTEMPTS = 3
OPTIONS = 3
SEARCH_DAYS = 14
IDENTITY_KEYS = ("first_name", "last_name", "date_of_birth", "phone")


class Conversation:
    def __init__(self, *, clinic: ClinicProfile, session: SessionData, nlu: NLUResult, text: str,
                 history_text: str, roster: list[Provider], calendar: EHRAdapter, now: datetime) -> None:
        self.clinic, self.session, self.nlu, self.text = clinic, session, nlu, text
        self.history_text = history_text
        self.roster, self.calendar, self.now = roster, calendar, now
        self.c = session.collected_data
        self.tz = ZoneInfo(clinic.timezone)
        self.today = now.astimezone(self.tz).date()
        self.ref = ClinicRef(clinic.id, clinic.timezone, clinic.name)
        self.channel = session.channel
        self.handoff = False
        self.end = False
        self.events: list[tuple[str, dict]] = []

    # ---- plumbing -------------------------------------------------------------------------
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
        keep = {k: self.c[k] for k in (*IDENTITY_KEYS, "patient_id") if k in self.c}
        self.c.clear()
        self.c.update(keep)
        if flow:
            self.c["flow"] = flow
        self.session.shown_slots, self.session.selected_slot = [], None
        if self.session.current_state != S.IDLE:
            self.go(S.IDLE)

    def do_handoff(self) -> str:
        self.go(S.HANDED_OFF)
        self.handoff = True
        self.c["awaiting"] = None
        return say.handoff(self.clinic, self.channel)

    # ---- the turn -------------------------------------------------------------------------
    async def respond(self) -> str:
        nlu, aw = self.nlu, self.awaiting
        changed = merge(self.c, nlu, self.today, aw)
        if aw == "handoff_offer":
            if nlu.yes_no is True or nlu.intent == Intent.HANDOFF:
                return self.do_handoff()
            if nlu.yes_no is False:
                self.c["attempts"] = {}
                resume = self.c.pop("resume", None)
                return self.ask(resume, "Okay, let's keep going.") if resume else say.capabilities(self.clinic)
        if nlu.intent == Intent.HANDOFF:
            return self.do_handoff()
        if nlu.intent == Intent.GOODBYE and aw != "confirm":
            self.go(S.COMPLETED)
            self.end = True
            self.c["awaiting"] = None
            return say.goodbye(self.clinic)
        if nlu.intent == Intent.INFORMATION and nlu.info_topic and not nlu.answers_expected:
            answer = say.info(self.clinic, nlu.info_topic, [p.display_name for p in self.roster])
            return f"{answer} {self.reprompt() or 'Is there anything else I can help with?'}"
        if nlu.intent == Intent.GREETING and not self.c.get("flow"):
            return say.greeting(self.clinic)
        if nlu.intent == Intent.OUT_OF_SCOPE and not nlu.answers_expected:
            # Sure it's off-topic: say so. Unsure while a question is open: treat it as a poor answer.
            if nlu.confidence >= 0.8 or not (aw or changed):
                for key in changed:
                    self.c.pop(key, None)
                return f"{say.out_of_scope(self.clinic)} {self.reprompt()}".strip()
        if nlu.dialogue_act == "repeat":
            last = next((t.text for t in reversed(self.session.message_history) if t.role == "assistant"), None)
            return last or say.capabilities(self.clinic)

        flow = FLOW_OF_INTENT.get(nlu.intent)
        current = self.c.get("flow")
        switching = (flow and flow != current and not nlu.answers_expected and nlu.confidence >= 0.8
                     and not (aw in ("confirm", "slot_choice") and nlu.yes_no is not None)
                     and not (current == "reschedule" and flow == "book"))
        if switching and not (current == "book" and flow == "cancel" and aw == "confirm"):
            self.reset_flow(flow)
            changed = merge(self.c, nlu, self.today)
            aw = None
        elif not current:
            if changed & {"provider_id", "specialty", "date", "date_from", "time", "part_of_day"}:
                self.reset_flow("book")
                merge(self.c, nlu, self.today)
            else:
                return self.fail("opening", say.capabilities(self.clinic))
        if aw == "reason" and (nlu.answers_expected or nlu.intent not in FLOW_OF_INTENT):
            self.c["reason"] = (nlu.reason or self.history_text).strip()[:200]
        handler = {"book": self.book, "cancel": self.cancel_or_move, "reschedule": self.cancel_or_move,
                   "check": self.check}[self.c["flow"]]
        return await handler(changed)

    def reprompt(self) -> str:
        aw = self.awaiting
        if aw in ("slot_choice",) and self.session.shown_slots:
            return self.options_text()
        if aw and aw not in ("confirm", "appointment_choice", "handoff_offer", "opening"):
            return say.question(aw, self.channel)
        return ""

    # ---- booking --------------------------------------------------------------------------
    async def book(self, changed: set[str]) -> str:
        aw, nlu = self.awaiting, self.nlu
        research = bool(changed & SEARCH_KEYS)
        if aw == "confirm":
            return await self.confirm(research)
        if aw == "slot_choice":
            picked = self.pick_slot()
            if picked:
                self.session.selected_slot = picked
                return await self.after_pick()
            if not research:
                return self.fail("slot_choice", self.options_text())
        if aw in ("patient_name", "date_of_birth", "phone", "reason") and not research:
            if aw != "reason" and not has(self.c, aw):
                return self.fail(aw)
            return await self.after_pick()
        if aw in ("provider", "date", "time") and not research:
            if not mark_any(self.c, aw, self.text, self.today):
                if nlu.provider_ambiguous and aw == "provider":
                    return self.ambiguous()
                return self.fail(aw)
        if nlu.provider_ambiguous and not self.c.get("provider_id"):
            return self.ambiguous()
        question = next_booking_question(self.c)
        if question:
            return self.ask(question)
        return await self.search_and_show()

    def ambiguous(self) -> str:
        names = [f"{p.display_name}, {p.specialty}" if p.specialty else p.display_name
                 for p in self.roster if p.id in self.nlu.provider_ambiguous]
        self.c["awaiting"] = "provider"
        if self.session.current_state != S.COLLECT_PROVIDER:
            self.go(S.COLLECT_PROVIDER)
        return say.ambiguous_provider(names)

    def criteria(self, relax_time: bool = False, widen: bool = False) -> SlotCriteria:
        c = self.c
        day = date.fromisoformat(c["date"]) if c.get("date") else None
        start = day or (date.fromisoformat(c["date_from"]) if c.get("date_from") else self.today)
        end = day or (date.fromisoformat(c["date_to"]) if c.get("date_to") else start + timedelta(days=SEARCH_DAYS))
        if widen:
            end = start + timedelta(days=SEARCH_DAYS * 2)
        earliest = c.get("time") or c.get("earliest_time")
        provider_ids = (c["provider_id"],) if c.get("provider_id") else ()
        return SlotCriteria(
            clinic=self.ref, provider_ids=provider_ids,
            specialty=None if provider_ids else c.get("specialty"),
            date_from=start, date_to=end,
            part_of_day=None if relax_time or c.get("time") else c.get("part_of_day"),
            earliest_time=None if relax_time or not earliest else time.fromisoformat(earliest),
            latest_time=None if relax_time or not c.get("latest_time") else time.fromisoformat(c["latest_time"]),
            weekdays=(c["weekday"],) if c.get("weekday") is not None and not day else (),
            limit=OPTIONS, spread_days=not day)

    async def search_and_show(self, prefix: str = "", exclude: tuple[datetime, ...] = ()) -> str:
        self.go(S.SEARCHING)
        slots = await self.calendar.find_slots(self.criteria())
        if not slots and (self.c.get("time") or self.c.get("part_of_day") or self.c.get("earliest_time")):
            slots = await self.calendar.find_slots(self.criteria(relax_time=True))
            prefix = f"{prefix} I don't have that time, but".strip() if slots else prefix
        if not slots and self.c.get("date"):
            slots = await self.calendar.find_slots(self.criteria(relax_time=True, widen=True))
            prefix = f"{prefix} Nothing is open that day. The next openings are".strip() if slots else prefix
        slots = [s for s in slots if s.start not in exclude] or slots
        if not slots:
            for key in ("date", "date_from", "date_to", "weekday", "time", "part_of_day", "earliest_time"):
                self.c.pop(key, None)
            self.go(S.COLLECT_DATE)
            self.c["awaiting"] = "date"
            p = self.provider(self.c.get("provider_id"))
            return f"{prefix} {say.no_slots(p.display_name if p else None, widened=False)}".strip()
        self.session.shown_slots = slots
        self.session.selected_slot = None
        self.go(S.SHOWING_SLOTS)
        self.c["awaiting"] = "slot_choice"
        text = self.options_text()
        if prefix.endswith("but") or prefix.endswith("are"):
            return f"{prefix} {text[len('I have '):]}" if text.startswith("I have ") else f"{prefix} {text}"
        return f"{prefix} {text}".strip()

    def options_text(self) -> str:
        slots = self.session.shown_slots
        same = len({s.provider_id for s in slots}) == 1 and bool(self.c.get("provider_id"))
        text = say.slot_options(slots, self.tz, self.channel, same)
        if same:
            text = text.replace("I have ", f"With {slots[0].provider_name}, I have ", 1)
        return text

    def pick_slot(self) -> TimeSlot | None:
        shown, nlu = self.session.shown_slots, self.nlu
        if nlu.choice_index is not None and 0 <= nlu.choice_index < len(shown):
            return shown[nlu.choice_index]
        matches = shown
        if nlu.time:
            matches = [s for s in matches if _same_clock(s.start.astimezone(self.tz).time(), nlu.time)]
        if nlu.date:
            matches = [s for s in matches if s.start.astimezone(self.tz).date() == nlu.date]
        if nlu.provider_id:
            matches = [s for s in matches if s.provider_id == nlu.provider_id]
        if (nlu.time or nlu.date or nlu.provider_id) and len(matches) == 1:
            return matches[0]
        if nlu.yes_no is True and len(shown) == 1:
            return shown[0]
        return None

    async def after_pick(self) -> str:
        if self.c["flow"] == "reschedule":
            self.go(S.CONFIRM_BOOKING)
            self.c["awaiting"] = "confirm"
            return say.read_back_reschedule(_appointment(self.c["target"]), self.session.selected_slot, self.tz)
        if not self.c.get("patient_id"):
            question = next_identity_question(self.c, self.channel)
            if question:
                return self.ask(question)
            outcome = await self.identify(for_booking=True)
            if outcome:
                return outcome
        if not self.c.get("reason"):
            return self.ask("reason")
        self.go(S.CONFIRM_BOOKING)
        self.c["awaiting"] = "confirm"
        return say.read_back_booking(self.session.selected_slot, self.tz, self.c.get("reason"))

    async def identify(self, for_booking: bool) -> str | None:
        """Match the patient; None when done, else what to say."""
        dob = date.fromisoformat(self.c["date_of_birth"])
        matches = await self.calendar.find_patients(self.ref, self.c["last_name"], dob, self.c.get("first_name"),
                                                    self.c.get("phone"))
        if len(matches) == 1:
            self.c["patient_id"] = self.session.patient_id = matches[0].id
            return None
        if len(matches) > 1:
            return self.do_handoff()
        if not for_booking:
            for key in ("first_name", "last_name", "date_of_birth"):
                self.c.pop(key, None)
            attempts = self.c.setdefault("attempts", {})
            attempts["identify"] = attempts.get("identify", 0) + 1
            if attempts["identify"] >= MAX_ATTEMPTS:
                self.c["resume"] = "patient_name"
                self.c["awaiting"] = "handoff_offer"
                return f"{say.patient_not_found()} {say.question('handoff_offer', self.channel)}"
            return self.ask("patient_name", say.patient_not_found())
        slot = self.session.selected_slot
        provider = self.provider(slot.provider_id) if slot else None
        if provider and not provider.accepting_new_patients:
            self.c.pop("provider_id", None)
            self.session.selected_slot = None
            self.session.shown_slots = []
            self.go(S.COLLECT_PROVIDER)
            self.c["awaiting"] = "provider"
            return say.not_accepting(provider.display_name)
        self.c["new_patient"] = True
        return None

    async def confirm(self, research: bool) -> str:
        yes = self.nlu.yes_no
        if yes is True:
            if self.c["flow"] == "reschedule":
                return await self.do_reschedule()
            return await self.do_book()
        if research:
            return await self.search_and_show("Sure.")
        if yes is False:
            self.go(S.SHOWING_SLOTS)
            self.c["awaiting"] = "slot_choice"
            return f"No problem. {self.options_text()}"
        return self.fail("confirm", "Shall I go ahead? Please say yes or no.")

    async def patient(self) -> Patient:
        if self.c.get("patient_id"):
            return Patient(self.c["patient_id"], self.clinic.id, self.c.get("first_name", ""),
                           self.c.get("last_name", ""), None, self.c.get("phone"))
        created = await self.calendar.create_patient(self.ref, NewPatient(
            self.c["first_name"], self.c["last_name"], date.fromisoformat(self.c["date_of_birth"]), self.c.get("phone")))
        self.c["patient_id"] = self.session.patient_id = created.id
        return created

    async def do_book(self) -> str:
        slot = self.session.selected_slot
        key = f"{self.session.session_id}:{slot.provider_id}:{slot.start.isoformat()}"
        try:
            appointment = await self.calendar.book(self.ref, slot, await self.patient(), self.c.get("reason"), key,
                                                   booked_via=self.channel, session_id=self.session.session_id)
        except SlotTaken:
            return await self.search_and_show(say.slot_taken(), exclude=(slot.start,))
        except NotAllowed as exc:
            self.go(S.COLLECT_PROVIDER)
            self.c["awaiting"] = "provider"
            return f"I'm sorry, I can't book that: {exc}. Would another doctor work?"
        self.session.booking_id = appointment.id
        self.c["booking_id"] = appointment.id
        self.c["awaiting"] = None
        self.events.append(("booked", {"appointment_id": appointment.id}))
        self.go(S.BOOKED)
        self.c["flow"] = None
        return say.booked(slot, self.tz, self.channel)

    # ---- cancel and reschedule --------------------------------------------------------------
    async def cancel_or_move(self, changed: set[str]) -> str:
        aw, flow = self.awaiting, self.c["flow"]
        if self.c.get("target_id"):      # the appointment is chosen: cancel read-back, or a new time
            if flow == "cancel":
                return await self.confirm_cancel()
            return await self.book_new_time(changed)
        if aw == "appointment_choice":
            target = self.pick_appointment()
            if not target:
                return self.fail("appointment_choice", self.appointments_text())
            return self.choose(target)
        question = self.identity_question()
        if question:
            if aw == question and not has(self.c, question):
                return self.fail(question)
            return self.ask(question)
        if not self.c.get("patient_id"):
            outcome = await self.identify(for_booking=False)
            if outcome:
                return outcome
        upcoming = await self.calendar.upcoming_appointments(self.ref, await self.patient())
        if not upcoming:
            self.go(S.COMPLETED)
            self.c["flow"] = None
            self.c["awaiting"] = None
            return say.no_upcoming(VERB[flow])
        self.c["appointments"] = [a.to_json() for a in upcoming[:5]]
        if len(upcoming) == 1:
            return self.choose(upcoming[0])
        self.go(S.SHOWING_SLOTS)
        self.c["awaiting"] = "appointment_choice"
        return self.appointments_text()

    def identity_question(self) -> str | None:
        for q in ("patient_name", "date_of_birth"):
            if not has(self.c, q) and not self.c.get("patient_id"):
                return q
        return None

    def appointments_text(self) -> str:
        appts = [_appointment(a) for a in self.c.get("appointments", [])]
        return say.appointment_options(appts, self.tz, self.channel, VERB[self.c["flow"]])

    def pick_appointment(self) -> Appointment | None:
        appts = [_appointment(a) for a in self.c.get("appointments", [])]
        nlu = self.nlu
        if nlu.choice_index is not None and 0 <= nlu.choice_index < len(appts):
            return appts[nlu.choice_index]
        matches = appts
        if nlu.date:
            matches = [a for a in matches if a.start.astimezone(self.tz).date() == nlu.date]
        if nlu.time:
            matches = [a for a in matches if _same_clock(a.start.astimezone(self.tz).time(), nlu.time)]
        if nlu.provider_id:
            matches = [a for a in matches if a.provider_id == nlu.provider_id]
        return matches[0] if (nlu.date or nlu.time or nlu.provider_id) and len(matches) == 1 else None

    def choose(self, target: Appointment) -> str:
        self.c["target_id"] = target.id
        self.c["target"] = target.to_json()
        if self.c["flow"] == "cancel":
            self.go(S.CONFIRM_BOOKING)
            self.c["awaiting"] = "confirm"
            return say.read_back_cancel(target, self.tz)
        self.c["provider_id"] = target.provider_id
        for key in ("date", "date_from", "date_to", "time", "part_of_day", "earliest_time", "weekday"):
            self.c.pop(key, None)
        return self.ask("date", f"Okay, let's move your appointment with {say.appointment_label(target, self.tz)}.")

    async def confirm_cancel(self) -> str:
        target = _appointment(self.c["target"])
        if self.nlu.yes_no is True:
            try:
                cancelled = await self.calendar.cancel(self.ref, target.id, "patient request", "patient")
            except (NotFound, NotAllowed):
                self.go(S.COMPLETED)
                return "That appointment can no longer be cancelled here. Let me connect you with our front desk."
            self.events.append(("cancelled", {"appointment_id": cancelled.id}))
            self.go(S.CANCELLED)
            self.c["flow"] = None
            self.c["awaiting"] = None
            self.c.pop("target_id", None)
            return say.cancelled(target, self.tz)
        if self.nlu.yes_no is False:
            self.reset_flow(None)
            return say.leave_as_is()
        return self.fail("confirm", "Shall I cancel it? Please say yes or no.")

    async def book_new_time(self, changed: set[str]) -> str:
        return await self.book(changed)

    async def do_reschedule(self) -> str:
        slot, target = self.session.selected_slot, _appointment(self.c["target"])
        key = f"{self.session.session_id}:move:{target.id}:{slot.start.isoformat()}"
        try:
            moved = await self.calendar.reschedule(self.ref, target.id, slot, key, booked_via=self.channel)
        except SlotTaken:
            return await self.search_and_show(say.slot_taken(), exclude=(slot.start,))
        except (NotFound, NotAllowed):
            return self.do_handoff()
        self.session.booking_id = moved.id
        self.c["booking_id"] = moved.id
        self.events.append(("rescheduled", {"appointment_id": moved.id, "from": target.id}))
        self.go(S.BOOKED)
        self.c["flow"] = None
        self.c["awaiting"] = None
        self.c.pop("target_id", None)
        return say.rescheduled(slot, self.tz)

    # ---- check ------------------------------------------------------------------------------
    async def check(self, changed: set[str]) -> str:
        question = self.identity_question()
        if question:
            if self.awaiting == question and not has(self.c, question):
                return self.fail(question)
            return self.ask(question)
        if not self.c.get("patient_id"):
            outcome = await self.identify(for_booking=False)
            if outcome:
                return outcome
        upcoming = await self.calendar.upcoming_appointments(self.ref, await self.patient())
        self.go(S.COMPLETED)
        self.c["flow"] = None
        self.c["awaiting"] = None
        return say.upcoming_list(upcoming, self.tz)


def _same_clock(a: time, b: time) -> bool:
    """'the 3:20 one' matches 15:20 too: on a list of options, am/pm is rarely said."""
    return a.minute == b.minute and (a.hour == b.hour or a.hour % 12 == b.hour % 12)


def _appointment(data: dict) -> Appointment:
    return Appointment(id=data["id"], clinic_id="", provider_id=data["provider_id"],
                       provider_name=data["provider_name"], patient_id=data["patient_id"],
                       start=datetime.fromisoformat(data["start"]), end=datetime.fromisoformat(data["end"]),
                       status=data["status"].upper(), reason=data.get("reason"))
