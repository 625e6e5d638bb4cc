"""Booking a new appointment: doctor, day, time, openings, the patient, the reason, read-back, book.

Rescheduling reuses the search and choice here once the appointment to move is chosen.
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from dialogue import offer_fallbacks as fb
from dialogue import responses as say
from dialogue.keypad_menu import MENU_QUESTIONS, day_criteria, day_menu, keyed_choice, menu_prompt, provider_menu
from dialogue.flow import SEARCH_KEYS, has, mark_any, mark_earliest, next_booking_question, next_identity_question
from dialogue.speech_format import DAY_NAMES, join_words, say_clock
from dialogue.states import BookingState as S
from dialogue.turn import MAX_ATTEMPTS, TurnBase, appointment_from, same_clock
from ehr.errors import NotAllowed, SlotTaken
from ehr.types import NewPatient, Patient, SlotCriteria, TimeSlot

OPTIONS = 3
SEARCH_DAYS = 14


class BookingFlow(TurnBase):
    async def book(self, changed: set[str]) -> str:
        changed = changed | self.take_keyed_choice()
        aw, nlu = self.awaiting, self.nlu
        if aw in (None, "provider"):         # at the day or time question, mark_any reads it
            changed |= mark_earliest(self.c, self.text, self.today)
        research = bool(changed & SEARCH_KEYS)
        if aw == "confirm":
            return await self.confirm(research)
        if aw == "slot_choice":
            picked = self.pick_slot()
            if picked:
                self.session.selected_slot = picked
                return await self.after_pick()
            if not research and nlu.yes_no is False:          # "none of those work": the next ones
                shown = tuple(s.start for s in self.session.shown_slots)
                return await self.search_and_show("No problem.", exclude=shown + tuple(self.excluded()))
            if not research:
                return self.fail("slot_choice", self.options_text())
        if aw == "confirm_identity" and not research:
            return await self.after_pick()
        if aw in ("patient_name", "date_of_birth", "phone", "reason") and not research:
            if aw != "reason" and not has(self.c, aw):
                return self.fail(aw)
            return await self.after_pick()
        if aw in ("provider", "date", "time") and not research:
            if not mark_any(self.c, aw, self.text, self.today):
                if nlu.provider_ambiguous and aw == "provider":
                    return self.ambiguous()
                if self.channel == "voice" and aw in MENU_QUESTIONS:
                    return await self.fail_with_menu(aw)
                return self.fail(aw)
        if nlu.provider_ambiguous and not self.c.get("provider_id"):
            return self.ambiguous()
        missing = self.unknown_specialty()
        if missing:
            return missing
        if not has(self.c, "provider") and len(self.roster) == 1:      # one provider: no question
            self.c["provider_id"] = self.roster[0].id
        question = next_booking_question(self.c)
        if question:
            return self.ask(question)
        return await self.search_and_show()

    def unknown_specialty(self) -> str | None:
        """A kind of doctor nobody here is: said so, with who is here, and the doctor question again.
        A specialty of the roster named in the message's own words wins over a looser synonym."""
        spec = self.c.get("specialty")
        kinds = {p.specialty.lower(): p.specialty for p in self.roster if p.specialty}
        if not spec or not kinds or spec.lower() in kinds:
            return None
        named = next((kinds[k] for k in kinds if k in self.text.lower()), None)
        if named:
            self.c["specialty"] = named
            return None
        self.c.pop("specialty", None)
        people = [f"{p.display_name}, {p.specialty.lower()}" if p.specialty else p.display_name for p in self.roster]
        return self.ask("provider", say.no_specialty(spec, people))

    def take_keyed_choice(self) -> set[str]:
        """A number pressed (or said) while a keypad menu of the open question is on offer."""
        value = keyed_choice(self.text, self.c.get("menu"), self.awaiting)
        if value is None:
            return set()
        self.c.pop("menu", None)
        if self.awaiting == "provider":
            self.c["provider_id"] = value
            for key in ("specialty", "any_provider"):
                self.c.pop(key, None)
            return {"provider_id"}
        self.c["date"] = value
        for key in ("date_from", "date_to", "weekday", "any_date"):
            self.c.pop(key, None)
        return {"date"}

    async def fail_with_menu(self, question: str) -> str:
        """On a call, a missed doctor or day answer is asked again with numbered choices beside speech."""
        text = self.fail(question)
        if self.awaiting != question:                      # too many misses: a person was offered
            return text
        if question == "provider":
            labels, values = provider_menu(self.roster)
        else:
            labels, values = day_menu(await self.find_open(day_criteria(self.criteria(), self.today)))
        if not values:
            return text
        self.c["menu"] = {"for": question, "values": values}
        return f"{text} {menu_prompt(labels)}"

    def ambiguous(self) -> str:
        names = [f"{p.display_name}, {p.specialty}" if p.specialty else p.display_name
                 for p in self.roster if p.id in self.nlu.provider_ambiguous]
        self.c["awaiting"] = "provider"
        if self.session.current_state != S.COLLECT_PROVIDER:
            self.go(S.COLLECT_PROVIDER)
        return say.ambiguous_provider(names)

    def excluded(self) -> list[datetime]:
        """Openings the patient turned down in this search (kept until the search changes)."""
        return [datetime.fromisoformat(x) for x in self.c.get("declined", [])]

    def weekdays(self) -> tuple[int, ...]:
        """The day asked for, or every day but the ones ruled out ("not on a Monday")."""
        if self.c.get("weekday") is not None and not self.c.get("date"):
            return (self.c["weekday"],)
        ruled_out = set(self.c.get("not_weekdays") or ())
        return tuple(d for d in range(7) if d not in ruled_out) if ruled_out else ()

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
            weekdays=self.weekdays() if not day or widen else (),
            limit=OPTIONS, spread_days=not day and not c.get("earliest"), exclude_starts=tuple(self.excluded()))

    async def search_and_show(self, prefix: str = "", exclude: tuple[datetime, ...] = ()) -> str:
        """Offer slots that keep every constraint; when none do, relax one at a time — the week before
        a weekday or a clock time the patient named, the day before a part of day, a clock time before
        the day — and say which was relaxed (`dialogue/offer_fallbacks.py`)."""
        self.go(S.SEARCHING)
        c = self.c
        if exclude:
            c["declined"] = sorted({*c.get("declined", []), *(x.isoformat() for x in exclude)})[-30:]
        slots, lead = await self.find_with_fallbacks()
        slots = [s for s in slots if s.start not in exclude] or slots
        if not slots:
            self.go(S.COLLECT_DATE)
            c["awaiting"] = "date"
            p = self.provider(c.get("provider_id"))
            wishes = self.wishes()
            for key in ("date", "date_from", "date_to", "weekday", "time", "part_of_day", "earliest_time",
                        "latest_time", "named_weekday"):
                c.pop(key, None)
            return f"{prefix} {say.no_slots(p.display_name if p else None, wishes)}".strip()
        self.session.shown_slots = slots
        self.session.selected_slot = None
        self.go(S.SHOWING_SLOTS)
        c["awaiting"] = "slot_choice"
        return f"{prefix} {self.options_text(lead)}".strip()

    async def find_with_fallbacks(self) -> tuple[list[TimeSlot], str | None]:
        c, find = self.c, self.find_open
        crit = self.criteria()
        slots = await find(crit)
        day = date.fromisoformat(c["date"]) if c.get("date") else None
        at = time.fromisoformat(c["time"]) if c.get("time") else None
        if day and at and slots and not any(fb.is_at(s, at, self.tz) for s in slots):
            later = await fb.same_time_later(find, crit, day, at, self.tz, bool(c.get("named_weekday")), 2)
            near = await self.nearest_to_asked_time()     # that time on later days, and the nearest that day
            return sorted(later + near[:OPTIONS - len(later)], key=lambda s: s.start), fb.time_taken_lead(at, day)
        if slots:
            return slots, None
        closed = fb.closed_on(self.clinic.business_hours, day, self.holidays) if day else None
        if day and c.get("named_weekday") and (not closed or day in self.holidays):
            slots = await fb.same_weekday_later(find, crit, day, OPTIONS)
            if slots:
                return slots, fb.closed_lead(closed) if closed else fb.weekday_lead(day)
        timed = bool(c.get("time") or c.get("part_of_day") or c.get("earliest_time") or c.get("latest_time"))
        pod = c.get("part_of_day") if not c.get("time") else None
        if day and pod:
            slots = await find(self.criteria(widen=True))       # same part of day, later days
            if slots:
                return slots, (fb.closed_lead(closed) if closed else
                               f"Nothing is open that {pod}. The next {pod} openings{{who}} are")
        if timed and not closed:
            slots = await self.nearest_to_asked_time()
            if slots:
                return slots, "I don't have that time{who}, but I have"
        if day:
            slots = await find(self.criteria(relax_time=not closed, widen=True))
            if not slots and closed:
                slots = await find(self.criteria(relax_time=True, widen=True))
            if slots:
                return slots, fb.closed_lead(closed) if closed else "Nothing is open that day. The next openings{who} are"
        who = self.provider(c.get("provider_id"))
        if who and who.specialty:       # the doctor has nothing that fits: others of the same kind, same wishes
            others = await find(dataclasses.replace(self.criteria(widen=True), provider_ids=(), specialty=who.specialty))
            others = [s for s in others if s.provider_id != who.id]
            if others:
                return others, f"Nothing is open with {who.display_name}{self.wishes()} in the next few weeks. I have"
        return [], None

    def wishes(self) -> str:
        """The time constraints in words: ' in the afternoon, on a day other than Monday'."""
        c, parts = self.c, []
        if c.get("part_of_day") and not c.get("time"):
            parts.append(f"in the {c['part_of_day']}")
        if c.get("earliest_time") and not c.get("time"):
            parts.append(f"after {say_clock(time.fromisoformat(c['earliest_time']))}")
        if c.get("latest_time"):
            parts.append(f"before {say_clock(time.fromisoformat(c['latest_time']))}")
        if c.get("weekday") is not None and not c.get("date"):
            parts.append(f"on {DAY_NAMES[fb.WEEKDAY_KEYS[c['weekday']]]}s")
        if c.get("not_weekdays"):
            parts.append("on a day other than " + join_words([DAY_NAMES[fb.WEEKDAY_KEYS[d]] for d in c["not_weekdays"]],
                                                            "or"))
        return (" " + ", ".join(parts)) if parts else ""

    @property
    def holidays(self) -> frozenset[date]:
        return fb.holidays_of(self.clinic.settings)

    async def find_open(self, crit: SlotCriteria) -> list[TimeSlot]:
        """The calendar's openings, never on one of the clinic's holidays."""
        return await fb.skipping_holidays(self.calendar.find_slots, self.holidays, self.tz)(crit)

    async def nearest_to_asked_time(self) -> list[TimeSlot]:
        """Openings at any time of the asked day(s), the ones nearest the time asked for first."""
        wide = dataclasses.replace(self.criteria(relax_time=True), limit=60, spread_days=False)
        slots = await self.find_open(wide)
        asked = self.c.get("time") or self.c.get("earliest_time") or self.c.get("latest_time")
        if not asked or not slots:
            return slots[:OPTIONS]
        want = time.fromisoformat(asked)

        def distance(slot: TimeSlot) -> tuple[int, datetime]:
            local = slot.start.astimezone(self.tz)
            minutes = abs(local.hour * 60 + local.minute - (want.hour * 60 + want.minute))
            return (local.date() - self.today).days * 24 * 60 + minutes, slot.start
        return sorted(sorted(slots, key=distance)[:OPTIONS], key=lambda s: s.start)

    def options_text(self, lead: str | None = None) -> str:
        slots = self.session.shown_slots
        same = len({s.provider_id for s in slots}) == 1 and bool(self.c.get("provider_id"))
        return say.slot_options(slots, self.tz, self.channel, same, lead)

    def pick_slot(self) -> TimeSlot | None:
        shown, nlu = self.session.shown_slots, self.nlu
        if nlu.choice_index is not None and 0 <= nlu.choice_index < len(shown):
            return shown[nlu.choice_index]
        matches = shown
        if nlu.time:
            matches = [s for s in matches if same_clock(s.start.astimezone(self.tz).time(), nlu.time)]
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
            return say.read_back_reschedule(appointment_from(self.c["target"]), self.session.selected_slot, self.tz)
        if not self.c.get("patient_id") and self.channel == "voice":
            outcome = await self.identify_by_keypad()
            if outcome:
                return outcome
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

    async def identify_by_keypad(self) -> str | None:
        """On a call: the record that the keyed date of birth and phone number find, its first name
        confirmed by yes or no. When no single record matches, or the caller says it is someone else,
        the name is asked (and checked later by the front desk). None once settled, else what to say."""
        c = self.c
        if not (has(c, "date_of_birth") and has(c, "phone")) or c.get("on_file") == "none":
            return None
        if c.get("on_file") is None:
            matches = await self.calendar.find_patients_by_phone(self.ref, date.fromisoformat(c["date_of_birth"]),
                                                                 c["phone"])
            if len(matches) != 1:
                c["on_file"] = "none"
                return self.ask("patient_name", "I don't see a record with those details.")
            c["on_file"] = matches[0].id
            c["first_name"], c["last_name"] = matches[0].first_name, matches[0].last_name
        if self.awaiting != "confirm_identity":
            self.c["awaiting"] = "confirm_identity"
            return say.confirm_identity(c["first_name"], c.get("flow") == "book")
        if self.nlu.yes_no is True:
            c["patient_id"] = self.session.patient_id = c["on_file"]
            return None
        if self.nlu.yes_no is False:
            c["not_this_patient"], c["on_file"] = c["on_file"], "none"
            c.pop("first_name", None), c.pop("last_name", None)
            return self.ask("patient_name", "No problem.")
        return self.fail("confirm_identity", say.confirm_identity(c["first_name"], c.get("flow") == "book"))

    async def identify(self, for_booking: bool) -> str | None:
        """Match the patient; None when done, else what to say."""
        dob = date.fromisoformat(self.c["date_of_birth"])
        matches = await self.calendar.find_patients(self.ref, self.c["last_name"], dob, self.c.get("first_name"),
                                                    self.c.get("phone"))
        matches = [m for m in matches if m.id != self.c.get("not_this_patient")]    # the caller said so
        if len(matches) == 1:
            self.c["patient_id"] = self.session.patient_id = matches[0].id
            return None
        if len(matches) > 1:
            return self.do_handoff("more than one patient record matched; identity needs a person")
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
        reason = self.c.get("reason")
        if self.channel == "voice" and self.c.get("on_file") == "none":
            reason = f"{reason or ''} [name taken by ear on a call: front desk to check the spelling]".strip()
        try:
            appointment = await self.calendar.book(self.ref, slot, await self.patient(), reason, key,
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
