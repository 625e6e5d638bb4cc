"""Whisper's free text, read by the dialogue's understanding and named in the grammar's words.

The combination compares the two recognisers by *meaning*: the grammar's sentence is labelled by
`meaning.py` ("next tuesday", "raman", "3:30", "pick:2"), Whisper's text is read by
`dialogue.nlu` as the engine will read it and mapped to the same labels here. The caller-like
benchmark (bench/asr_callers.py) scores Whisper with this same mapping, so the rule fitted there
means the same thing on a call.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dialogue.nlu import Intent, NLUContext, NLUResult, RosterEntry

from .grammar import Provider, spoken_words

# recogniser question type -> the understanding's `expecting`
EXPECTING = {"opening": None, "provider": "provider", "date": "date", "time": "time",
             "yes_no": "confirm", "choice": "slot_choice", "name": "patient_name", "reason": "reason"}
_WD = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TOPICS = {"hours": "hours", "location": "where", "address": "where", "directions": "where", "parking": "where"}


def nlu_context(question: str, providers: list[Provider], now: dt.datetime, timezone: str = "UTC",
                options: int = 3) -> NLUContext:
    """The understanding's context for one answer: the roster (ids = the grammar's provider labels)."""
    entries = []
    for p in providers:
        words = p.name.replace("Dr. ", "").split()
        entries.append(RosterEntry(id=p.last, first_name=words[0] if words else p.last,
                                   last_name=" ".join(words[1:]), specialty=p.specialty or ""))
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(timezone))
    return NLUContext(timezone=timezone, now=now, roster=entries, expecting=EXPECTING.get(question),
                      shown_options=options if question == "choice" else 0)


def labels(question: str, res: NLUResult, providers: list[Provider], today: dt.date) -> set[str]:
    """Meaning labels (meaning.py's vocabulary) an NLUResult stands for; empty = not accepted."""
    flow = res.confidence >= 0.8 and res.intent in (Intent.HANDOFF, Intent.GOODBYE)
    if question == "opening":
        i = res.intent
        if i == Intent.SCHEDULING:
            return {f"book:{res.provider_id}" if res.provider_id else "book"}
        return {{Intent.CANCELLATION: "cancel", Intent.RESCHEDULE: "reschedule",
                 Intent.CHECK_APPOINTMENT: "when", Intent.HANDOFF: "human", Intent.GREETING: "greet",
                 Intent.GOODBYE: "goodbye",
                 Intent.INFORMATION: _TOPICS.get(res.info_topic or "", f"info:{res.info_topic}"),
                 }.get(i)} - {None}
    out: set[str] = set()
    if flow:                      # the engine would act on it whatever the question
        out.add("escape:human" if res.intent == Intent.HANDOFF else "escape:goodbye")
    if question == "provider":
        if res.provider_id:
            out.add(res.provider_id)
        elif res.specialty:           # the call books the roster's provider of that specialty
            same = [p.last for p in providers if (p.specialty or "").lower() == res.specialty.lower()]
            out.add(same[0] if len(same) == 1 else f"specialty:{res.specialty}")
        elif res.answers_expected:
            out.add("any")
    elif question == "date":
        out |= _date_labels(res, today)
    elif question == "time":
        if res.time is not None:
            out.add(f"{res.time.hour}:{res.time.minute:02d}")
        elif res.earliest_time is not None:
            out.add(f"after {res.earliest_time.hour}:{res.earliest_time.minute:02d}")
        elif res.latest_time is not None:
            out.add(f"before {res.latest_time.hour}:{res.latest_time.minute:02d}")
        elif res.part_of_day:
            out.add(res.part_of_day)
    elif question in ("yes_no", "choice"):
        if question == "choice" and res.choice_index is not None:
            out.add(f"pick:{res.choice_index + 1}")
        elif res.yes_no is not None:
            out.add("yes" if res.yes_no else "no")
    elif question == "name":
        if res.first_name:
            out.add(" ".join(spoken_words(f"{res.first_name} {res.last_name or ''}")))
    return out


def _date_labels(res: NLUResult, today: dt.date) -> set[str]:
    out: set[str] = set()
    d = res.date
    if d is not None:
        delta = (d - today).days
        out |= {f"{d.month}-{d.day}", f"?-{d.day}"}
        out |= {n for n, k in (("today", 0), ("tomorrow", 1), ("the day after tomorrow", 2)) if delta == k}
        wd = _WD[d.weekday()]
        if 0 <= delta < 7:
            out.add(f"this {wd}")
        if 0 < delta <= 14:
            out.add(f"next {wd}")
    elif res.weekday is not None:
        out |= {f"this {_WD[res.weekday]}", f"next {_WD[res.weekday]}"}
    elif res.date_range is not None:
        out.add("range")
    return out


def escape_of(res: NLUResult, sure: float = 0.8) -> str | None:
    """'human' / 'goodbye' when the understanding reads this text as ending or transferring the call
    with at least `sure` confidence (the engine acts lower: "no thank you" to offered slots is a
    goodbye at 0.7, and it ends the call)."""
    if res.confidence >= sure and res.intent == Intent.HANDOFF:
        return "human"
    if res.confidence >= sure and res.intent == Intent.GOODBYE:
        return "goodbye"
    return None
