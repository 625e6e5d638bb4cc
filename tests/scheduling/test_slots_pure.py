"""The pure free-time computation: wall clock → instants across DST, subtraction, spreading."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from ehr import slots as S

CHICAGO = ZoneInfo("America/Chicago")


def ts(*args: int) -> int:
    return int(datetime(*args, tzinfo=timezone.utc).timestamp())


def test_wall_clock_follows_the_zone_for_each_date():
    clock = S.WallClock(CHICAGO)
    assert clock.instant(date(2027, 3, 13), 9 * 60) == ts(2027, 3, 13, 15)   # CST
    assert clock.instant(date(2027, 3, 15), 9 * 60) == ts(2027, 3, 15, 14)   # CDT
    # 02:30 does not exist on 2027-03-14: the boundary moves to 03:00 CDT.
    assert clock.instant(date(2027, 3, 14), 2 * 60 + 30) == ts(2027, 3, 14, 8)
    # 01:30 happens twice on 2027-11-07: the first occurrence (CDT) is used.
    assert clock.instant(date(2027, 11, 7), 90) == ts(2027, 11, 7, 6, 30)
    assert clock.instant(date(2027, 11, 6), 24 * 60) == clock.instant(date(2027, 11, 7), 0)


def _plan(duration=60, busy=()):
    return S.ProviderPlan("p1", "Dr. P", duration, S.parse_week({"sun": [["00:00", "04:00"]],
                                                                  "mon": [["09:00", "12:00"]]}), list(busy))


def test_window_across_spring_forward_has_no_nonexistent_start():
    clock = S.WallClock(CHICAGO)
    hours = S.parse_week({"sun": [["00:00", "04:00"]]})
    req = S.SlotRequest(dates=[date(2027, 3, 14)], floor=0, limit=0, spread=False)
    got = S.compute([_plan()], hours, clock, req)
    local = [datetime.fromtimestamp(c.start, CHICAGO).strftime("%H:%M%z") for c in got]
    assert local == ["00:00-0600", "01:00-0600", "03:00-0500"]          # three real hours
    assert all(c.end - c.start == 3600 for c in got)


def test_window_across_fall_back_offers_real_hours_once_each():
    clock = S.WallClock(CHICAGO)
    hours = S.parse_week({"sun": [["00:00", "04:00"]]})
    req = S.SlotRequest(dates=[date(2027, 11, 7)], floor=0, limit=0, spread=False)
    got = S.compute([_plan()], hours, clock, req)
    starts = [c.start for c in got]
    assert len(set(starts)) == len(starts)
    # 00:00 CDT to 04:00 CST is five real hours; the repeated 01:00 is two distinct instants (offsets differ).
    assert [datetime.fromtimestamp(s, CHICAGO).strftime("%H:%M%z") for s in starts] == \
        ["00:00-0500", "01:00-0500", "01:00-0600", "02:00-0600", "03:00-0600"]


def test_busy_intervals_are_subtracted_and_the_grid_restarts_after_them():
    clock = S.WallClock(CHICAGO)
    hours = S.parse_week({"mon": [["09:00", "12:00"]]})
    day = date(2027, 3, 15)
    nine = clock.instant(day, 9 * 60)
    plan = _plan(30, busy=[(nine + 600, nine + 2400)])           # 09:10-09:40, off the grid
    req = S.SlotRequest(dates=[day], floor=0, limit=0, spread=False)
    got = [datetime.fromtimestamp(c.start, CHICAGO).strftime("%H:%M") for c in S.compute([plan], hours, clock, req)]
    assert got == ["09:40", "10:10", "10:40", "11:10"]


def test_intersection_and_merge():
    assert S.intersect([(0, 100), (200, 300)], [(50, 250)]) == [(50, 100), (200, 250)]
    assert S.parse_week({"mon": [["09:00", "10:00"], ["09:30", "11:00"]], "xyz": [], "tue": "bad"}) == \
        {0: [(540, 660)]}


def test_spread_takes_two_per_day_two_hours_apart_then_fills():
    clock = S.WallClock(CHICAGO)
    hours = S.parse_week({"mon": [["09:00", "12:00"]]})
    plan = _plan(30)
    days = [date(2027, 3, 15), date(2027, 3, 22), date(2027, 3, 29)]
    got = S.compute([plan], hours, clock, S.SlotRequest(dates=days, floor=0, limit=6, spread=True))
    local = [datetime.fromtimestamp(c.start, CHICAGO).strftime("%m-%d %H:%M") for c in got]
    assert local == ["03-15 09:00", "03-15 11:00", "03-22 09:00", "03-22 11:00", "03-29 09:00", "03-29 11:00"]
    # Only one day to offer: the spread pass finds two, the rest are filled in order.
    got = S.compute([plan], hours, clock, S.SlotRequest(dates=days[:1], floor=0, limit=4, spread=True))
    assert [datetime.fromtimestamp(c.start, CHICAGO).strftime("%H:%M") for c in got] == \
        ["09:00", "09:30", "10:00", "11:00"]


async def test_a_deadlocked_booking_is_retried_then_reported_busy():
    import psycopg
    import pytest

    from ehr.builtin.bookings import _retry_deadlocks
    from ehr.errors import Unavailable

    calls = {"n": 0}

    async def deadlocks_once():
        calls["n"] += 1
        if calls["n"] == 1:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return "booked"

    assert await _retry_deadlocks(deadlocks_once) == "booked" and calls["n"] == 2

    async def always():
        raise psycopg.errors.DeadlockDetected("deadlock detected")

    with pytest.raises(Unavailable):
        await _retry_deadlocks(always)
