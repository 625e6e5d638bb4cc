"""Flow decisions: merge what a message said into the session, and pick the next question.

`FlowAction` is the seed's section 4.6 record of what the engine does next; the engine carries
out its side effects (search, book, cancel) through the calendar, never the flow itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dialogue.nlu.types import NLUResult
from dialogue.states import BookingState

ANY_PREFERENCE = re.compile(
    r"\b(any ?(one|body|time|day|doctor|provider)?|either|whichever|whoever|whenever|doesn'?t matter|does not matter|"
    r"no preference|don'?t care|flexible|first available|earliest|soonest|as soon as possible|asap)\b", re.I)

BOOK_ORDER = ("provider", "date", "time")
IDENTITY_ORDER = ("patient_name", "date_of_birth", "phone")
# On a call the keypad identifies (date of birth, then phone); a name is asked only when no record
# on file matches or the caller says the one found is not the patient.
KEYPAD_IDENTITY_ORDER = ("date_of_birth", "phone")
SLOT_FIELDS = {"provider": ("provider_id", "specialty", "any_provider"),
               "date": ("date", "date_from", "any_date", "not_weekdays"),
               "time": ("time", "earliest_time", "part_of_day", "any_time")}


@dataclass
class FlowAction:
    next_state: BookingState
    action_type: str                 # collect, confirm, book, cancel, reschedule, show_slots, handoff, answer
    prompt_for: str | None = None
    should_search_slots: bool = False
    should_book: bool = False
    should_cancel: bool = False


def merge(collected: dict, nlu: NLUResult, today: date, awaiting: str | None = None) -> set[str]:
    """Copy the message's slots into collected_data; return the names of the fields that changed.

    While the patient answers an identity or reason question, words that look like search
    criteria ("a checkup" sounds like family medicine) are not taken unless said as a correction;
    a specialty never replaces a chosen doctor unless the doctor question is open.
    """
    changed: set[str] = set()

    def put(key: str, value) -> None:
        if value is not None and collected.get(key) != value:
            collected[key] = value
            changed.add(key)

    answering_other = awaiting in ("patient_name", "date_of_birth", "phone", "reason", "confirm_identity")
    take_search = not answering_other or nlu.is_correction
    if take_search and nlu.provider_id:
        put("provider_id", nlu.provider_id)
        collected.pop("specialty", None)
        collected.pop("any_provider", None)
    elif take_search and nlu.specialty and (not collected.get("provider_id") or awaiting == "provider"
                                            or nlu.is_correction):
        put("specialty", nlu.specialty)
        if "specialty" in changed:
            collected.pop("provider_id", None)
            collected.pop("any_provider", None)
    if not take_search:
        pass
    elif nlu.date and awaiting != "date_of_birth":
        put("date", nlu.date.isoformat())
        for k in ("date_from", "date_to", "any_date", "weekday", "named_weekday"):
            collected.pop(k, None)
        if nlu.weekday is not None and nlu.weekday == nlu.date.weekday():
            collected["named_weekday"] = True      # "Friday": a later Friday keeps what was asked
    elif nlu.date_range:
        start, end = nlu.date_range
        put("date_from", max(start, today).isoformat())
        put("date_to", end.isoformat())
        collected.pop("date", None)
    elif nlu.weekday is not None and nlu.weekday not in nlu.not_weekdays:
        put("weekday", nlu.weekday)
    if take_search and nlu.not_weekdays:
        put("not_weekdays", nlu.not_weekdays)
        if collected.get("weekday") in nlu.not_weekdays:
            collected.pop("weekday", None)
        if collected.get("date") and date.fromisoformat(collected["date"]).weekday() in nlu.not_weekdays:
            collected.pop("date", None)            # "a day other than Thursday" after Thursday was asked
            collected.pop("named_weekday", None)
            changed.add("not_weekdays")
    if take_search and nlu.time:
        put("time", nlu.time.strftime("%H:%M"))
        collected.pop("any_time", None)
    if take_search and nlu.earliest_time:
        put("earliest_time", nlu.earliest_time.strftime("%H:%M"))
    if take_search and nlu.latest_time:
        put("latest_time", nlu.latest_time.strftime("%H:%M"))
    if take_search and nlu.part_of_day:
        put("part_of_day", nlu.part_of_day)
        if not nlu.time:
            collected.pop("time", None)
    if nlu.first_name:
        put("first_name", nlu.first_name)
    if nlu.last_name:
        put("last_name", nlu.last_name)
    if nlu.date_of_birth:
        put("date_of_birth", nlu.date_of_birth.isoformat())
    if nlu.phone:
        put("phone", nlu.phone)
    return changed


def mark_any(collected: dict, question: str, text: str, today: date) -> bool:
    """'Anyone', 'any time', 'as soon as possible' answer provider/date/time questions."""
    if question not in ("provider", "date", "time") or not ANY_PREFERENCE.search(text):
        return False
    if question == "provider":
        collected["any_provider"] = True
    elif question == "date":
        collected["any_date"] = True
        collected["date_from"] = today.isoformat()
        collected["date_to"] = (today + timedelta(days=14)).isoformat()
    else:
        collected["any_time"] = True
    return True


def has(collected: dict, question: str) -> bool:
    if question == "patient_name":
        return bool(collected.get("first_name") and collected.get("last_name"))
    if question in SLOT_FIELDS:
        return any(collected.get(k) for k in SLOT_FIELDS[question])
    return bool(collected.get(question))


def next_booking_question(collected: dict) -> str | None:
    for q in BOOK_ORDER:
        if not has(collected, q):
            return q
    return None


def next_identity_question(collected: dict, channel: str) -> str | None:
    if channel == "voice":
        for q in KEYPAD_IDENTITY_ORDER:
            if not has(collected, q):
                return q
        if collected.get("on_file") == "none" and not has(collected, "patient_name"):
            return "patient_name"
        return None
    for q in IDENTITY_ORDER:
        if q == "phone" and channel == "sms" and collected.get("phone"):
            continue
        if not has(collected, q):
            return q
    return None


STATE_FOR_QUESTION = {
    "provider": BookingState.COLLECT_PROVIDER, "date": BookingState.COLLECT_DATE,
    "time": BookingState.COLLECT_TIME, "patient_name": BookingState.COLLECT_PATIENT_INFO,
    "date_of_birth": BookingState.COLLECT_PATIENT_INFO, "phone": BookingState.COLLECT_PATIENT_INFO,
    "confirm_identity": BookingState.COLLECT_PATIENT_INFO, "reason": BookingState.COLLECT_REASON,
}

EARLIEST = re.compile(r"\b(soonest|earliest|as soon as possible|asap|first available|next available|"
                      r"first opening|next opening|right away)\b", re.I)
ANYONE = re.compile(r"\b(any ?one|any ?body|whoever|any (doctor|provider)|no preference)\b", re.I)


def mark_earliest(collected: dict, text: str, today: date) -> set[str]:
    """'Who can see me soonest? Anyone is fine': the first openings, with anyone when so said."""
    marked: set[str] = set()
    if ANYONE.search(text) and not has(collected, "provider"):
        collected["any_provider"] = True
        marked.add("any_provider")
    if EARLIEST.search(text):
        collected["earliest"] = True
        if not has(collected, "date"):
            collected.update(any_date=True, date_from=today.isoformat(),
                             date_to=(today + timedelta(days=14)).isoformat())
            marked.add("date_from")
        if not has(collected, "time"):
            collected["any_time"] = True
            marked.add("any_time")
    return marked


SEARCH_KEYS = {"provider_id", "specialty", "date", "date_from", "date_to", "weekday", "not_weekdays", "time",
               "earliest_time", "latest_time", "part_of_day"}
