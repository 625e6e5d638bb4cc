"""One turn of a conversation: what the patient said, merged into the session, answered.

Read top to bottom: global intents (handoff, goodbye, information, greeting, out of scope), then
the active flow — book, cancel, reschedule or check — each a short chain of questions ending in
a read-back and a confirmed action. The calendar is only touched through the EHRAdapter.
"""
from __future__ import annotations

from dialogue import responses as say
from dialogue.appointment_flow import AppointmentFlow
from dialogue.flow import EARLIEST, merge
from dialogue.hours_answer import hours_answer
from dialogue.move_phrases import relative_move
from dialogue.nlu.types import Intent
from dialogue.states import BookingState as S

RESUMABLE = {S.COLLECT_PROVIDER, S.COLLECT_DATE, S.COLLECT_TIME, S.COLLECT_PATIENT_INFO, S.COLLECT_REASON,
             S.SHOWING_SLOTS, S.CONFIRM_BOOKING}
FLOW_OF_INTENT = {Intent.SCHEDULING: "book", Intent.CANCELLATION: "cancel", Intent.RESCHEDULE: "reschedule",
                  Intent.CHECK_APPOINTMENT: "check"}


class Conversation(AppointmentFlow):
    """A turn: global intents first, then the active flow's next step."""

    async def respond(self) -> str:
        if self.about is not None:
            return self.reply_to_reminder()
        resuming = self.session.current_state == S.HANDED_OFF and self.nlu.intent != Intent.HANDOFF
        if resuming:
            self.resume_after_handoff()
        self.read_request_hints()
        nlu, aw = self.nlu, self.awaiting
        changed = merge(self.c, nlu, self.today, aw)
        if resuming and not self.moves_on(changed):
            return self.still_handed_off()
        if aw == "handoff_offer":
            if nlu.yes_no is True or nlu.intent == Intent.HANDOFF:
                return self.do_handoff("the assistant could not help and the patient accepted a person")
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
            if nlu.info_topic == "hours":      # "Saturday" is a weekday asked about; "December 24th" a date
                answer = hours_answer(self.clinic, self.text, on=nlu.date if nlu.weekday is None else None,
                                      weekday=nlu.weekday, at=nlu.time, now=self.now.astimezone(self.tz))
            else:
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
        # "no, I don't want to book, I just want to know when my appointment is": the no is not the answer
        checking = flow == "check" and nlu.confidence >= 0.85
        switching = (flow and flow != current and not nlu.answers_expected and nlu.confidence >= 0.8
                     and not (aw in ("confirm", "slot_choice") and nlu.yes_no is not None and not checking)
                     and not (current == "reschedule" and flow == "book"))
        if switching and not (current == "book" and flow == "cancel" and aw == "confirm"):
            self.reset_flow(flow)
            changed = merge(self.c, nlu, self.today)
            aw = None
        elif not current:
            wants_first = nlu.intent == Intent.SCHEDULING and bool(EARLIEST.search(self.text))
            if wants_first or changed & {"provider_id", "specialty", "date", "date_from", "time", "part_of_day"}:
                self.reset_flow("book")
                merge(self.c, nlu, self.today)
            else:
                return self.fail("opening", say.capabilities(self.clinic))
        if aw == "reason" and (nlu.answers_expected or nlu.intent not in FLOW_OF_INTENT):
            self.c["reason"] = (nlu.reason or self.history_text).strip()[:200]
        handler = {"book": self.book, "cancel": self.cancel_or_move, "reschedule": self.cancel_or_move,
                   "check": self.check}[self.c["flow"]]
        return await handler(changed)

    def read_request_hints(self) -> None:
        """What only the flow knows: while moving an appointment, "a week later, same weekday" or
        "the same day" is the new day, not a goodbye or something off-topic."""
        nlu, flow = self.nlu, self.c.get("flow")
        if flow == "reschedule" and relative_move(self.text) and nlu.intent not in (Intent.HANDOFF,):
            nlu.intent, nlu.confidence = Intent.SCHEDULING, max(nlu.confidence, 0.8)
            nlu.answers_expected, nlu.yes_no = True, None

    def resume_after_handoff(self) -> None:
        """The desk follows up, and meanwhile the patient may go on here: back to the state and
        question the handoff interrupted, or to the start when no request was open."""
        resume, back = self.c.pop("resume", None), self.session.previous_state
        if self.c.get("flow") and resume and back in RESUMABLE:
            self.go(back)
            self.c["awaiting"] = resume
            return
        self.go(S.IDLE)
        self.c.update(flow=None, awaiting=None)
        self.session.shown_slots, self.session.selected_slot = [], None

    def moves_on(self, changed: set[str]) -> bool:
        """Whether a message after a handoff says something new. A bare "yes" or "hello" does not:
        it is no answer to a question the patient was not just asked (least of all a read-back)."""
        nlu = self.nlu
        bare_yes_no = nlu.yes_no is not None and not nlu.is_correction and nlu.choice_index is None
        return bool(changed) or (nlu.answers_expected and not bare_yes_no) or \
            nlu.intent in (Intent.GOODBYE, Intent.INFORMATION, Intent.OUT_OF_SCOPE) or \
            (nlu.intent in FLOW_OF_INTENT and nlu.confidence >= 0.8)

    def still_handed_off(self) -> str:
        """The desk has the request; the open question again, so the patient can go on here."""
        if not self.c.get("flow"):
            return say.handoff_pending(self.clinic, resuming=False)
        question = self.reprompt() or self.last_asked() or "Shall I go ahead? Please say yes or no."
        return f"{say.handoff_pending(self.clinic, resuming=True)} {question}"

    def last_asked(self) -> str | None:
        """The question as it was last put in this state (e.g. the read-back), from the history."""
        state = self.session.current_state.value
        return next((t.text for t in reversed(self.session.message_history)
                     if t.role == "assistant" and t.state == state), None)

    def reprompt(self) -> str:
        aw = self.awaiting
        if aw in ("slot_choice",) and self.session.shown_slots:
            return self.options_text()
        if aw == "confirm_identity" and self.c.get("first_name"):
            return say.confirm_identity(self.c["first_name"], self.c.get("flow") == "book")
        if aw and aw not in ("confirm", "appointment_choice", "handoff_offer", "opening", "confirm_identity"):
            return say.question(aw, self.channel)
        return ""
