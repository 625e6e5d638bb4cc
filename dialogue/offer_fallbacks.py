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


def holidays_of(settings: dict | None) -> frozenset[date]:
    days = set()
    for value in (settings or {}).get("holidays") or ():
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return frozenset(days)


def skipping_holidays(find: Find, holidays: frozenset[date], tz: ZoneInfo) -> Find:
    """The calendar's search without the clinic's holidays (`settings.holidays`: nobody is in, and
    the calendar does not know them); asks for more when some were dropped, so the offers stay full."""
    if not holidays:
        return find

    async def search(crit: SlotCriteria) -> list[TimeSlot]:
        found = await find(crit)
        kept = [s for s in found if s.start.astimezone(tz).date() not in holidays]
        if len(kept) < len(found):
            more = await find(dataclasses.replace(crit, limit=crit.limit + 4 * len(holidays)))
            kept = [s for s in more if s.start.astimezone(tz).date() not in holidays][:crit.limit]
        return kept
    return search


def closed_on(business_hours: dict | None, day: date, holidays: frozenset[date] = frozenset()) -> str | None:
    """"Saturdays" when the clinic has no hours on that weekday (and has hours at all), "Friday,
    December 25th for a holiday" on a holiday, else None."""
    if day in holidays:
        return f"{say_date(day)} for a holiday"
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
