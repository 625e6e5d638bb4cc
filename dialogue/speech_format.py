"""Dates, times and lists written the way a receptionist would say them on the phone."""
from __future__ import annotations

from datetime import date, datetime, time

DAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
             "sat": "Saturday", "sun": "Sunday"}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def say_time(t: time | datetime) -> str:
    hour = t.hour % 12 or 12
    suffix = "AM" if t.hour < 12 else "PM"
    return f"{hour}:{t.minute:02d} {suffix}" if t.minute else f"{hour} {suffix}"


def say_date(d: date | datetime) -> str:
    return f"{d.strftime('%A')}, {d.strftime('%B')} {ordinal(d.day)}"


def say_when(dt: datetime) -> str:
    """'Tuesday, December 1st at 9:20 AM' (dt already in the clinic's zone)."""
    return f"{say_date(dt)} at {say_time(dt)}"


def join_words(items: list[str], conj: str = "and") -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def say_hours(business_hours: dict[str, list[list[str]]]) -> str:
    """Group days with the same hours: 'Monday to Friday 8 AM to 5 PM, Saturday 9 AM to noon'."""
    order = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    groups: list[tuple[list[str], str]] = []
    for day in order:
        intervals = business_hours.get(day) or []
        if not intervals:
            continue
        text = say_spans(intervals)
        if groups and groups[-1][1] == text and order.index(groups[-1][0][-1]) == order.index(day) - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], text))
    if not groups:
        return "We don't have regular opening hours on file."
    parts = []
    for days, text in groups:
        label = DAY_NAMES[days[0]] if len(days) == 1 else \
            f"{DAY_NAMES[days[0]]} {'and' if len(days) == 2 else 'to'} {DAY_NAMES[days[-1]]}"
        parts.append(f"{label}, {text}")
    return "; ".join(parts)


def _merge(intervals: list[list[str]]) -> list[tuple[str, str]]:
    """Touching or overlapping intervals as one; a lunch closure stays a gap the caller hears."""
    merged: list[tuple[str, str]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def say_spans(intervals: list[list[str]]) -> str:
    """'8 AM to noon and 1 PM to 5 PM'."""
    return join_words([f"{_hhmm(a)} to {_hhmm(b)}" for a, b in _merge(intervals)])


def say_clock(t: time) -> str:
    return "noon" if t == time(12, 0) else say_time(t)


def _hhmm(value: str) -> str:
    t = time.fromisoformat(value)
    if t == time(12, 0):
        return "noon"
    return say_time(t)
