"""The built-in calendar's patients on real PostgreSQL: matching by name and date of birth,
accents and apostrophes, twins, find-or-create under a burst."""
from __future__ import annotations

import asyncio
from datetime import date

from ehr.types import NewPatient
from tests.scheduling.conftest import utc


async def test_find_patients(small_clinic, calendar_at):
    clinic = await small_clinic()
    other = await small_clinic()
    cal = calendar_at(utc(2027, 3, 1))
    dob = date(1990, 11, 12)
    jose = await cal.create_patient(clinic.ref, NewPatient("José", "Núñez", dob, "(312) 555-0167"))
    assert jose.phone == "+13125550167"
    james = await cal.create_patient(clinic.ref, NewPatient("James", "O'Connor", dob))
    for query in ("nunez", "NÚÑEZ", "Nunez "):
        assert [p.id for p in await cal.find_patients(clinic.ref, query, dob)] == [jose.id]
    for query in ("oconnor", "O Connor", "O’CONNOR", "o'connor"):
        assert [p.id for p in await cal.find_patients(clinic.ref, query, dob)] == [james.id]
    assert await cal.find_patients(clinic.ref, "nunez", date(1990, 11, 13)) == []
    assert await cal.find_patients(other.ref, "nunez", dob) == []
    # Twins share last name and date of birth: the first name or the phone tells them apart.
    maria = await cal.create_patient(clinic.ref, NewPatient("María", "Núñez", dob, "+13125550999"))
    assert {p.id for p in await cal.find_patients(clinic.ref, "nunez", dob)} == {jose.id, maria.id}
    assert [p.id for p in await cal.find_patients(clinic.ref, "nunez", dob, first_name="maria")] == [maria.id]
    assert [p.id for p in await cal.find_patients(clinic.ref, "nunez", dob, phone="312-555-0167")] == [jose.id]
    # find_or_create: the same person is found, a new one is created once even under a burst.
    found, created = await cal.find_or_create_patient(clinic.ref, NewPatient("jose", "NUNEZ", dob))
    assert found.id == jose.id and not created
    burst = await asyncio.gather(*[cal.find_or_create_patient(clinic.ref, NewPatient("Ana", "Bello", date(2016, 2, 29)))
                                   for _ in range(20)])
    assert len({p.id for p, _ in burst}) == 1 and sum(c for _, c in burst) == 1


async def test_twins_are_not_merged_by_a_shared_phone(small_clinic, calendar_at):
    clinic = await small_clinic()
    cal = calendar_at(utc(2027, 3, 1))
    dob = date(2016, 2, 29)
    aisha = await cal.create_patient(clinic.ref, NewPatient("Aisha", "Bello", dob, "+13125550189"))
    twin, created = await cal.find_or_create_patient(clinic.ref, NewPatient("Amina", "Bello", dob, "+13125550189"))
    assert created and twin.id != aisha.id
