"""Values the patient says they do NOT mean: "Wednesday not Tuesday", "make that 10, not 9",
"not Tuesday, Wednesday", "no not tuesday but wednesday". The negated value is removed before the
slots are read (so it can never be the one taken), and the message counts as a correction.

Only a value right after "not" is removed (a day, a date, a clock time or hour, a part of day, a
doctor), and only when the message names another value too: "not Tuesday" alone is left to the
dialogue ("which day, then?").
"""
from __future__ import annotations

import re

_DAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_VALUE = (rf"(?:(?:next|this)\s+)?{_DAY}|today|tomorrow|the\s+\d{{1,2}}(?:st|nd|rd|th)|\d{{1,2}}(?::\d{{2}})?"
          rf"(?:\s*[ap]m)?|(?:the\s+)?(?:morning|afternoon|evening)|(?:dr\.?|doctor)\s+[a-z'\-]+")
# "X, not Y" / "X not Y" (the negated value last)
_TRAILING = re.compile(rf"(?:,\s*|\s+)(?:and\s+)?not\s+(?:on\s+|at\s+|with\s+)?(?:{_VALUE})\b")
# "not Y, X" / "not Y but X" (the negated value first)
_LEADING = re.compile(rf"\bnot\s+(?:on\s+|at\s+|with\s+)?(?:{_VALUE})\s*(?:,|\bbut\b|\brather\b)\s*")
_ANY_VALUE = re.compile(rf"\b(?:{_VALUE})\b")


def drop_negated(text: str) -> tuple[str, bool]:
    """(cleaned text without the negated values, whether any was dropped)."""
    out = _LEADING.sub(" ", text)
    out = _TRAILING.sub("", out)
    out = " ".join(out.split())
    if out == " ".join(text.split()) or not _ANY_VALUE.search(out):
        return text, False
    return out, True


_WEEKDAY_NUMBER = {"mon": 0, "tues": 1, "wednes": 2, "thurs": 3, "fri": 4, "satur": 5, "sun": 6}
_EXCLUDED_DAY = re.compile(r"\b(?:not|except|excluding|other than|besides|any ?day but|anything but|but not)\s+"
                           r"(?:on\s+)?(?:a\s+)?(mon|tues|wednes|thurs|fri|satur|sun)days?\b")


def excluded_weekdays(text: str) -> list[int]:
    """Days the patient rules out ("not on a Monday", "any day but Monday", "except Fridays"):
    0 = Monday. "No, Monday" is a correction to Monday, not an exclusion."""
    return sorted({_WEEKDAY_NUMBER[m.group(1)] for m in _EXCLUDED_DAY.finditer(text)})


def without_excluded_days(text: str) -> str:
    """The text with its ruled-out days removed, so "not on a Monday" is not read as Monday."""
    return " ".join(_EXCLUDED_DAY.sub(" ", text).split())
