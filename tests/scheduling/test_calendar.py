"""The built-in calendar on real PostgreSQL: free time, time zones, booking, audit (patients: test_patients.py)."""
from __future__ import annotations

import asyncio
import uuid
import os
import time as _time
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ehr.builtin import BuiltinCalendar
from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken
from ehr.types import ClinicRef, SlotCriteria, TimeSlot
from storage.audit import verify_chain
from tests.scheduling.conftest import new_patient, provider, provider_ids, utc, week

CHICAGO = ZoneInfo("America/Chicago")


def at(d: date, hh: int, mm: int = 0, zone=CHICAGO) -> datetime:
    return datetime.combine(d, time(hh, mm), zone)


async def audit_count(pool, clinic_id: str, action: str) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM audit_logs WHERE clinic_id = %s AND action = %s",
                                 (clinic_id, action))
        return (await cur.fetchone())["n"]


async def appointment_row(pool, appointment_id: str) -> dict:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM appointments WHERE id = %s", (appointment_id,))
        return await cur.fetchone()


# ---------------------------------------------------------------------- time zones


@pytest.mark.parametrize("days, expected_utc_hours", [
    # spring forward on Sunday 2027-03-14: 09:00 CST = 15:00Z before, 09:00 CDT = 14:00Z from that day on
    ((date(2027, 3, 13), date(2027, 3, 14), date(2027, 3, 15)), (15, 14, 14)),
    # fall back on Sunday 2027-11-07: 09:00 CDT = 14:00Z before, 09:00 CST = 15:00Z from that day on
    ((date(2027, 11, 6), date(2027, 11, 7), date(2027, 11, 8)), (14, 15, 15)),
])
async def test_nine_local_on_both_sides_of_dst(small_clinic, calendar_at, days, expected_utc_hours):
    clinic = await small_clinic()
    cal = calendar_at(utc(2027, 3, 1, 12))
    slots = await cal.find_slots(SlotCriteria(clinic.ref, date_from=days[0], date_to=days[-1], limit=0,
                                              spread_days=False))
    by_day: dict[date, list[TimeSlot]] = {}
    for s in slots:
        by_day.setdefault(s.start.date(), []).append(s)
    assert sorted(by_day) == list(days)
    for d, hour in zip(days, expected_utc_hours):
        first = by_day[d][0]
        assert first.start.astimezone(timezone.utc) == utc(d.year, d.month, d.day, hour)
        assert first.start.strftime("%H:%M") == "09:00" and first.start.tzinfo is not None
        assert [s.start.strftime("%H:%M") for s in by_day[d]] == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert by_day[days[0]][0].to_json()["start"].endswith(("-06:00", "-05:00"))


@pytest.fixture
def server_in_utc():
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    _time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    _time.tzset()


async def test_tuesday_is_the_clinics_tuesday_near_midnight_utc(small_clinic, calendar_at, server_in_utc):
    clinic = await small_clinic()
    # 02:00Z on Wednesday 2027-03-10 is still Tuesday 20:00 in Chicago: this Tuesday is over.
    cal = calendar_at(utc(2027, 3, 10, 2))
    slots = await cal.find_slots(SlotCriteria(clinic.ref, weekdays=(1,), limit=3, spread_days=False))
    assert slots and all(s.start.weekday() == 1 for s in slots)
    assert slots[0].start == at(date(2027, 3, 16), 9)
    # 04:00Z on Tuesday 2027-03-09 is Monday 22:00 in Chicago: "Tuesday" is tomorrow, 09:00 CST = 15:00Z.
    cal = calendar_at(utc(2027, 3, 9, 4))
    slots = await cal.find_slots(SlotCriteria(clinic.ref, weekdays=(1,), limit=2, spread_days=False))
    assert slots[0].start.astimezone(timezone.utc) == utc(2027, 3, 9, 15)
    assert all(s.start.date() == date(2027, 3, 9) for s in slots)
    # The default range starts on the clinic's today (Monday 3/8), not the server's (Tuesday).
    slots = await cal.find_slots(SlotCriteria(clinic.ref, limit=1, spread_days=False))
    assert slots[0].start == at(date(2027, 3, 9), 9)


