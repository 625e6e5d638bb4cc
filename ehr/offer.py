"""Which free slots to offer: `SlotCriteria` applied to slots an external calendar already knows.

Adapters that compute free time themselves use `ehr.slot_search` + `ehr.slots`. FHIR adapters get
free time from the EHR instead (its Slots), so they need the same reading of the criteria — clinic-local date range, part of day, earliest/latest start, weekdays, instants,
exclusions, lead time — and the same spreading over days. Pure functions, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from ehr import slots as S
from ehr.slot_search import DEFAULT_RANGE_DAYS, start_window
from ehr.errors import NotAllowed
from ehr.types import MAX_RANGE_DAYS, SlotCriteria, TimeSlot


@dataclass(frozen=True)
class Window:
    """A search resolved against the clinic's zone and the adapter's clock."""
    dates: tuple[date, ...]          # clinic-local dates, ascending
    start: datetime                  # aware: no slot starts before this (now + lead, not_before)
    end: datetime                    # aware: no slot ends after this (end of the last date, not_after)


def resolve(criteria: SlotCriteria, zone: ZoneInfo, now: datetime, lead: timedelta) -> Window | None:
    """The dates and instants a search covers, or None when it covers nothing."""
    today = now.astimezone(zone).date()
    date_from = criteria.date_from or today
    date_to = criteria.date_to or date_from + timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if date_to < date_from:
        return None
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        date_to = date_from + timedelta(days=MAX_RANGE_DAYS - 1)
    floor = now + max(lead, timedelta(0))
    if criteria.not_before is not None:
        floor = max(floor, _aware(criteria.not_before, "not_before"))
    floor = max(floor, datetime.combine(date_from, datetime.min.time(), zone))
    ceiling = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), zone)
    if criteria.not_after is not None:
        ceiling = min(ceiling, _aware(criteria.not_after, "not_after"))
    if ceiling <= floor:
        return None
    first = floor.astimezone(zone).date()
    dates = tuple(first + timedelta(days=i) for i in range((date_to - first).days + 1))
    return Window(dates=dates, start=floor, end=ceiling)


def pick(free: Iterable[TimeSlot], criteria: SlotCriteria, zone: ZoneInfo, window: Window) -> list[TimeSlot]:
    """The slots to offer from `free` (any order), soonest first, spread over days like the built-in
    calendar: at most `S.SPREAD_PER_DAY` a day, two hours apart, before filling up."""
    minutes = start_window(criteria)
    weekdays = set(criteria.weekdays)
    excluded = {int(x.timestamp()) for x in criteria.exclude_starts if x.tzinfo is not None}
    days = set(window.dates)
    kept: list[TimeSlot] = []
    for slot in free:
        local = slot.start.astimezone(zone)
        if slot.start < window.start or slot.end > window.end or local.date() not in days:
            continue
        if weekdays and local.weekday() not in weekdays:
            continue
        if minutes is not None and not (minutes[0] <= local.hour * 60 + local.minute < minutes[1]):
            continue
        if int(slot.start.timestamp()) in excluded:
            continue
        kept.append(TimeSlot(slot.provider_id, slot.provider_name, local, slot.end.astimezone(zone)))
    kept.sort(key=lambda s: (s.start, s.provider_name, s.provider_id))
    limit = criteria.limit if criteria.limit and criteria.limit > 0 else S.MAX_RESULTS
    limit = min(limit, S.MAX_RESULTS)
    if not criteria.spread_days:
        return kept[:limit]
    picked: list[TimeSlot] = []
    leftovers: list[TimeSlot] = []
    per_day: dict[date, list[TimeSlot]] = {}
    for slot in kept:
        today = per_day.setdefault(slot.start.date(), [])
        gap_ok = not today or (slot.start - today[-1].start).total_seconds() >= S.SPREAD_MIN_GAP_S
        if len(picked) < limit and len(today) < S.SPREAD_PER_DAY and gap_ok:
            today.append(slot)
            picked.append(slot)
        else:
            leftovers.append(slot)
    if len(picked) < limit:
        picked.extend(leftovers[: limit - len(picked)])
    picked.sort(key=lambda s: (s.start, s.provider_name, s.provider_id))
    return picked[:limit]


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise NotAllowed(f"{what} must be a date-time with a UTC offset")
    return value.astimezone(timezone.utc)
