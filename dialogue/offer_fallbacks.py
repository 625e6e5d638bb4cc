"""Nearest matches when the day asked for cannot give what was asked: each keeps every constraint
but the one named in the reply.

- a clock time taken that day: the same time on later days (the same weekday when the patient named
  one: "Friday at 10" → next Friday at 10), beside the times nearest it that day;
- a named weekday with nothing left ("Saturday" asked on a Saturday afternoon): the next such days;
- a weekday the clinic is closed: said so, then the nearest days.
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from dialogue.speech_format import DAY_NAMES, say_clock, say_date
from ehr.types import SlotCriteria, TimeSlot

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKS_AHEAD = 6

Find = Callable[[SlotCriteria], Awaitable[list[TimeSlot]]]


def closed_on(business_hours: dict | None, day: date) -> str | None:
    """"Saturdays" when the clinic has no hours on that weekday (and has hours at all), else None."""
    hours = business_hours or {}
    if not hours or hours.get(WEEKDAY_KEYS[day.weekday()]):
        return None
    return f"{DAY_NAMES[WEEKDAY_KEYS[day.weekday()]]}s"


async def same_weekday_later(find: Find, crit: SlotCriteria, day: date, limit: int) -> list[TimeSlot]:
    """The asked weekday in the next weeks, with every other constraint kept."""
    wide = dataclasses.replace(crit, date_from=day + timedelta(days=1), date_to=day + timedelta(weeks=WEEKS_AHEAD),
                               weekdays=(day.weekday(),), limit=limit, spread_days=True)
    return await find(wide)


async def same_time_later(find: Find, crit: SlotCriteria, day: date, at: time, tz: ZoneInfo,
                          keep_weekday: bool, limit: int) -> list[TimeSlot]:
    """That clock time exactly, on the following days (the same weekday when one was named)."""
    weekdays = (day.weekday(),) if keep_weekday else crit.weekdays
    wide = dataclasses.replace(crit, date_from=day + timedelta(days=1), date_to=day + timedelta(weeks=WEEKS_AHEAD),
                               weekdays=weekdays, part_of_day=None, earliest_time=at, latest_time=at,
                               limit=60, spread_days=False)
    found = [s for s in await find(wide) if s.start.astimezone(tz).time().replace(second=0) == at]
    return found[:limit]


def is_at(slot: TimeSlot, at: time, tz: ZoneInfo) -> bool:
    local = slot.start.astimezone(tz)
    return (local.hour, local.minute) == (at.hour, at.minute)


def time_taken_lead(at: time, day: date) -> str:
    return f"I don't have {say_clock(at)} on {say_date(datetime.combine(day, at))}{{who}}, but I have"


def weekday_lead(day: date) -> str:
    return f"Nothing is open that day. The next {DAY_NAMES[WEEKDAY_KEYS[day.weekday()]]} openings{{who}} are"


def closed_lead(days: str) -> str:
    return f"We're closed on {days}. The nearest openings{{who}} are"
