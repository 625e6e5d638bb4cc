"""The EHR contract: one behaviour, run unchanged against every adapter (`backend` fixture, conftest.py).

The world is the one harness.py seeds; the adapter's clock stands at Tuesday 2026-12-01 08:00
America/Chicago. Nothing here knows which adapter it talks to.
"""
from __future__ import annotations

import asyncio
import time as wall
from datetime import date, datetime, time, timedelta

import pytest

from ehr.errors import NotFound, SlotTaken, Unavailable
from ehr.types import NewPatient, SlotCriteria, TimeSlot
from tests.ehr_contract.harness import (MARIA, MARIA_APPOINTMENT_START, NOW, OKAFOR, OUTAGE_BOUND_SECONDS, RIVERA,
                                        TODAY, ZONE)

WED, THU = date(2026, 12, 2), date(2026, 12, 3)
SAT, SUN = date(2026, 12, 5), date(2026, 12, 6)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), ZONE)


def grid(day: date, minutes: int) -> list[datetime]:
    """Every start of a `minutes` visit inside 09:00–12:00 and 13:00–17:00 on `day`."""
    out = []
    for a, b in ((9, 12), (13, 17)):
        t = at(day, a)
        while t + timedelta(minutes=minutes) <= at(day, b):
            out.append(t)
            t += timedelta(minutes=minutes)
    return out


async def day_slots(backend, day: date, provider: str | None = None, **kw) -> list[TimeSlot]:
    ids = (backend.provider_ids[provider],) if provider else ()
    return await backend.adapter.find_slots(SlotCriteria(
        clinic=backend.clinic, provider_ids=ids, date_from=day, date_to=day, limit=200, spread_days=False, **kw))


def slot(backend, provider: str, start: datetime) -> TimeSlot:
    seed = RIVERA if provider == "rivera" else OKAFOR
    name = f"{seed.title} {seed.first_name} {seed.last_name}"
    return TimeSlot(backend.provider_ids[provider], name, start, start + timedelta(minutes=seed.duration))


def local(value: datetime) -> datetime:
    return value.astimezone(ZONE)


# ---------------------------------------------------------------- the world

async def test_the_clock_and_the_roster(backend):
    assert backend.adapter.now() == NOW
    providers = {p.id: p for p in await backend.adapter.list_providers(backend.clinic)}
    rivera, okafor = providers[backend.provider_ids["rivera"]], providers[backend.provider_ids["okafor"]]
    assert (rivera.last_name, rivera.default_appointment_duration, rivera.specialty.lower()) == \
        ("Rivera", 30, "family medicine")
    assert (okafor.last_name, okafor.default_appointment_duration, okafor.specialty.lower()) == \
        ("Okafor", 20, "cardiology")
    assert rivera.accepting_new_patients and okafor.accepting_new_patients
    assert (await backend.adapter.get_provider(backend.clinic, backend.provider_ids["okafor"])).last_name == "Okafor"


# ---------------------------------------------------------------- free time

async def test_a_providers_day_is_her_hours_minus_the_booked_visit(backend):
    slots = await day_slots(backend, TODAY, "rivera")
    starts = [local(s.start) for s in slots]
    expected = [t for t in grid(TODAY, 30) if t != MARIA_APPOINTMENT_START]
    assert starts == expected                       # lunch (12:00–13:00) and Maria's 10:00 are not offered
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)
    assert {s.provider_id for s in slots} == {backend.provider_ids["rivera"]}


async def test_slots_by_specialty_are_that_specialists(backend):
    slots = await backend.adapter.find_slots(SlotCriteria(clinic=backend.clinic, specialty="cardiology",
                                                          date_from=WED, date_to=WED, limit=200, spread_days=False))
    assert [local(s.start) for s in slots] == grid(WED, 20)
    assert {s.provider_id for s in slots} == {backend.provider_ids["okafor"]}
    assert all(s.end - s.start == timedelta(minutes=20) for s in slots)


async def test_a_date_range_and_a_part_of_day(backend):
    slots = await backend.adapter.find_slots(SlotCriteria(
        clinic=backend.clinic, provider_ids=(backend.provider_ids["rivera"],), date_from=WED, date_to=THU,
        part_of_day="afternoon", limit=200, spread_days=False))
    starts = [local(s.start) for s in slots]
    assert starts == [t for d in (WED, THU) for t in grid(d, 30) if t.hour >= 13]
    morning = await day_slots(backend, WED, "okafor", part_of_day="morning")
    assert [local(s.start) for s in morning] == [t for t in grid(WED, 20) if t.hour < 12]