async def test_lead_time_and_past_slots(small_clinic, calendar_at):
    clinic = await small_clinic()
    day = date(2027, 3, 9)
    cal = calendar_at(at(day, 9, 5))          # default lead 1 hour → 10:05 → next on the grid is 10:30
    slots = await cal.find_slots(SlotCriteria(clinic.ref, date_from=day - timedelta(days=3), date_to=day,
                                              limit=0, spread_days=False))
    assert [s.start.strftime("%H:%M") for s in slots] == ["10:30", "11:00", "11:30"]
    assert all(s.start.date() == day for s in slots)     # earlier days are past: nothing offered
    cal = calendar_at(at(day, 9, 5), lead_time=timedelta(0))
    slots = await cal.find_slots(SlotCriteria(clinic.ref, date_from=day, date_to=day, limit=0, spread_days=False))
    assert slots[0].start.strftime("%H:%M") == "09:30"   # no lead: still never in the past
    # A clinic setting overrides the adapter's default.
    slow = await small_clinic(settings={"booking_lead_minutes": 120})
    cal = calendar_at(at(day, 9, 5))
    slots = await cal.find_slots(SlotCriteria(slow.ref, date_from=day, date_to=day, limit=0, spread_days=False))
    assert [s.start.strftime("%H:%M") for s in slots] == ["11:30"]


async def test_part_of_day_earliest_and_latest(small_clinic, calendar_at):
    clinic = await small_clinic(hours=week(("08:00", "20:00")),
                                providers=[provider("Long", duration=60, schedule=week(("08:00", "20:00")))])
    day = date(2027, 3, 9)
    cal = calendar_at(utc(2027, 3, 1))

    async def hours(**kw):
        slots = await cal.find_slots(SlotCriteria(clinic.ref, date_from=day, date_to=day, limit=0,
                                                  spread_days=False, **kw))
        return [s.start.hour for s in slots]

    assert await hours(part_of_day="morning") == [8, 9, 10, 11]
    assert await hours(part_of_day="afternoon") == [12, 13, 14, 15, 16]
    assert await hours(part_of_day="evening") == [17, 18, 19]
    assert await hours(earliest_time=time(15, 0)) == [15, 16, 17, 18, 19]
    assert await hours(part_of_day="afternoon", latest_time=time(14, 0)) == [12, 13, 14]
    with pytest.raises(NotAllowed):
        await hours(part_of_day="night")


async def test_spread_across_days_and_busy_time(small_clinic, calendar_at):
    clinic = await small_clinic()
    cal = calendar_at(utc(2027, 3, 1))
    d1 = date(2027, 3, 9)
    slots = await cal.find_slots(SlotCriteria(clinic.ref, date_from=d1, limit=6))
    assert len(slots) == 6
    assert [s.start for s in slots] == sorted(s.start for s in slots)
    per_day = Counter(s.start.date() for s in slots)
    assert sorted(per_day) == [d1, d1 + timedelta(days=1), d1 + timedelta(days=2)] and set(per_day.values()) == {2}
    assert [s.start.strftime("%H:%M") for s in slots[:2]] == ["09:00", "11:00"]
    # Without spreading, the first morning fills all six.
    slots = await cal.find_slots(SlotCriteria(clinic.ref, date_from=d1, limit=6, spread_days=False))
    assert {s.start.date() for s in slots} == {d1}
    # Booked time is not offered; cancelled appointments free it again.
    patient = await new_patient(cal, clinic.ref)
    booked = await cal.book(clinic.ref, slots[1], patient, None, None)
    again = await cal.find_slots(SlotCriteria(clinic.ref, date_from=d1, date_to=d1, limit=0, spread_days=False))
    assert slots[1].start not in [s.start for s in again] and len(again) == 5
    await cal.cancel(clinic.ref, booked.id, "test", "staff")
    again = await cal.find_slots(SlotCriteria(clinic.ref, date_from=d1, date_to=d1, limit=0, spread_days=False))
    assert len(again) == 6
    # exclude_starts and not_before/not_after narrow further.
    again = await cal.find_slots(SlotCriteria(clinic.ref, date_from=d1, date_to=d1, limit=0, spread_days=False,
                                              exclude_starts=(slots[0].start,), not_before=at(d1, 10),
                                              not_after=at(d1, 11)))
    assert [s.start.strftime("%H:%M") for s in again] == ["10:00", "10:30"]


