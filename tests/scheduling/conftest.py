"""Scheduling fixtures: clinics with hand-made hours, and a calendar standing at a chosen instant."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from ehr.builtin import BuiltinCalendar
from ehr.types import ClinicRef, NewPatient

ALL_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def week(*pairs: tuple[str, str], days=ALL_WEEK) -> dict[str, list[list[str]]]:
    return {d: [list(p) for p in pairs] for d in days}


def provider(last: str, *, first: str = "Test", specialty: str = "Family Medicine", duration: int = 30,
             accepting: bool = True, schedule: dict | None = None) -> dict[str, Any]:
    return {"first_name": first, "last_name": last, "title": "Dr.", "specialty": specialty,
            "default_appointment_duration": duration, "accepting_new_patients": accepting,
            "schedule": schedule if schedule is not None else week(("09:00", "12:00"))}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def calendar_at(pool):
    """calendar_at(now) → a BuiltinCalendar whose clock stands still at `now` (movable via .clock)."""
    def make(now: datetime, **kwargs: Any) -> BuiltinCalendar:
        state = {"now": now}
        cal = BuiltinCalendar(pool, now=lambda: state["now"], **kwargs)
        cal.clock = state  # type: ignore[attr-defined]
        return cal
    return make


@pytest.fixture
def small_clinic(make_clinic):
    """A clinic open 9:00-12:00 every day with one or more 30-minute providers, no seeded patients."""
    async def make(*, providers: list[dict] | None = None, hours: dict | None = None, tz: str = "America/Chicago",
                   **overrides: Any):
        clinic = await make_clinic(timezone=tz, business_hours=hours or week(("09:00", "12:00")),
                                   providers=providers or [provider("Alpha")], patients=[], appointments=[],
                                   **overrides)
        clinic.ref = ClinicRef(clinic.id, tz, clinic.data["name"])
        return clinic
    return make


async def provider_ids(pool, clinic_id: str) -> dict[str, str]:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT last_name, id::text AS id FROM providers WHERE clinic_id = %s", (clinic_id,))
        return {r["last_name"]: r["id"] for r in await cur.fetchall()}


async def new_patient(cal: BuiltinCalendar, ref: ClinicRef, last: str = "Patient", first: str = "Pat",
                      dob: date = date(1980, 1, 2)):
    return await cal.create_patient(ref, NewPatient(first, last, dob))
