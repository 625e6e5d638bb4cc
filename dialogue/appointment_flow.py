"""Requests about existing appointments: cancel, reschedule (move) and check.

Each starts by identifying the patient (name and date of birth; on a call the keyed date of birth
and phone, the name on file confirmed), then lists their upcoming appointments; a cancellation or a
move is read back and confirmed before anything changes. A move keeps what the first message said
("to Wednesday morning", "later that same day") for once the appointment is known.
"""
from __future__ import annotations

from dialogue import responses as say
from dialogue.booking_flow import BookingFlow
from dialogue.flow import KEYPAD_IDENTITY_ORDER, SEARCH_KEYS, has, next_booking_question
from dialogue.move_phrases import apply_move, relative_move
from dialogue.states import BookingState as S
from dialogue.turn import appointment_from, same_clock
from ehr.errors import NotAllowed, NotFound, SlotTaken
from ehr.types import Appointment

VERB = {"cancel": "cancel", "reschedule": "move", "check": "check"}


class AppointmentFlow(BookingFlow):
    async def cancel_or_move(self, changed: set[str]) -> str:
        aw, flow = self.awaiting, self.c["flow"]
        move = relative_move(self.text) if flow == "reschedule" else None
        if move:                         # "later that same day": kept until the appointment is known
            self.c["move_rel"] = move
        if self.c.get("target_id"):      # the appointment is chosen: cancel read-back, or a new time
            if flow == "cancel":
                return await self.confirm_cancel()
            return await self.book_new_time(changed | self.apply_move())
        if aw == "appointment_choice":
            target = self.pickappointment_from()
            if not target:
                return self.fail("appointment_choice", self.appointments_text())
            for key in changed & SEARCH_KEYS:        # "the 3 PM one" describes the old appointment
                self.c.pop(key, None)
            return await self.chosen(target)
        upcoming = await self.identified_upcoming()
        if isinstance(upcoming, str):
            return upcoming
        if not upcoming:
            self.go(S.COMPLETED)
            self.c["flow"] = None
            self.c["awaiting"] = None
            return say.no_upcoming(VERB[flow])
        self.c["appointments"] = [a.to_json() for a in upcoming[:5]]
        named = [a for a in upcoming if a.provider_id == self.c.get("provider_id")]
        if len(upcoming) == 1 or len(named) == 1:      # "my Dr. Parks appointment"
            return await self.chosen(upcoming[0] if len(upcoming) == 1 else named[0])
        self.go(S.SHOWING_SLOTS)
        self.c["awaiting"] = "appointment_choice"
        return self.appointments_text()

    def reply_to_reminder(self) -> str:
        """"C" or "R" answering a reminder: that appointment, straight to the cancel read-back or the
        new-day question. The reminder went to the number on file and this text came from it, so no
        search by name and date of birth; nothing changes before the usual confirmation."""
        flow, target = self.about
        self.reset_flow(flow)
        self.go(S.COLLECT_PATIENT_INFO)      # where a patient found by name and date of birth would be
        self.c["appointments"] = [target.to_json()]
        return self.choose(target)

    async def identified_upcoming(self) -> list[Appointment] | str:
        """The patient's upcoming appointments once name and date of birth match (on a call: the keyed
        date of birth and phone, the name on file confirmed); else what to ask."""
        if self.channel == "voice" and not self.c.get("patient_id") and self.c.get("on_file") != "none":
            keyed = await self.keyed_identity()
            if keyed:
                return keyed
        question = self.identity_question()
        if question:
            if self.awaiting == question and not has(self.c, question):
                return self.fail(question)
            return self.ask(question)
        if not self.c.get("patient_id"):
            outcome = await self.identify(for_booking=False)
            if outcome:
                return outcome
        if self.session.current_state == S.IDLE:     # identified earlier in this conversation
            self.go(S.COLLECT_PATIENT_INFO)
        return await self.calendar.upcoming_appointments(self.ref, await self.patient())

    async def keyed_identity(self) -> str | None:
        """Date of birth, then phone, on the keypad; the record they find confirmed by its first name.
        None once confirmed, or when no record matched (the name is then asked, as on text channels)."""
        for question in KEYPAD_IDENTITY_ORDER:
            if not has(self.c, question):
                return self.fail(question) if self.awaiting == question else self.ask(question)
        return await self.identify_by_keypad()

    def identity_question(self) -> str | None:
        for q in ("patient_name", "date_of_birth"):
            if not has(self.c, q) and not self.c.get("patient_id"):
                return q
        return None

    def appointments_text(self) -> str:
        appts = [appointment_from(a) for a in self.c.get("appointments", [])]
        return say.appointment_options(appts, self.tz, self.channel, VERB[self.c["flow"]])

    def pickappointment_from(self) -> Appointment | None:
        appts = [appointment_from(a) for a in self.c.get("appointments", [])]
        nlu = self.nlu
        if nlu.choice_index is not None and 0 <= nlu.choice_index < len(appts):
            return appts[nlu.choice_index]
        matches = appts
        if nlu.date:
            matches = [a for a in matches if a.start.astimezone(self.tz).date() == nlu.date]
        if nlu.time:
            matches = [a for a in matches if same_clock(a.start.astimezone(self.tz).time(), nlu.time)]
        if nlu.provider_id:
            matches = [a for a in matches if a.provider_id == nlu.provider_id]
        return matches[0] if (nlu.date or nlu.time or nlu.provider_id) and len(matches) == 1 else None

    async def chosen(self, target: Appointment) -> str:
        """The appointment is known: a move already described ("to Wednesday morning", "a week later")
        goes straight to the openings, without asking the day again."""
        text = self.choose(target)
        if self.c["flow"] != "reschedule":
            return text
        said = self.c.get("date")
        if said and said == target.start.astimezone(self.tz).date().isoformat():
            for key in ("date", "named_weekday", "weekday"):      # "I can't make Thursday": the old day
                self.c.pop(key, None)
        self.apply_move()
        if not has(self.c, "date"):
            return text
        lead = f"Okay, let's move your appointment with {say.appointment_label(target, self.tz)}."
        question = next_booking_question(self.c)
        return self.ask(question, lead) if question else await self.search_and_show(lead)

    def apply_move(self) -> set[str]:
        move, target = self.c.pop("move_rel", None), self.c.get("target")
        if not move or not target:
            return set()
        found = appointment_from(target)
        return apply_move(self.c, move, found.start.astimezone(self.tz), found.end.astimezone(self.tz))

    def choose(self, target: Appointment) -> str:
        self.c["target_id"] = target.id
        self.c["target"] = target.to_json()
        if self.c["flow"] == "cancel":
            self.go(S.CONFIRM_BOOKING)
            self.c["awaiting"] = "confirm"
            return say.read_back_cancel(target, self.tz)
        self.c["provider_id"] = target.provider_id    # a day or time said before it was chosen is kept
        return self.ask("date", f"Okay, let's move your appointment with {say.appointment_label(target, self.tz)}.")

    async def confirm_cancel(self) -> str:
        target = appointment_from(self.c["target"])
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
        slot, target = self.session.selected_slot, appointment_from(self.c["target"])
        key = f"{self.session.session_id}:move:{target.id}:{slot.start.isoformat()}"
        try:
            moved = await self.calendar.reschedule(self.ref, target.id, slot, key, booked_via=self.channel)
        except SlotTaken:
            return await self.search_and_show(say.slot_taken(), exclude=(slot.start,))
        except (NotFound, NotAllowed):
            return self.do_handoff("the appointment could not be changed here")
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
        upcoming = await self.identified_upcoming()
        if isinstance(upcoming, str):
            return upcoming
        self.go(S.COMPLETED)
        self.c["flow"] = None
        self.c["awaiting"] = None
        return say.upcoming_list(upcoming, self.tz)