async def test_specialty_inactive_and_deleted_providers(small_clinic, calendar_at, pool):
    clinic = await small_clinic(providers=[provider("Alpha"), provider("Beta", specialty="Cardiology"),
                                           provider("Gamma", specialty="Cardiology"),
                                           provider("Delta", specialty="cardiology")])
    ids = await provider_ids(pool, clinic.id)
    async with pool.connection() as conn:
        await conn.execute("UPDATE providers SET status = 'ON_LEAVE' WHERE id = %s", (ids["Gamma"],))
        await conn.execute("UPDATE providers SET is_deleted = true, deleted_at = now() WHERE id = %s", (ids["Delta"],))
    cal = calendar_at(utc(2027, 3, 1))
    names = [p.last_name for p in await cal.list_providers(clinic.ref)]
    assert names == ["Alpha", "Beta"]
    slots = await cal.find_slots(SlotCriteria(clinic.ref, specialty="CARDIOLOGY", date_from=date(2027, 3, 9),
                                              limit=10, spread_days=False))
    assert slots and {s.provider_id for s in slots} == {ids["Beta"]}
    assert await cal.find_slots(SlotCriteria(clinic.ref, provider_ids=(ids["Gamma"],))) == []
    assert await cal.find_slots(SlotCriteria(clinic.ref, specialty="Neurology")) == []
    both = await cal.find_slots(SlotCriteria(clinic.ref, date_from=date(2027, 3, 9), date_to=date(2027, 3, 9),
                                             limit=0, spread_days=False))
    assert {s.provider_id for s in both} == {ids["Alpha"], ids["Beta"]} and len(both) == 12
    # Another clinic's provider ids and garbage ids find nothing.
    other = await small_clinic()
    assert await cal.find_slots(SlotCriteria(other.ref, provider_ids=(ids["Alpha"],))) == []
    assert await cal.find_slots(SlotCriteria(other.ref, provider_ids=("not-a-uuid",))) == []
    with pytest.raises(NotAllowed):   # an ON_LEAVE provider is not bookable
        slot = TimeSlot(ids["Gamma"], "x", at(date(2027, 3, 9), 9), at(date(2027, 3, 9), 9, 30))
        await cal.book(clinic.ref, slot, await new_patient(cal, clinic.ref), None, None)


# ---------------------------------------------------------------------- booking


async def test_booking_is_validated(small_clinic, calendar_at, pool):
    clinic = await small_clinic(providers=[provider("Alpha"), provider("Closed", accepting=False)])
    other = await small_clinic()
    ids = await provider_ids(pool, clinic.id)
    cal = calendar_at(at(date(2027, 3, 9), 8))
    patient = await new_patient(cal, clinic.ref)
    day = date(2027, 3, 10)

    def slot(hh, mm=0, minutes=30, pid=None):
        return TimeSlot(pid or ids["Alpha"], "Dr. Test Alpha", at(day, hh, mm), at(day, hh, mm) + timedelta(minutes=minutes))

    for bad in (slot(12), slot(8, 30), slot(9, minutes=45), slot(11, 45)):
        with pytest.raises(NotAllowed):
            await cal.book(clinic.ref, bad, patient, None, None)
    with pytest.raises(NotAllowed):   # past
        await cal.book(clinic.ref, TimeSlot(ids["Alpha"], "x", at(date(2027, 3, 8), 9), at(date(2027, 3, 8), 9, 30)),
                       patient, None, None)
    with pytest.raises(NotAllowed):   # within the lead time: 08:00 now, 09:00 is still bookable (grace) but 8:30 not
        await cal.book(clinic.ref, TimeSlot(ids["Alpha"], "x", at(date(2027, 3, 9), 8, 30),
                                            at(date(2027, 3, 9), 9)), patient, None, None)
    with pytest.raises(NotAllowed):   # a naive start
        await cal.book(clinic.ref, TimeSlot(ids["Alpha"], "x", datetime(2027, 3, 10, 9), datetime(2027, 3, 10, 9, 30)),
                       patient, None, None)
    with pytest.raises(NotFound):     # another clinic's provider
        await cal.book(other.ref, slot(9), await new_patient(cal, other.ref), None, None)
    with pytest.raises(NotFound):     # another clinic's patient
        await cal.book(clinic.ref, slot(9), await new_patient(cal, other.ref), None, None)
    with pytest.raises(NotFound):
        await cal.book(clinic.ref, TimeSlot("nope", "x", at(day, 9), at(day, 9, 30)), patient, None, None)
    # A new patient cannot see a provider who is not accepting new patients; no appointment, no audit row.
    before = await audit_count(pool, clinic.id, "APPOINTMENT_BOOKED")
    with pytest.raises(NotAllowed, match="new patients"):
        await cal.book(clinic.ref, slot(9, pid=ids["Closed"]), patient, None, None)
    assert await audit_count(pool, clinic.id, "APPOINTMENT_BOOKED") == before
    first = await cal.book(clinic.ref, slot(9), patient, "checkup", None, booked_via="voice")
    assert first.is_new_patient_visit and first.status == "SCHEDULED" and first.start == at(day, 9)
    # An established patient may.
    second = await cal.book(clinic.ref, slot(10, pid=ids["Closed"]), patient, None, None)
    assert not second.is_new_patient_visit
    row = await appointment_row(pool, first.id)
    assert row["booked_via"] == "voice" and row["reason"] == "checkup" and row["duration_minutes"] == 30


