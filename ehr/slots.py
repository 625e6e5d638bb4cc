"""Free-time computation shared by the built-in calendar and adapters without a slot API (DrChrono): pure, no I/O.

Free time for one provider on one clinic-local date is

    (provider's weekly schedule for that weekday) ∩ (clinic business hours for that weekday)
        − live appointments, cut into steps of the provider's appointment duration.

Weekly schedules are wall-clock ("09:00"), so every window is turned into real instants with the
clinic's zone *for that date*: 09:00 in America/Chicago is 15:00Z in winter and 14:00Z in summer.
A window boundary that does not exist (the spring-forward gap) moves forward to the first wall time
that does; an ambiguous one (the repeated fall-back hour) takes its first occurrence. Inside a
window slots are stepped in absolute time, so a window spanning a DST change never yields a
nonexistent start and never a slot that is shorter or longer than the duration.

Internally every instant is an integer of epoch seconds: this module is on the hot path of every
search (p95 target 15 ms for one provider over 14 days) and avoids building datetimes for
candidates that are never returned.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60

# Spreading: at most this many options per clinic-local day in the first pass, and two options of
# one day at least this far apart (so "9:00 and 9:20" becomes "9:00 and 11:00").
SPREAD_PER_DAY = 2
SPREAD_MIN_GAP_S = 2 * 3600
MAX_RESULTS = 2000

Window = tuple[int, int]          # minutes after local midnight, [start, end)
Interval = tuple[int, int]        # epoch seconds, [start, end)


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def parse_week(week: Mapping[str, Any] | None) -> dict[int, list[Window]]:
    """{mon..sun: [["HH:MM","HH:MM"], ...]} → {0..6: sorted, merged [(start_min, end_min)]}.

    Unknown days, malformed pairs and empty intervals are ignored (the clinic file validator
    rejects them on import; this keeps a hand-edited row from breaking every search)."""
    out: dict[int, list[Window]] = {}
    if not isinstance(week, Mapping):
        return out
    for key, pairs in week.items():
        day = str(key).lower()[:3]
        if day not in DAYS or not isinstance(pairs, list):
            continue
        windows: list[Window] = []
        for pair in pairs:
            try:
                a, b = _minutes(pair[0]), _minutes(pair[1])
            except (TypeError, ValueError, IndexError, AttributeError):
                continue
            if 0 <= a < b <= MINUTES_PER_DAY:
                windows.append((a, b))
        out[DAYS.index(day)] = _merge(windows)
    return out


def _merge(windows: list[Window]) -> list[Window]:
    windows = sorted(windows)
    merged: list[Window] = []
    for a, b in windows:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def intersect(a: Sequence[Window], b: Sequence[Window]) -> list[Window]:
    """Intersection of two sorted, non-overlapping window lists."""
    out: list[Window] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


class WallClock:
    """Clinic-local wall time → epoch seconds, with the zone's rules for each date (cached)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._cache: dict[tuple[date, int], int] = {}

    def instant(self, day: date, minute: int) -> int:
        key = (day, minute)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if minute >= MINUTES_PER_DAY:
            value = self.instant(day + timedelta(days=minute // MINUTES_PER_DAY), minute % MINUTES_PER_DAY)
        else:
            naive = datetime.combine(day, time()) + timedelta(minutes=minute)
            value = None
            for _ in range(24 * 60):   # a gap is at most a few hours; bounded anyway
                aware = naive.replace(tzinfo=self.zone)               # fold=0: first occurrence
                utc = aware.astimezone(timezone.utc)
                if utc.astimezone(self.zone).replace(tzinfo=None) == naive:   # exists
                    value = int(utc.timestamp())
                    break
                naive += timedelta(minutes=1)                         # in the gap: move forward
            if value is None:  # pragma: no cover - no real zone has a day-long gap
                value = int(aware.astimezone(timezone.utc).timestamp())
        self._cache[key] = value
        return value

    def local_date(self, epoch: int) -> date:
        return datetime.fromtimestamp(epoch, self.zone).date()


@dataclass
class ProviderPlan:
    """What the computation needs to know about one provider."""
    id: str
    name: str
    duration_min: int
    schedule: dict[int, list[Window]]
    busy: list[Interval] = field(default_factory=list)   # sorted by start

    def __post_init__(self) -> None:
        self.busy.sort()
        self._busy_starts = [s for s, _ in self.busy]
        # The longest appointment bounds how far back an overlapping one can start.
        self._max_busy = max((e - s for s, e in self.busy), default=0)

    def free(self, start: int, end: int) -> list[Interval]:
        """[start, end) minus this provider's busy intervals."""
        out: list[Interval] = []
        cursor = start
        i = bisect.bisect_left(self._busy_starts, start - self._max_busy)
        busy = self.busy
        while i < len(busy) and busy[i][0] < end:
            bs, be = busy[i]
            if be > cursor:
                if bs > cursor:
                    out.append((cursor, min(bs, end)))
                cursor = max(cursor, be)
                if cursor >= end:
                    break
            i += 1
        if cursor < end:
            out.append((cursor, end))
        return out


@dataclass(frozen=True)
class SlotRequest:
    """A search, already resolved to clinic-local dates and epoch-second bounds."""
    dates: Sequence[date]
    floor: int                              # no slot starts before this (now + lead, not_before)
    ceiling: int | None = None              # no slot ends after this (not_after)
    start_window: Window | None = None      # local minutes a start may fall in: part of day ∩ earliest/latest
    weekdays: frozenset[int] = frozenset()
    exclude: frozenset[tuple[str, int]] = frozenset()   # (provider_id, start) pairs not to offer again
    exclude_any: frozenset[int] = frozenset()           # starts not to offer for any provider
    limit: int = 6
    spread: bool = True


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    provider: ProviderPlan

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (self.start, self.provider.name, self.provider.id)


def day_candidates(day: date, providers: Iterable[ProviderPlan], hours: dict[int, list[Window]],
                   clock: WallClock, req: SlotRequest) -> list[Candidate]:
    """Every bookable start of one clinic-local date, across providers, soonest first."""
    weekday = day.weekday()
    open_windows = hours.get(weekday)
    if not open_windows:
        return []
    lo = hi = None
    if req.start_window is not None:
        lo = clock.instant(day, req.start_window[0])
        hi = clock.instant(day, req.start_window[1])
    out: list[Candidate] = []
    for plan in providers:
        windows = intersect(plan.schedule.get(weekday, ()), open_windows)
        if not windows:
            continue
        step = plan.duration_min * 60
        for wa, wb in windows:
            w_start, w_end = clock.instant(day, wa), clock.instant(day, wb)
            if w_end <= req.floor or (req.ceiling is not None and w_start >= req.ceiling):
                continue
            for fs, fe in plan.free(w_start, w_end):
                first = fs
                bound = max(req.floor, lo) if lo is not None else req.floor
                if first < bound:   # stay on this free interval's grid
                    first = fs + -(-(bound - fs) // step) * step
                last_end = fe if req.ceiling is None else min(fe, req.ceiling)
                t = first
                while t + step <= last_end:
                    if hi is not None and t >= hi:
                        break
                    if (plan.id, t) not in req.exclude and t not in req.exclude_any:
                        out.append(Candidate(t, t + step, plan))
                    t += step
    out.sort(key=lambda c: c.sort_key)
    return out


def compute(providers: Sequence[ProviderPlan], hours: dict[int, list[Window]], clock: WallClock,
            req: SlotRequest) -> list[Candidate]:
    """Soonest first; with `spread`, at most SPREAD_PER_DAY per day (2 h apart) before filling up."""
    limit = req.limit if req.limit and req.limit > 0 else MAX_RESULTS
    limit = min(limit, MAX_RESULTS)
    picked: list[Candidate] = []
    leftovers: list[Candidate] = []
    for day in req.dates:
        if req.weekdays and day.weekday() not in req.weekdays:
            continue
        candidates = day_candidates(day, providers, hours, clock, req)
        if not candidates:
            continue
        if not req.spread:
            picked.extend(candidates[: limit - len(picked)])
            if len(picked) >= limit:
                break
            continue
        today: list[Candidate] = []
        for c in candidates:
            if len(today) < SPREAD_PER_DAY and (not today or c.start >= today[-1].start + SPREAD_MIN_GAP_S):
                today.append(c)
            else:
                leftovers.append(c)
        picked.extend(today)
        if len(picked) >= limit:
            break
    if req.spread and len(picked) < limit and leftovers:
        # Too few days with free time to spread over: offer more of the same days.
        leftovers.sort(key=lambda c: c.sort_key)
        picked.extend(leftovers[: limit - len(picked)])
    picked.sort(key=lambda c: c.sort_key)
    return picked[:limit]


def fits_schedule(start: int, end: int, schedule: dict[int, list[Window]], hours: dict[int, list[Window]],
                  clock: WallClock) -> bool:
    """Is [start, end) inside one window of (schedule ∩ business hours) on its local date?"""
    day = clock.local_date(start)
    weekday = day.weekday()
    for wa, wb in intersect(schedule.get(weekday, ()), hours.get(weekday, ())):
        if clock.instant(day, wa) <= start and end <= clock.instant(day, wb):
            return True
    return False


def to_datetime(epoch: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(epoch, zone)
