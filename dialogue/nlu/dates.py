"""Calendar dates from (cleaned) text, resolved against the clinic's local ``today``.

Conventions (documented in docs/nlu.md):

* "next Tuesday", "this Tuesday", "coming Tuesday", "on Tuesday", "Tuesday" all mean the
  next occurrence of that weekday (the SGD convention: on Friday 2019-03-01 "next Tuesday"
  is 2019-03-05).  A bare/"this" weekday equal to today's weekday is today; "next <today's
  weekday>" is a week later.  "Tuesday after next" adds a week.
* "Tuesday next week" / "next week Tuesday" / "Tuesday of next week": the Tuesday of the
  following Monday-to-Sunday calendar week; "Saturday this week": the current week's.
* "next week" -> date_range (next Monday, next Sunday); "this week" -> (today, Sunday);
  "this weekend"/"next weekend" -> (Saturday, Sunday); "next month" -> the month's range.
* A month and day without a year that is already past rolls to next year; "the 5th"
  without a month that is already past this month rolls to next month.  "the 5th of this
  month" stays in this month.
* Numeric dates are US order: 3/9 is March 9.
* Dates of birth (``parse_dob``) need a year, never roll, must be in the past and at most
  120 years ago; 8 keypad digits are MMDDYYYY.

Input text must already be passed through ``normalize.clean`` (lowercase, numerals).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_WD = "(" + "|".join(WEEKDAYS) + ")"
_MON = "(" + "|".join(MONTHS) + ")"
_SFX = r"(?:st|nd|rd|th)"
_YEAR = r"(?:,?\s*(?:of\s+|in\s+)?(\d{4}|'\d{2}))?"

# "the 5th" is a date only at the end of a phrase, not before a noun ("the 1st person")
_CHOICE_AFTER = (
    r"(?=\s*(?:$|[.,!?;:)]|(?:at|in|on|or|and|please|if|would|will|is|works|work|instead|then|for|"
    r"around|by|after|before|maybe|perhaps|possibly|anything|any|do|does|would|could|can|that|this|"
    r"with|i|we|morning|afternoon|evening|\d)\b))"
)

_P_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_P_NUM = re.compile(r"(?<![\d/])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/])")
_P_MDY = re.compile(rf"\b{_MON}\.?\s+(?:the\s+)?(\d{{1,2}}){_SFX}?(?!\d|:|\s*(?:am|pm|oclock)\b){_YEAR}\b")
_P_DMY = re.compile(rf"\b(?:the\s+)?(\d{{1,2}}){_SFX}?\s+(?:day\s+)?(?:of\s+)?{_MON}\b{_YEAR}")
_P_DOM = re.compile(rf"\b(?:the\s+)?(\d{{1,2}}){_SFX}?\s+(?:day\s+)?of\s+(this|next|the)\s+month\b")
_P_ORD = re.compile(rf"\b(?:on\s+the\s+|on\s+|the\s+|for\s+the\s+)(\d{{1,2}})({_SFX}?)\b{_CHOICE_AFTER}")
_P_REL = re.compile(
    r"\b(day after tomorrow|the day after tomorrow|tomorrow|today|tonight|later today|"
    r"this (?:morning|afternoon|evening))\b"
)
_P_IN = re.compile(r"\bin\s+(\d+|a|an|one|a couple of|couple|a few)\s+(day|week|month)s?\b")
_P_FROM = re.compile(r"\b(\d+|a|one)\s+(day|week)s?\s+from\s+(today|now|tomorrow)\b")
_P_WD = re.compile(
    rf"\b(?:(next|this coming|this|coming|on|upcoming|following)\s+)?{_WD}"
    rf"(?:\s+(?:of\s+)?(next week|this week|the week after next|after next|week after next))?\b"
)
_P_WEEK_WD = re.compile(rf"\b(next|this)\s+week\s+(?:on\s+)?{_WD}\b")
_P_RANGE = re.compile(
    r"\b(next week|this week|later this week|the week after next|this weekend|the weekend|"
    r"next weekend|next month|this month|end of the week|end of next week)\b"
)
_P_KEYPAD = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")


@dataclass
class DateParse:
    """What ``parse_date`` found: one date, or a range, plus a weekday constraint."""

    date: Optional[dt.date] = None
    date_range: Optional[tuple[dt.date, dt.date]] = None
    weekday: Optional[int] = None
    start: int = -1  # position of the winning match in the text


def _safe_date(y: int, m: int, d: int) -> Optional[dt.date]:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _roll_year(m: int, d: int, today: dt.date) -> Optional[dt.date]:
    cand = _safe_date(today.year, m, d)
    if cand is None:
        return _safe_date(today.year + 1, m, d)
    if cand < today:
        return _safe_date(today.year + 1, m, d)
    return cand


def _roll_month(d: int, today: dt.date) -> Optional[dt.date]:
    cand = _safe_date(today.year, today.month, d)
    if cand is not None and cand >= today:
        return cand
    y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    for _ in range(3):
        cand = _safe_date(y, m, d)
        if cand is not None:
            return cand
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return None


def next_weekday(today: dt.date, wd: int, strictly_after: bool) -> dt.date:
    """The next ``wd`` (0=Monday) on/after today (after, if ``strictly_after``)."""
    delta = (wd - today.weekday()) % 7
    if delta == 0 and strictly_after:
        delta = 7
    return today + dt.timedelta(days=delta)


def _week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def _year(tok: Optional[str]) -> Optional[int]:
    if not tok:
        return None
    tok = tok.lstrip("'")
    y = int(tok)
    return y if len(tok) == 4 else 2000 + y


def _month_range(y: int, m: int) -> tuple[dt.date, dt.date]:
    start = dt.date(y, m, 1)
    nxt = dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)
    return start, nxt - dt.timedelta(days=1)


_COUNT = {"a": 1, "an": 1, "one": 1, "a couple of": 2, "couple": 2, "a few": 3}


def _mask(text: str, m: re.Match[str]) -> str:
    return text[: m.start()] + " " * (m.end() - m.start()) + text[m.end():]


def parse_date(text: str, today: dt.date) -> DateParse:
    """The last date expression in ``text`` resolved against ``today`` (appointment sense)."""
    found: list[tuple[int, DateParse]] = []
    t = text

    def add(m: re.Match[str], **kw: object) -> None:
        found.append((m.start(), DateParse(start=m.start(), **kw)))  # type: ignore[arg-type]

    for m in _P_ISO.finditer(t):
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            add(m, date=d)
        t = _mask(t, m)
    for m in _P_MDY.finditer(t):
        mon, day, yr = MONTHS.index(m.group(1)) + 1, int(m.group(2)), _year(m.group(3))
        if m.group(1) == "may" and not re.search(_SFX + r"\b", m.group(0)) and yr is None:
            # "may 3" could be the verb; require an ordinal or a year
            if not re.search(r"\b(?:on|in|for|of)\s+may\b", t[max(0, m.start() - 4): m.end()]):
                continue
        d = _safe_date(yr, mon, day) if yr else _roll_year(mon, day, today)
        if d:
            add(m, date=d)
        t = _mask(t, m)
    for m in _P_DMY.finditer(t):
        day, mon, yr = int(m.group(1)), MONTHS.index(m.group(2)) + 1, _year(m.group(3))
        d = _safe_date(yr, mon, day) if yr else _roll_year(mon, day, today)
        if d:
            add(m, date=d)
        t = _mask(t, m)
    for m in _P_DOM.finditer(t):
        day, which = int(m.group(1)), m.group(2)
        if which == "next":
            y, mo = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            d = _safe_date(y, mo, day)
        else:
            d = _safe_date(today.year, today.month, day)
        if d:
            add(m, date=d)
        t = _mask(t, m)
    for m in _P_NUM.finditer(t):
        a, b, yr = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if not (1 <= a <= 12 and 1 <= b <= 31):
            continue
        if m.group(0).count(".") or (m.group(0).count("-") and not yr):
            continue  # "3.30" is a time, "3-4" a range
        d = _safe_date(yr, a, b) if yr else _roll_year(a, b, today)
        if d:
            add(m, date=d)
        t = _mask(t, m)
    for m in _P_WEEK_WD.finditer(t):
        wd = WEEKDAYS.index(m.group(2))
        base = _week_start(today) + dt.timedelta(days=7 if m.group(1) == "next" else 0)
        d = base + dt.timedelta(days=wd)
        if d < today:
            d = next_weekday(today, wd, False)
        add(m, date=d, weekday=wd)
        t = _mask(t, m)
    for m in _P_WD.finditer(t):
        mod, wd, week = m.group(1), WEEKDAYS.index(m.group(2)), m.group(3)
        if week in ("next week", "this week", "the week after next", "week after next"):
            weeks = {"this week": 0, "next week": 1}.get(week, 2)
            d = _week_start(today) + dt.timedelta(days=7 * weeks + wd)
            if d < today:
                d = next_weekday(today, wd, False)
        else:
            d = next_weekday(today, wd, strictly_after=(mod in ("next", "following")))
            if week == "after next":
                d += dt.timedelta(days=7)
        add(m, date=d, weekday=wd)
        t = _mask(t, m)
    for m in _P_IN.finditer(t):
        n = _COUNT.get(m.group(1)) or int(m.group(1))
        unit = m.group(2)
        if unit == "month":
            y, mo = today.year + (today.month - 1 + n) // 12, (today.month - 1 + n) % 12 + 1
            d = _safe_date(y, mo, min(today.day, 28)) or today
        else:
            d = today + dt.timedelta(days=n * (7 if unit == "week" else 1))
        add(m, date=d)
        t = _mask(t, m)
    for m in _P_FROM.finditer(t):
        n = _COUNT.get(m.group(1)) or int(m.group(1))
        base = today + dt.timedelta(days=1 if m.group(3) == "tomorrow" else 0)
        add(m, date=base + dt.timedelta(days=n * (7 if m.group(2) == "week" else 1)))
        t = _mask(t, m)
    for m in _P_REL.finditer(t):
        w = m.group(1)
        if w.endswith("day after tomorrow"):
            d = today + dt.timedelta(days=2)
        elif w == "tomorrow":
            d = today + dt.timedelta(days=1)
        else:
            d = today
        add(m, date=d)
        t = _mask(t, m)
    for m in _P_RANGE.finditer(t):
        w = m.group(1)
        ws = _week_start(today)
        if w in ("next week", "end of next week"):
            r = (ws + dt.timedelta(days=7), ws + dt.timedelta(days=13))
            if w.startswith("end"):
                r = (ws + dt.timedelta(days=10), ws + dt.timedelta(days=11))
        elif w == "the week after next":
            r = (ws + dt.timedelta(days=14), ws + dt.timedelta(days=20))
        elif w in ("this week", "later this week"):
            r = (today, ws + dt.timedelta(days=6))
        elif w == "end of the week":
            r = (max(today, ws + dt.timedelta(days=3)), ws + dt.timedelta(days=4))
        elif w in ("this weekend", "the weekend"):
            sat = ws + dt.timedelta(days=5)
            r = (max(today, sat), ws + dt.timedelta(days=6))
        elif w == "next weekend":
            r = (ws + dt.timedelta(days=12), ws + dt.timedelta(days=13))
        elif w == "this month":
            r = (today, _month_range(today.year, today.month)[1])
        else:  # next month
            y, mo = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            r = _month_range(y, mo)
        add(m, date_range=r)
        t = _mask(t, m)
    for m in _P_ORD.finditer(t):
        day = int(m.group(1))
        if not (1 <= day <= 31):
            continue
        prefix = m.group(0)
        if not m.group(2) and not prefix.startswith("on the"):
            continue  # "the 3" is not a date; "on the 3" is
        d = _roll_month(day, today)
        if d:
            add(m, date=d)
        t = _mask(t, m)

    if not found:
        return DateParse()
    dates = [p for p in found if p[1].date is not None]
    pool = dates or found
    best = max(pool, key=lambda p: p[0])[1]
    if best.date is not None:
        # keep a range found alongside only when no concrete date
        best.date_range = None
    return best


def parse_dob(text: str, today: dt.date) -> Optional[dt.date]:
    """A date of birth (needs a year; past; at most 120 years ago) or None."""
    cands: list[dt.date] = []
    m = _P_ISO.search(text)
    if m:
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            cands.append(d)
    for m in _P_MDY.finditer(text):
        if m.group(3):
            d = _safe_date(_dob_year(m.group(3), today), MONTHS.index(m.group(1)) + 1, int(m.group(2)))
            if d:
                cands.append(d)
    for m in _P_DMY.finditer(text):
        if m.group(3):
            d = _safe_date(_dob_year(m.group(3), today), MONTHS.index(m.group(2)) + 1, int(m.group(1)))
            if d:
                cands.append(d)
    for m in _P_NUM.finditer(text):
        if m.group(3):
            d = _safe_date(_dob_year(m.group(3), today), int(m.group(1)), int(m.group(2)))
            if d:
                cands.append(d)
    if not cands:
        digits = re.sub(r"[\s,./-]", "", text)
        dm = _P_KEYPAD.search(digits) if re.fullmatch(r"[\d\s,./-]+", text.strip() or "x") else None
        if dm is None:
            dm = _P_KEYPAD.search(re.sub(r"(?<=\d)[\s./-]+(?=\d)", "", text))
        if dm:
            d = _safe_date(int(dm.group(3)), int(dm.group(1)), int(dm.group(2)))
            if d:
                cands.append(d)
    for d in cands:
        if d < today and d.year >= today.year - 120:
            return d
    return None


def _dob_year(tok: str, today: dt.date) -> int:
    tok = tok.lstrip("'")
    y = int(tok)
    if len(tok) == 2:
        y += 2000 if 2000 + y <= today.year else 1900
    return y
