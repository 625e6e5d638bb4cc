"""ehr/offer.py picks, from free slots a vendor lists, exactly what the built-in arithmetic would offer
from the same free time: same criteria reading, same spreading over days (property-tested)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from ehr import offer, slots as S
from ehr.slot_search import plan
from ehr.types import ClinicRef, SlotCriteria, TimeSlot

ZONE = ZoneInfo("America/Chicago")
CLINIC = ClinicRef("c1", "America/Chicago")
WEEK = {d: [["09:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=ZONE)
LEAD = timedelta(hours=1)


def all_free(busy: list[tuple[int, int]], duration: int, days: list[date]) -> list[TimeSlot]:
    """Every free slot (no spreading) — what a vendor's Slot search would list."""
    plans = [S.ProviderPlan("p1", "Dr. A", duration, S.parse_week(WEEK), list(busy))]
    req = S.SlotRequest(dates=days, floor=int(NOW.timestamp()), limit=S.MAX_RESULTS, spread=False)
    return [TimeSlot("p1", "Dr. A", S.to_datetime(c.start, ZONE), S.to_datetime(c.end, ZONE))
            for c in S.compute(plans, S.parse_week(WEEK), S.WallClock(ZONE), req)]


@settings(max_examples=60, deadline=None)
@given(busy_starts=st.lists(st.integers(0, 9 * 24 * 4), max_size=25), duration=st.sampled_from([20, 30]),
       limit=st.integers(1, 12), spread=st.booleans(),
       part=st.sampled_from([None, "morning", "afternoon"]), weekdays=st.sampled_from([(), (1, 3), (4,)]))
def test_pick_equals_the_builtin_arithmetic(busy_starts, duration, limit, spread, part, weekdays):
    base = datetime.combine(NOW.date(), time(0), ZONE)
    busy = sorted({(int((base + timedelta(minutes=15 * q)).timestamp()),
                    int((base + timedelta(minutes=15 * q + 25)).timestamp())) for q in busy_starts})
    criteria = SlotCriteria(clinic=CLINIC, date_from=date(2026, 12, 1), date_to=date(2026, 12, 9), limit=limit,
                            spread_days=spread, part_of_day=part, weekdays=weekdays)
    search = plan(criteria, NOW.astimezone(timezone.utc), ZONE, LEAD)
    expected = [(S.to_datetime(c.start, ZONE), S.to_datetime(c.end, ZONE)) for c in S.compute(
        [S.ProviderPlan("p1", "Dr. A", duration, S.parse_week(WEEK), list(busy))], S.parse_week(WEEK),
        S.WallClock(ZONE), search.request)]
    window = offer.resolve(criteria, ZONE, NOW.astimezone(timezone.utc), LEAD)
    free = all_free(busy, duration, [date(2026, 12, 1) + timedelta(days=i) for i in range(9)])
    got = [(s.start, s.end) for s in offer.pick(reversed(free), criteria, ZONE, window)]
    assert got == expected


def test_a_range_that_is_over_or_inverted_covers_nothing():
    assert offer.resolve(SlotCriteria(clinic=CLINIC, date_from=date(2026, 11, 1), date_to=date(2026, 11, 2)),
                         ZONE, NOW, LEAD) is None
    assert offer.resolve(SlotCriteria(clinic=CLINIC, date_from=date(2026, 12, 5), date_to=date(2026, 12, 4)),
                         ZONE, NOW, LEAD) is None
