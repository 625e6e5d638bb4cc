"""When the front desk is there: open now, and when it opens next, in the clinic's time zone.

Shared by the engine (a request for a person after hours becomes a message with a promise of when
someone will call back) and the voice channel (what a caller hears before the message tone).
Hours are intervals per weekday, so a lunch break is the gap between two of them; `holidays` are
clinic-local dates (ISO `YYYY-MM-DD`, the clinic file's `settings.holidays`) when nobody is in.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from dialogue.speech_format import DAY_NAMES, say_time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOKAHEAD_DAYS = 31          # long enough to cross a holiday season


def _intervals(hours: dict | None, day: str) -> list[tuple[str, str]]:
    return [(start, end) for start, end in ((hours or {}).get(day) or [])]


def _closed_days(holidays: Iterable[str] | None) -> set[date]:
    days = set()
    for value in holidays or ():
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return days


def is_open(business_hours: dict | None, timezone: str, now: datetime,
            holidays: Iterable[str] | None = None) -> bool:
    local = now.astimezone(ZoneInfo(timezone))
    if local.date() in _closed_days(holidays):
        return False
    hhmm = local.strftime("%H:%M")
    return any(start <= hhmm < end for start, end in _intervals(business_hours, DAYS[local.weekday()]))


def next_opening(business_hours: dict | None, timezone: str, now: datetime,
                 holidays: Iterable[str] | None = None) -> datetime | None:
    """The next moment the clinic opens after `now` (clinic-local), skipping holidays; None if never."""
    local = now.astimezone(ZoneInfo(timezone))
    closed = _closed_days(holidays)
    for ahead in range(LOOKAHEAD_DAYS + 1):
        day = local.date() + timedelta(days=ahead)
        if day in closed:
            continue
        for start, _ in sorted(_intervals(business_hours, DAYS[day.weekday()])):
            opens = datetime.combine(day, time.fromisoformat(start), tzinfo=local.tzinfo)
            if opens > local:
                return opens
    return None


def callback_promise(business_hours: dict | None, timezone: str, now: datetime,
                     holidays: Iterable[str] | None = None) -> str:
    """'Our front desk will call you back after we open tomorrow at 8 AM.'"""
    opens = next_opening(business_hours, timezone, now, holidays)
    if opens is None:
        return "Our front desk will call you back as soon as they can."
    local = now.astimezone(ZoneInfo(timezone)).date()
    if opens.date() == local:
        when = f"today at {say_time(opens)}"
    elif opens.date() == local + timedelta(days=1):
        when = f"tomorrow at {say_time(opens)}"
    elif opens.date() < local + timedelta(days=7):
        when = f"on {DAY_NAMES[DAYS[opens.weekday()]]} at {say_time(opens)}"
    else:
        when = f"on {DAY_NAMES[DAYS[opens.weekday()]]}, {opens.strftime('%B')} {opens.day}, at {say_time(opens)}"
    return f"Our front desk will call you back after we open {when}."
