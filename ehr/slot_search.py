"""Turning `SlotCriteria` into the pure computation of ehr/slots.py, for every adapter that computes
free time itself (the built-in calendar; DrChrono, which has no slot API): the clinic-local dates,
the floor (now + lead time), the start window of a part of day / earliest / latest time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ehr import slots as S
from ehr.errors import NotAllowed
from ehr.types import MAX_RANGE_DAYS, PART_OF_DAY_BOUNDS, SlotCriteria

DEFAULT_RANGE_DAYS = 14


def start_window(criteria: SlotCriteria) -> S.Window | None:
    """Local minutes a start may fall in: part of day ∩ [earliest_time, latest_time]; None: any."""
    lo, hi = 0, S.MINUTES_PER_DAY
    if criteria.part_of_day:
        if criteria.part_of_day not in PART_OF_DAY_BOUNDS:
            raise NotAllowed(f"unknown part of day: {criteria.part_of_day!r}")
        a, b = PART_OF_DAY_BOUNDS[criteria.part_of_day]
        lo = a.hour * 60 + a.minute
        hi = S.MINUTES_PER_DAY if criteria.part_of_day == "evening" else b.hour * 60 + b.minute
    if criteria.earliest_time is not None:
        lo = max(lo, criteria.earliest_time.hour * 60 + criteria.earliest_time.minute
                 + (1 if criteria.earliest_time.second or criteria.earliest_time.microsecond else 0))
    if criteria.latest_time is not None:   # the latest acceptable start, inclusive
        hi = min(hi, criteria.latest_time.hour * 60 + criteria.latest_time.minute + 1)
    if (lo, hi) == (0, S.MINUTES_PER_DAY):
        return None
    return (lo, max(lo, hi))


@dataclass(frozen=True)
class SearchPlan:
    """A search resolved for one clinic zone: the dates to look at, the instants bounding busy-time
    lookups, and the request for `slots.compute`."""
    dates: list[date]
    range_start: datetime
    range_end: datetime
    request: S.SlotRequest


def plan(criteria: SlotCriteria, now: datetime, zone: ZoneInfo, lead: timedelta) -> SearchPlan | None:
    """None when nothing can match (an empty or past range)."""
    date_from = criteria.date_from or now.astimezone(zone).date()
    date_to = criteria.date_to or date_from + timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if date_to < date_from:
        return None
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        date_to = date_from + timedelta(days=MAX_RANGE_DAYS - 1)
    floor = max(now + lead, now)
    if criteria.not_before is not None:
        floor = max(floor, criteria.not_before)
    range_start = max(datetime.combine(date_from, datetime.min.time(), zone), now)
    range_end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), zone)
    if criteria.not_after is not None:
        range_end = min(range_end, criteria.not_after)
    if range_end <= range_start:
        return None
    floor_day = floor.astimezone(zone).date()
    dates = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    dates = [d for d in dates if d >= floor_day]
    request = S.SlotRequest(
        dates=dates, floor=int(-(-floor.timestamp() // 1)),
        ceiling=int(criteria.not_after.timestamp()) if criteria.not_after is not None else None,
        start_window=start_window(criteria), weekdays=frozenset(criteria.weekdays),
        exclude_any=frozenset(int(x.timestamp()) for x in criteria.exclude_starts if x.tzinfo is not None),
        limit=criteria.limit, spread=criteria.spread_days)
    return SearchPlan(dates, range_start, range_end, request)