async def test_idempotent_booking(small_clinic, calendar_at, pool):
    clinic = await small_clinic()
    ids = await provider_ids(pool, clinic.id)
    cal = calendar_at(utc(2027, 3, 1))
    patient = await new_patient(cal, clinic.ref)
    slot = TimeSlot(ids["Alpha"], "Dr. Test Alpha", at(date(2027, 3, 9), 9), at(date(2027, 3, 9), 9, 30))
    first = await cal.book(clinic.ref, slot, patient, None, "key-1")
    again = await cal.book(clinic.ref, slot, patient, None, "key-1")
    assert again.id == first.id
    # Concurrent twins of one request: one row, one id.
    twins = await asyncio.gather(*[cal.book(clinic.ref, slot.__class__(slot.provider_id, slot.provider_name,
                                                                       slot.start + timedelta(hours=1),
                                                                       slot.end + timedelta(hours=1)),
                                            patient, None, "key-2") for _ in range(10)])
    assert len({t.id for t in twins}) == 1
    with pytest.raises(IdempotencyConflict):
        later = TimeSlot(slot.provider_id, slot.provider_name, slot.start + timedelta(hours=2),
                         slot.end + timedelta(hours=2))
        await cal.book(clinic.ref, later, patient, None, "key-1")
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM appointments WHERE clinic_id = %s", (clinic.id,))
        assert (await cur.fetchone())["n"] == 2
    assert await audit_count(pool, clinic.id, "APPOINTMENT_BOOKED") == 2
    # The same key in another clinic is another key.
    other = await small_clinic()
    oid = (await provider_ids(pool, other.id))["Alpha"]
    theirs = await cal.book(other.ref, TimeSlot(oid, "x", slot.start, slot.end), await new_patient(cal, other.ref),
                            None, "key-1")
    assert theirs.id != first.id


# Runs alone (serial): 200 bookings queue on one provider's lock within the pool's 30 s wait, and a
# CPU-bound neighbour on the other worker (a Whisper decode) pushed the tail past it in CI.
@pytest.mark.serial
async def test_200_way_race_books_exactly_once(small_clinic, calendar_at, pool):
    clinic = await small_clinic()
    ids = await provider_ids(pool, clinic.id)
    cal = calendar_at(utc(2027, 3, 1))
    patient = await new_patient(cal, clinic.ref)
    slot = TimeSlot(ids["Alpha"], "Dr. Test Alpha", at(date(2027, 3, 9), 10), at(date(2027, 3, 9), 10, 30))
    results = await asyncio.gather(*[cal.book(clinic.ref, slot, patient, None, None) for _ in range(200)],
                                   return_exceptions=True)
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"Appointment": 1, "SlotTaken": 199}, kinds
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM appointments WHERE clinic_id = %s", (clinic.id,))
        assert (await cur.fetchone())["n"] == 1
    assert await audit_count(pool, clinic.id, "APPOINTMENT_BOOKED") == 1
    async with pool.connection() as conn:
        checked, broken = await verify_chain(conn, clinic.id)
    assert broken is None and checked >= 2


