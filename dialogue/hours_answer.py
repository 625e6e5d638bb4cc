"""Opening-hours answers generated from the clinic's own hours, lunch breaks and holidays.

"What are your hours?" names the lunch closure and the holidays coming up; a question about one
day ("on Saturday?", "on Christmas?", "on December 24th?"), one time ("at noon?" is about today) or
the closing time ("how late are you open today?") is answered for that day from the same data.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from dialogue.opening_hours import DAYS, next_opening
from dialogue.ports import Clinic
from dialogue.speech_format import DAY_NAMES, join_words, say_clock, say_date, say_hours, say_spans, say_time

UPCOMING_HOLIDAY_DAYS = 45
CLOSING = re.compile(r"\b(how late|until what time|till what time|until when|what time do you close|"
                     r"when do you close|closing time|close today|close tonight)\b", re.I)
TODAY = re.compile(r"\b(today|tonight|right now|now)\b", re.I)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


HOLIDAYS = (   # the name a patient says → that day in a given year
    (re.compile(r"\bchristmas eve\b"), lambda y: date(y, 12, 24)),
    (re.compile(r"\b(christmas|xmas)( day)?\b"), lambda y: date(y, 12, 25)),
    (re.compile(r"\bnew year'?s eve\b"), lambda y: date(y, 12, 31)),
    (re.compile(r"\bnew year'?s( day)?\b"), lambda y: date(y, 1, 1)),
    (re.compile(r"\b(july 4th|4th of july|fourth of july|independence day)\b"), lambda y: date(y, 7, 4)),
    (re.compile(r"\bthanksgiving\b"), lambda y: _nth_weekday(y, 11, 3, 4)),
    (re.compile(r"\blabor day\b"), lambda y: _nth_weekday(y, 9, 0, 1)),
    (re.compile(r"\bmemorial day\b"), lambda y: _last_weekday(y, 5, 0)),
)


def named_holiday(text: str, today: date) -> date | None:
    """The next date of a holiday named in the text ("Christmas" in March is next December's)."""
    t = text.lower()
    for rx, day_of in HOLIDAYS:
        if rx.search(t):
            day = day_of(today.year)
            return day if day >= today else day_of(today.year + 1)
    return None


def _closed_days(clinic: Clinic) -> set[date]:
    days = set()
    for value in (clinic.settings or {}).get("holidays") or ():
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return days


def _gaps(intervals: list[list[str]]) -> list[tuple[str, str]]:
    spans = sorted((a, b) for a, b in intervals)
    return [(spans[i][1], spans[i + 1][0]) for i in range(len(spans) - 1) if spans[i][1] < spans[i + 1][0]]


def _hhmm(value: str) -> str:
    return say_clock(time.fromisoformat(value))


def _day_runs(days: list[str]) -> str:
    """'Monday to Friday', 'Monday, Tuesday, Thursday and Friday' (runs of three or more joined)."""
    runs: list[list[str]] = []
    for day in days:
        if runs and DAYS.index(runs[-1][-1]) == DAYS.index(day) - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    words = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{DAY_NAMES[run[0]]} to {DAY_NAMES[run[-1]]}")
        else:
            words.extend(DAY_NAMES[d] for d in run)
    return join_words(words)


def lunch_sentence(hours: dict) -> str:
    """'We close for lunch from noon to 1 PM on Monday, Tuesday, Thursday and Friday.' ('' if never)."""
    by_gap: dict[tuple[str, str], list[str]] = {}
    open_days = [d for d in DAYS if hours.get(d)]
    for day in open_days:
        for gap in _gaps(hours[day]):
            by_gap.setdefault(gap, []).append(day)
    parts = []
    for (a, b), days in by_gap.items():
        on = "" if len(days) == len(open_days) else f" on {_day_runs(days)}"
        parts.append(f"from {_hhmm(a)} to {_hhmm(b)}{on}")
    return f" We close for lunch {join_words(parts)}." if parts else ""


def _label(day: date, today: date, by_weekday: bool) -> str:
    if by_weekday and day < today + timedelta(days=7):       # "on Saturday?" asked on a Saturday too
        return f"on {DAY_NAMES[DAYS[day.weekday()]]}"
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return f"on {say_date(day)}"


def hours_answer(clinic: Clinic, text: str, *, on: date | None, weekday: int | None, at: time | None,
                 now: datetime) -> str:
    """The answer to an hours question, from `business_hours` and `settings.holidays` only."""
    hours, holidays = clinic.business_hours or {}, _closed_days(clinic)
    today = now.date()
    holiday = named_holiday(text, today)
    day = on or holiday
    by_weekday = day is None and weekday is not None
    if by_weekday:
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
    closing = bool(CLOSING.search(text))
    if day is None and (at is not None or closing or TODAY.search(text)):
        day = today
    if day is None:
        coming = sorted(d for d in holidays if today <= d <= today + timedelta(days=UPCOMING_HOLIDAY_DAYS))
        closed = f" We're also closed on {join_words([say_date(d) for d in coming])}." if coming else ""
        return f"Our hours are {say_hours(hours)}.{lunch_sentence(hours)}{closed}"
    label = _label(day, today, by_weekday)
    intervals = hours.get(DAYS[day.weekday()]) or []
    if day in holidays or not intervals:
        why = " for a holiday" if day in holidays else ""
        start = datetime.combine(day, time(23, 59), tzinfo=now.tzinfo)
        opens = next_opening(hours, clinic.timezone, start, sorted(str(d) for d in holidays))
        again = f" We're open again {_label(opens.date(), today, True)} at {say_time(opens)}." if opens else ""
        if day in holidays:
            return f"No, we're closed {label}{why}.{again}"
        return f"No, we're closed {label}. Our hours are {say_hours(hours)}."
    spans = say_spans(intervals)
    lunch = _gaps(intervals)
    last = max(b for _, b in intervals)
    if closing and day == today and now.strftime("%H:%M") >= last:
        opens = next_opening(hours, clinic.timezone, now, sorted(str(d) for d in holidays))
        again = f" We're open again {_label(opens.date(), today, True)} at {say_time(opens)}." if opens else ""
        return f"We closed at {_hhmm(last)} today.{again}"
    if closing:
        breaks = f", with a lunch break from {_hhmm(lunch[0][0])} to {_hhmm(lunch[0][1])}" if lunch else ""
        return f"{label[0].upper()}{label[1:]} we're open until {_hhmm(last)}{breaks}: {spans}."
    if holiday and at is None:     # a holiday the clinic did not list as a closure: its usual hours
        return f"I don't have that day listed as a holiday closure, so {label} we're open {spans}."
    if at is None:
        over = day == today and now.strftime("%H:%M") >= max(b for _, b in intervals)
        return f"Yes, {label} we're open {spans}." + (" We've closed for today." if over and by_weekday else "")
    hhmm = at.strftime("%H:%M")
    if any(start <= hhmm < end for start, end in intervals):
        return f"Yes, {label} we're open at {say_clock(at)}: {spans}."
    during_lunch = any(a <= hhmm < b for a, b in lunch)
    why = " That's our lunch break." if during_lunch else ""
    return f"No, {label} we're not open at {say_clock(at)}. We're open {spans}.{why}"
