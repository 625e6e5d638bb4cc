"""Numbered choices on a call when speech fails: after one missed answer to the doctor or day
question the caller may press a number instead ("press 1 for Dr. Priya Raman, 2 for ..."), so a
booking can be completed on the embedded recogniser however the caller's words are heard.

The menu lives in the session (`collected_data["menu"]`: which question, and the value of each key);
a keyed digit while that question is open is the answer.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from dialogue.speech_format import join_words, say_date
from ehr.types import Provider, SlotCriteria, TimeSlot

MENU_QUESTIONS = ("provider", "date")
MAX_KEYS = 9
DAYS_OFFERED = 4
_KEY = re.compile(r"^\s*(?:press\s+|option\s+|number\s+)?(\d)\s*[.!]?\s*$")


def provider_menu(roster: list[Provider]) -> tuple[list[str], list[str]]:
    """(what each key says, the provider id it picks)."""
    chosen = roster[:MAX_KEYS]
    return [p.display_name for p in chosen], [p.id for p in chosen]


def day_menu(slots: list[TimeSlot]) -> tuple[list[str], list[str]]:
    """The next days with an opening, from a search's slots (clinic-local dates)."""
    days: list[date] = []
    for slot in sorted(slots, key=lambda s: s.start):
        day = slot.start.date()
        if day not in days:
            days.append(day)
        if len(days) == DAYS_OFFERED:
            break
    return [say_date(d) for d in days], [d.isoformat() for d in days]


def day_criteria(base: SlotCriteria, today: date) -> SlotCriteria:
    """Any time in the next four weeks, for the doctor or specialty already chosen."""
    return SlotCriteria(clinic=base.clinic, provider_ids=base.provider_ids, specialty=base.specialty,
                        date_from=today, date_to=today + timedelta(days=28), limit=60, spread_days=True)


def menu_prompt(labels: list[str]) -> str:
    keys = [f"{n} for {label}" for n, label in enumerate(labels, 1)]
    return f"Or press {join_words(keys, 'or')}."


def keyed_choice(text: str, menu: dict | None, question: str | None) -> str | None:
    """The value a keyed (or said) digit picks from the open menu of this question, else None."""
    if not menu or menu.get("for") != question:
        return None
    m = _KEY.match(text or "")
    if not m:
        return None
    index = int(m.group(1)) - 1
    values = menu.get("values") or []
    return values[index] if 0 <= index < len(values) else None