async def test_no_slots_on_the_weekend_and_none_in_the_past(backend):
    assert await backend.adapter.find_slots(SlotCriteria(clinic=backend.clinic, date_from=SAT, date_to=SUN,
                                                         limit=50, spread_days=False)) == []
    soonest = await backend.adapter.find_slots(SlotCriteria(clinic=backend.clinic, limit=3))
    assert soonest and all(s.start > NOW for s in soonest)


async def test_next_slots_skip_the_taken_time(backend):
    after = MARIA_APPOINTMENT_START - timedelta(minutes=1)
    nxt = await backend.adapter.next_slots(backend.clinic, backend.provider_ids["rivera"], after, 2)
    assert [local(s.start) for s in nxt] == [at(TODAY, 10, 30), at(TODAY, 11)]


# ---------------------------------------------------------------- booking

async def test_book_then_the_time_is_gone_and_a_second_booking_is_refused(backend):
    wanted = slot(backend, "rivera", at(WED, 9))
    booked = await backend.adapter.book(backend.clinic, wanted, backend.maria, "cough", "contract-book-1")
    assert booked.provider_id == backend.provider_ids["rivera"] and booked.patient_id == backend.maria.id
    assert local(booked.start) == at(WED, 9) and local(booked.end) == at(WED, 9, 30)
    assert booked.status.upper() in ("SCHEDULED", "CONFIRMED")
    assert at(WED, 9) not in [local(s.start) for s in await day_slots(backend, WED, "rivera")]
    fetched = await backend.adapter.get_appointment(backend.clinic, booked.id)
    assert (fetched.id, local(fetched.start)) == (booked.id, at(WED, 9))
    with pytest.raises(SlotTaken):
        await backend.adapter.book(backend.clinic, wanted, backend.maria, None, "contract-book-2")


async def test_the_seeded_visit_cannot_be_double_booked(backend):
    other, _ = await backend.adapter.find_or_create_patient(
        backend.clinic, NewPatient("Lena", "Park", date(1990, 6, 1), "+15555550177"))
    with pytest.raises(SlotTaken):
        await backend.adapter.book(backend.clinic, slot(backend, "rivera", MARIA_APPOINTMENT_START), other, None,
                                   "contract-double")


async def test_cancel_frees_the_time(backend):
    booked = await backend.adapter.book(backend.clinic, slot(backend, "okafor", at(THU, 13, 20)), backend.maria,
                                        None, "contract-cancel")
    cancelled = await backend.adapter.cancel(backend.clinic, booked.id, "feeling better", "patient")
    assert cancelled.status.upper() == "CANCELLED"
    assert at(THU, 13, 20) in [local(s.start) for s in await day_slots(backend, THU, "okafor")]
    assert booked.id not in [a.id for a in await backend.adapter.upcoming_appointments(backend.clinic,
                                                                                        backend.maria)]


async def test_reschedule_moves_the_visit(backend):
    seeded = (await backend.adapter.upcoming_appointments(backend.clinic, backend.maria))[0]
    moved = await backend.adapter.reschedule(backend.clinic, seeded.id, slot(backend, "rivera", at(THU, 9, 30)),
                                             "contract-move")
    assert local(moved.start) == at(THU, 9, 30) and moved.provider_id == backend.provider_ids["rivera"]
    assert local((await backend.adapter.get_appointment(backend.clinic, moved.id)).start) == at(THU, 9, 30)
    upcoming = [local(a.start) for a in await backend.adapter.upcoming_appointments(backend.clinic, backend.maria)]
    assert upcoming == [at(THU, 9, 30)]
    assert MARIA_APPOINTMENT_START in [local(s.start) for s in await day_slots(backend, TODAY, "rivera")]
    assert at(THU, 9, 30) not in [local(s.start) for s in await day_slots(backend, THU, "rivera")]


async def test_reschedule_onto_a_taken_time_changes_nothing(backend):
    taken = await backend.adapter.book(backend.clinic, slot(backend, "rivera", at(WED, 11)), backend.maria, None,
                                       "contract-taken")
    seeded = [a for a in await backend.adapter.upcoming_appointments(backend.clinic, backend.maria)
              if a.id != taken.id][0]
    with pytest.raises(SlotTaken):
        await backend.adapter.reschedule(backend.clinic, seeded.id, slot(backend, "rivera", at(WED, 11)),
                                         "contract-taken-move")
    assert local((await backend.adapter.get_appointment(backend.clinic, seeded.id)).start) == MARIA_APPOINTMENT_START


