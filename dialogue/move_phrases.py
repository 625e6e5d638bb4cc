"""Days and times said relative to the appointment being moved: "later that same day", "push it back
a week", "a week later, same weekday", "the same day", "the day after", "earlier that day".

They mean nothing until the appointment is known (the patient is identified after the first
message), so `relative_move` reads the phrase into a small record kept in the session, and
`apply_move` turns it into search constraints once the appointment is chosen.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

_N = r"(a|an|one|1|two|2|three|3|a couple of)"
_COUNT = {"a": 1, "an": 1, "one": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3, "a couple of": 2}
_WEEKS_LATER = re.compile(
    rf"\b(?:push|move|bump|put|shift|set)\b[\w\s']{{0,20}}?\bback\b[\w\s']{{0,12}}?\b{_N} weeks?\b"
    rf"|\b{_N} weeks? (?:later|after|out|from (?:it|then|that))\b"
    r"|\b(?:same (?:week)?day|same day of the week)\W+(?:the )?(?:next|following) week\b"
    r"|\b(?:next|following) week\W+(?:on )?(?:the )?same (?:week)?day\b")
_WEEKS_EARLIER = re.compile(rf"\b(?:move|bring|pull)\b[\w\s']{{0,20}}?\bup\b[\w\s']{{0,12}}?\b{_N} weeks?\b"
                            rf"|\b{_N} weeks? (?:earlier|before)\b")
_DAYS_LATER = re.compile(rf"\b(?:the day after(?! tomorrow)|{_N} days? (?:later|after))\b"
                         rf"|\b(?:push|move|bump)\b[\w\s']{{0,20}}?\bback\b[\w\s']{{0,12}}?\b{_N} days?\b")
_DAYS_EARLIER = re.compile(rf"\b(?:the day before|{_N} days? (?:earlier|before))\b")
_SAME_DAY = re.compile(r"\b(?:(?:the|that|that very) same day|same day|that day|the day of(?: it)?)\b")
_LATER = re.compile(r"\blater\b")
_EARLIER = re.compile(r"\bearlier\b")
_SAME_TIME = re.compile(r"\b(?:same time|that time)\b")
_NOT = re.compile(r"\b(?:can'?t|cannot|can not|not|busy|don'?t|won'?t|doesn'?t|isn'?t)\b")


def relative_move(text: str) -> dict | None:
    """The shift a message asks for, relative to the appointment moved; None when it names none."""
    t = text.lower()
    for rx, sign, unit in ((_WEEKS_LATER, 1, 7), (_WEEKS_EARLIER, -1, 7), (_DAYS_LATER, 1, 1),
                           (_DAYS_EARLIER, -1, 1)):
        m = rx.search(t)
        if m:
            n = next((g for g in m.groups() if g), None)
            days = sign * unit * _COUNT.get(n, 1)
            # A week's shift keeps the hour unless another is said; a day's shift keeps it when asked to.
            return {"days": days, "keep_time": unit == 7 or bool(_SAME_TIME.search(t))}
    if _SAME_DAY.search(t) and not _NOT.search(t):      # "I can't do that day" is no new day
        after = bool(_LATER.search(t))
        before = bool(_EARLIER.search(t)) and not after
        return {"days": 0, "after": after, "before": before}
    return None


def apply_move(collected: dict, move: dict, start: datetime, end: datetime) -> set[str]:
    """Search constraints for the shift `move` from an appointment at [start, end) (clinic-local)."""
    day = start.date() + timedelta(days=move.get("days", 0))
    for key in ("date", "date_from", "date_to", "weekday", "any_date", "named_weekday"):
        collected.pop(key, None)
    collected["date"] = day.isoformat()
    changed = {"date"}
    if move.get("after"):
        collected["earliest_time"] = end.strftime("%H:%M")
        collected.pop("time", None)
        changed.add("earliest_time")
    elif move.get("before"):
        collected["latest_time"] = (start - timedelta(minutes=1)).strftime("%H:%M")
        collected.pop("time", None)
        changed.add("latest_time")
    elif move.get("keep_time") and not (collected.get("time") or collected.get("part_of_day")):
        collected["time"] = start.strftime("%H:%M")
        changed.add("time")
    return changed