async def test_reschedule(small_clinic, calendar_at, pool):
    clinic = await small_clinic(providers=[provider("Alpha"), provider("Beta")])
    ids = await provider_ids(pool, clinic.id)
    cal = calendar_at(utc(2027, 3, 1))
    patient = await new_patient(cal, clinic.ref)
    other_patient = await new_patient(cal, clinic.ref, last="Other")
    day = date(2027, 3, 9)

    def slot(hh, mm=0, who="Alpha"):
        return TimeSlot(ids[who], who, at(day, hh, mm), at(day, hh, mm) + timedelta(minutes=30))

    original = await cal.book(clinic.ref, slot(9), patient, "rash", None)
    await cal.book(clinic.ref, slot(10), other_patient, None, None)
    before = await appointment_row(pool, original.id)
    updates = await audit_count(pool, clinic.id, "UPDATE")
    with pytest.raises(SlotTaken):
        await cal.reschedule(clinic.ref, original.id, slot(10), None)
    with pytest.raises(SlotTaken):   # overlapping, off the grid
        await cal.reschedule(clinic.ref, original.id, slot(10, 15), None)
    with pytest.raises(NotAllowed):
        await cal.reschedule(clinic.ref, original.id, slot(12), None)
    after = await appointment_row(pool, original.id)
    assert after == before     # status, times, cancellation fields: untouched
    assert await audit_count(pool, clinic.id, "UPDATE") == updates

    moved = await cal.reschedule(clinic.ref, original.id, slot(9, 15), "move-1", cancelled_by="staff")  # overlaps itself
    assert moved.rescheduled_from_id == original.id and moved.start == at(day, 9, 15) and moved.reason == "rash"
    again = await cal.reschedule(clinic.ref, original.id, slot(9, 15), "move-1")
    assert again.id == moved.id
    old = await cal.get_appointment(clinic.ref, original.id)
    assert old.status == "CANCELLED" and old.cancellation_reason == "rescheduled" and old.cancelled_by == "staff"
    assert await audit_count(pool, clinic.id, "UPDATE") == updates + 1
    with pytest.raises(NotAllowed):   # the old one is cancelled now
        await cal.reschedule(clinic.ref, original.id, slot(11), None)
    to_beta = await cal.reschedule(clinic.ref, moved.id, slot(11, 0, "Beta"), None)
    assert to_beta.provider_id == ids["Beta"]
    upcoming = await cal.upcoming_appointments(clinic.ref, patient)
    assert [a.id for a in upcoming] == [to_beta.id]
    other = await small_clinic()
    with pytest.raises(NotFound):
        await cal.reschedule(other.ref, to_beta.id, slot(11, 30), None)


async def test_cancel(small_clinic, calendar_at, pool):
    clinic = await small_clinic()
    ids = await provider_ids(pool, clinic.id)
    cal = calendar_at(utc(2027, 3, 1))
    patient = await new_patient(cal, clinic.ref, last="Núñez")
    day = date(2027, 3, 9)
    a = await cal.book(clinic.ref, TimeSlot(ids["Alpha"], "x", at(day, 9), at(day, 9, 30)), patient, None, None)
    b = await cal.book(clinic.ref, TimeSlot(ids["Alpha"], "x", at(day, 10), at(day, 10, 30)), patient, None, None)
    other = await small_clinic()
    with pytest.raises(NotFound):
        await cal.cancel(other.ref, a.id, None, "staff")
    with pytest.raises(NotFound):
        await cal.cancel(clinic.ref, "not-a-uuid", None, "staff")
    done = await cal.cancel(clinic.ref, a.id, "feeling better", "patient")
    assert done.status == "CANCELLED" and done.cancelled_by == "patient"
    row = await appointment_row(pool, a.id)
    assert row["status"] == "CANCELLED" and row["cancelled_at"] == utc(2027, 3, 1)
    assert row["cancellation_reason"] == "feeling better" and row["cancelled_by"] == "patient"
    async with pool.connection() as conn:
        cur = await conn.execute("""SELECT details FROM audit_logs WHERE clinic_id = %s AND resource_id = %s
                                    AND action = 'APPOINTMENT_CANCELLED'""", (clinic.id, a.id))
        details = (await cur.fetchone())["details"]
    assert details["appointment_id"] == a.id and "Núñez" not in str(details) and "feeling" not in str(details)
    with pytest.raises(NotAllowed):
        await cal.cancel(clinic.ref, a.id, None, "staff")
    cal.clock["now"] = at(day, 10, 5)     # b has started
    with pytest.raises(NotAllowed):
        await cal.cancel(clinic.ref, b.id, None, "staff")
    assert await cal.upcoming_appointments(clinic.ref, patient) == []


async def test_database_down_is_unavailable():
    from psycopg_pool import AsyncConnectionPool
    from ehr.errors import Unavailable
    pool = AsyncConnectionPool("postgresql://postgres@127.0.0.1:1/nowhere", min_size=1, max_size=1, timeout=0.5,
                               open=False)
    await pool.open(wait=False)
    try:
        cal = BuiltinCalendar(pool)
        ref = ClinicRef(str(uuid.uuid4()), "America/Chicago")
        with pytest.raises(Unavailable):
            await cal.list_providers(ref)
        with pytest.raises(Unavailable):
            await cal.find_slots(SlotCriteria(ref))
    finally:
        await pool.close()