# ---------------------------------------------------------------- patients and appointments

async def test_patient_match_by_name_and_birth_date_or_phone(backend):
    found = await backend.adapter.find_patients(backend.clinic, "Garcia", MARIA.date_of_birth)
    assert backend.maria.id in [p.id for p in found]
    assert [p.first_name for p in found if p.id == backend.maria.id] == ["Maria"]
    assert await backend.adapter.find_patients(backend.clinic, "Garcia", date(1985, 3, 15)) == []
    by_phone = await backend.adapter.find_patients_by_phone(backend.clinic, MARIA.date_of_birth, "(555) 555-0101")
    assert [p.id for p in by_phone] == [backend.maria.id]
    assert await backend.adapter.find_patients_by_phone(backend.clinic, MARIA.date_of_birth, "+15555550199") == []


async def test_find_or_create_patient(backend):
    same, created = await backend.adapter.find_or_create_patient(
        backend.clinic, NewPatient("Maria", "Garcia", MARIA.date_of_birth, MARIA.phone))
    assert (same.id, created) == (backend.maria.id, False)
    new, created = await backend.adapter.find_or_create_patient(
        backend.clinic, NewPatient("Tomas", "Lindqvist", date(1977, 9, 30), "+15555550142"))
    assert created and (new.first_name, new.last_name, new.date_of_birth) == ("Tomas", "Lindqvist", date(1977, 9, 30))
    assert new.id in [p.id for p in await backend.adapter.find_patients(backend.clinic, "Lindqvist",
                                                                        date(1977, 9, 30))]
    again, created = await backend.adapter.find_or_create_patient(
        backend.clinic, NewPatient("Tomas", "Lindqvist", date(1977, 9, 30), "+15555550142"))
    assert (again.id, created) == (new.id, False)


async def test_upcoming_get_and_list_appointments(backend):
    upcoming = await backend.adapter.upcoming_appointments(backend.clinic, backend.maria)
    assert [(local(a.start), a.provider_id, a.patient_id) for a in upcoming] == \
        [(MARIA_APPOINTMENT_START, backend.provider_ids["rivera"], backend.maria.id)]
    seeded = await backend.adapter.get_appointment(backend.clinic, upcoming[0].id)
    assert local(seeded.end) == MARIA_APPOINTMENT_START + timedelta(minutes=30)
    day = await backend.adapter.list_appointments(backend.clinic, at(TODAY, 0), at(TODAY, 23, 59))
    assert [a.id for a in day] == [seeded.id]
    assert await backend.adapter.list_appointments(backend.clinic, at(TODAY, 0), at(TODAY, 23, 59),
                                                   backend.provider_ids["okafor"]) == []


async def test_unknown_and_foreign_ids_are_not_found(backend):
    with pytest.raises(NotFound):
        await backend.adapter.get_appointment(backend.clinic, "does-not-exist")
    if backend.foreign is None:
        return
    with pytest.raises(NotFound):
        await backend.adapter.get_appointment(backend.clinic, backend.foreign.appointment_id)
    with pytest.raises(NotFound):
        await backend.adapter.cancel(backend.clinic, backend.foreign.appointment_id, None, "patient")
    with pytest.raises(NotFound):
        await backend.adapter.get_provider(backend.clinic, backend.foreign.provider_id)


# ---------------------------------------------------------------- outages

@pytest.mark.parametrize("kind", ["down", "timeout"])
async def test_an_outage_is_unavailable_quickly_and_books_nothing(backend, kind):
    wanted = slot(backend, "okafor", at(WED, 14))
    async with backend.outage(kind):
        started = wall.monotonic()
        with pytest.raises(Unavailable):
            await backend.adapter.find_slots(SlotCriteria(clinic=backend.clinic, date_from=WED, date_to=WED))
        with pytest.raises(Unavailable):
            await backend.adapter.book(backend.clinic, wanted, backend.maria, None, f"contract-outage-{kind}")
        assert wall.monotonic() - started < 2 * OUTAGE_BOUND_SECONDS
    await asyncio.sleep(0)
    day = await backend.adapter.list_appointments(backend.clinic, at(WED, 0), at(WED, 23, 59))
    assert [a for a in day if a.status.upper() != "CANCELLED"] == []   # nothing was booked behind our back
    assert at(WED, 14) in [local(s.start) for s in await day_slots(backend, WED, "okafor")]
