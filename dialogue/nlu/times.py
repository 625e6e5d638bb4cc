"""Clock times and time-of-day constraints from (cleaned) text.

Conventions (documented in docs/nlu.md):

* An hour with no am/pm and no part of day: 1-6 means pm, 7-11 means am, 12 is noon
  ("at 3" -> 15:00, "at 9" -> 09:00).  13-23 are 24-hour clock ("15:30").
* A part of day next to the time decides ("2 in the afternoon", "evening 4:45", "12:15 in
  the afternoon" -> 12:15); otherwise a part of day elsewhere in the message does.
* "3 30", "10 45 am" (an hour and two-digit minutes, as recognisers write spoken times) are
  read as "3:30" when a cue says it is a time: am/pm, a part of day, a preposition ("at 2 15"),
  or when the agent asked for a time; never before a unit ("2 15 minute visits").
* Bare numbers are times only with a cue: am/pm, ":MM", "o'clock", a part of day, or a
  preposition ("at/around/by/after/before/until 3"), or when the agent asked for a time.
* "after 3" / "no earlier than 3" / "3 or later" -> earliest_time; "before 11" / "no later
  than 11" -> latest_time.
* part_of_day: morning < 12:00 <= afternoon < 17:00 <= evening ("tonight" -> evening).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

_POD = r"(morning|afternoon|evening|tonight|night)"
_AMPM = r"(?:\s*(am|pm))?"
_P_POD = re.compile(rf"\b{_POD}\b")
_P_NOON = re.compile(r"\b(?:12\s+)?(noon|midday|lunch ?time)\b")
_P_QUARTER = re.compile(
    rf"\b(?:a\s+)?(quarter|half)\s+(past|after|to|till|til|of|before)\s+(\d{{1,2}}){_AMPM}"
    rf"(?:\s+(?:oclock\s+)?in\s+the\s+{_POD}|\s+{_POD})?"
)
_P_HM = re.compile(
    rf"(?<![\d/:.])(\d{{1,2}})[:.](\d{{2}})(?![\d/]){_AMPM}(?:\s+(?:oclock\s+)?(?:in\s+the\s+|at\s+)?{_POD})?"
)
_P_H = re.compile(
    rf"(?<![\d/:.,$])(\d{{1,2}})(?:\s*(am|pm)|\s+oclock|(?=\s+(?:in\s+the\s+|at\s+)?{_POD}))"
    rf"(?:\s+oclock)?(?:\s+(?:in\s+the\s+|at\s+)?{_POD})?"
)
_P_PREP = re.compile(
    r"\b(at|around|about|by|after|before|until|till|til|say|from|maybe|how about|"
    r"earliest|latest|no earlier than|no later than|not before|not after|"
    r"anytime after|any time after|sometime after|later than|earlier than|i meant|meant|make it|"
    r"how about|what about|change it to|switch it to|move it to|make that|try|rather|instead of|or)\s+(\d{1,2})"
    r"(?![\d/:.]|\s*(?:st|nd|rd|th|days?|weeks?|months?|years?|people|kids|minutes|hours|of)\b)"
)
_P_POD_FIRST = re.compile(rf"\b{_POD}\s+(?:at\s+|around\s+)?(\d{{1,2}})(?:[:.](\d{{2}}))?(?![\d/])(?:\s*(am|pm))?")
_P_LATER = re.compile(r"(?:\s+or\s+(later|after|earlier|before)|\s+(onwards?|on)(?=\s*(?:[.,!?;]|$)))")
_P_BARE = re.compile(r"^\D*?\b(\d{1,2})(?:[:.](\d{2}))?(?:\s*(am|pm))?\b[^\d]*$")

_P_SPACED = re.compile(r"(?<![\d/:.,$])(\d{1,2}) ([0-5]\d)(?![\d/:.])(?!\s*(?:st|nd|rd|th|min|minutes?|hours?|"
                       r"hrs?|days?|weeks?|months?|years?|people|kids|times|percent|%|and|to|or)\b)")
_SPACED_CUE_AFTER = re.compile(rf"\s*(?:am|pm|oclock\b|(?:in\s+the\s+|at\s+)?{_POD})")
_SPACED_CUE_BEFORE = re.compile(
    rf"(?:\b(?:at|around|about|by|after|before|until|till|til|say|from|maybe|how about|what about|try|"
    rf"make it|or|the|{_POD}(?:\s+at)?)\s*)$")

_EARLIEST = {"after", "from", "no earlier than", "not before", "anytime after", "any time after",
             "sometime after", "later than", "earliest"}
_LATEST = {"before", "until", "till", "til", "no later than", "not after", "earlier than", "latest"}


@dataclass
class TimeParse:
    """A clock time and/or a window ("after 3", "morning")."""

    time: Optional[dt.time] = None
    earliest_time: Optional[dt.time] = None
    latest_time: Optional[dt.time] = None
    part_of_day: Optional[str] = None


def _pod_norm(p: Optional[str]) -> Optional[str]:
    if p in ("tonight", "night"):
        return "evening"
    return p


def resolve_hour(h: int, ampm: Optional[str], pod: Optional[str]) -> Optional[int]:
    """The 24-hour hour for a spoken hour, using am/pm, then part of day, then clinic rules."""
    if h > 23:
        return None
    if ampm == "pm":
        return h + 12 if h < 12 else (h if h == 12 else None)
    if ampm == "am":
        return 0 if h == 12 else (h if h <= 12 else None)
    if h >= 13 or h == 0:
        return h
    if pod in ("afternoon", "evening"):
        return h + 12 if h < 12 else 12
    if pod == "morning":
        return h
    return h + 12 if 1 <= h <= 6 else h


def _mk(h: int, m: int, ampm: Optional[str], pod: Optional[str], minus: int = 0) -> Optional[dt.time]:
    hh = resolve_hour(h, ampm, pod)
    if hh is None or not 0 <= m <= 59:
        return None
    total = (hh * 60 + m - minus) % (24 * 60)
    return dt.time(total // 60, total % 60)


def part_of_day_of(t: dt.time) -> str:
    """morning < 12:00 <= afternoon < 17:00 <= evening."""
    if t.hour < 12:
        return "morning"
    return "afternoon" if t.hour < 17 else "evening"


def _join_spaced(text: str, expecting_time: bool) -> str:
    """ "3 30 pm" -> "3:30 pm" where a cue says the pair is a time (same length: positions hold)."""
    def join(m: re.Match[str]) -> str:
        cued = (_SPACED_CUE_AFTER.match(text, m.end()) or _SPACED_CUE_BEFORE.search(text, 0, m.start())
                or expecting_time)
        return f"{m.group(1)}:{m.group(2)}" if cued and int(m.group(1)) <= 23 else m.group(0)
    return _P_SPACED.sub(join, text)


def parse_time(text: str, expecting_time: bool = False) -> TimeParse:
    """Times in cleaned ``text``; the last specific time wins."""
    text = _join_spaced(text, expecting_time)
    out = TimeParse()
    alone = re.fullmatch(r"\W*(am|pm|a m|p m)\W*(?:please)?\W*", text)
    if alone and expecting_time:                   # "am" to "morning or afternoon?"
        out.part_of_day = "morning" if alone.group(1).startswith("a") else "afternoon"
        return out
    pods = _P_POD.findall(text)
    msg_pod = _pod_norm(pods[-1]) if pods else None
    out.part_of_day = msg_pod
    found: list[tuple[int, dt.time, int]] = []  # (start, time, end)
    t = text

    def mask(m: re.Match[str]) -> None:
        nonlocal t
        t = t[: m.start()] + " " * (m.end() - m.start()) + t[m.end():]

    for m in _P_NOON.finditer(t):
        found.append((m.start(), dt.time(12, 0), m.end()))
        mask(m)
    for m in _P_QUARTER.finditer(t):
        qh, rel, h = m.group(1), m.group(2), int(m.group(3))
        pod = _pod_norm(m.group(5) or m.group(6)) or msg_pod
        mins = 15 if qh == "quarter" else 30
        if rel in ("past", "after"):
            tm = _mk(h, mins, m.group(4), pod)
        else:
            tm = _mk(h, 0, m.group(4), pod, minus=mins)
        if tm:
            found.append((m.start(), tm, m.end()))
        mask(m)
    for m in _P_POD_FIRST.finditer(t):
        pod = _pod_norm(m.group(1))
        tm = _mk(int(m.group(2)), int(m.group(3) or 0), m.group(4), pod)
        if tm:
            found.append((m.start(2), tm, m.end()))
        mask(m)
    for m in _P_HM.finditer(t):
        pod = _pod_norm(m.group(4)) or msg_pod
        tm = _mk(int(m.group(1)), int(m.group(2)), m.group(3), pod)
        if tm:
            found.append((m.start(), tm, m.end()))
        mask(m)
    for m in _P_H.finditer(t):
        pod = _pod_norm(m.group(3)) or msg_pod
        tm = _mk(int(m.group(1)), 0, m.group(2), pod)
        if tm:
            found.append((m.start(), tm, m.end()))
        mask(m)
    for m in _P_PREP.finditer(t):
        tm = _mk(int(m.group(2)), 0, None, msg_pod)
        if tm:
            found.append((m.start(2), tm, m.end()))
        mask(m)
    if not found and expecting_time:
        m = _P_BARE.match(t)
        if m:
            tm = _mk(int(m.group(1)), int(m.group(2) or 0), m.group(3), msg_pod)
            if tm:
                found.append((m.start(1), tm, m.end(1)))

    # windows: "after 3", "before 11", "3 or later"
    for start, tm, end in sorted(found):
        before = text[max(0, start - 22): start]
        pm = re.search(r"(no earlier than|no later than|not before|not after|any ?time after|"
                       r"sometime after|later than|earlier than|after|before|from|until|till|til|"
                       r"earliest|latest)\s+(?:about\s+|around\s+)?$", before)
        lm = _P_LATER.match(text, end)
        if pm:
            word = pm.group(1).replace("anytime", "any time")
            if word in _EARLIEST or word == "any time after":
                out.earliest_time = tm
                continue
            if word in _LATEST:
                out.latest_time = tm
                continue
        if lm:
            w = lm.group(1) or lm.group(2)
            if w in ("later", "after", "on", "onward", "onwards"):
                out.earliest_time = tm
                continue
            out.latest_time = tm
            continue
        out.time = tm
    if out.time is not None and out.part_of_day is None:
        out.part_of_day = None  # a clock time alone says enough
    return out
