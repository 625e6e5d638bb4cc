"""The seeded world (tests/ehr_contract/harness.py) as a FHIR server's resources: Practitioners with
Schedules and Slots (Mon–Fri 09:00–12:00 and 13:00–17:00 America/Chicago), Maria, her booked visit —
plus a practitioner, patient and appointment of ANOTHER clinic in the same EHR (the `foreign` ids)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from tests.ehr_contract.harness import (MARIA, MARIA_APPOINTMENT_REASON, MARIA_APPOINTMENT_START, PROVIDERS, ZONE,
                                        SeedProvider)

FIRST_DAY, LAST_DAY = date(2026, 11, 23), date(2027, 3, 31)
OTHER = SeedProvider("other", "Olga", "Stein", "Dr.", "Dermatology", 30)


def z(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FhirWorld:
    ids: dict[str, str]                                    # seed key -> Practitioner id
    practitioners: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)
    patients: dict[str, dict[str, Any]] = field(default_factory=dict)
    appointments: dict[str, dict[str, Any]] = field(default_factory=dict)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1000))
    maria_id: str = ""
    foreign_patient_id: str = ""
    foreign_appointment_id: str = ""

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def schedule_practitioner(self, schedule_ref: str) -> str:
        schedule = self.schedules[schedule_ref.split("/")[-1]]
        return schedule["actor"][0]["reference"].split("/")[-1]

    def slot_at(self, practitioner_id: str, start: datetime) -> dict[str, Any] | None:
        wanted = z(start)
        for s in self.slots.values():
            if s["start"] == wanted and self.schedule_practitioner(s["schedule"]["reference"]) == practitioner_id:
                return s
        return None


def seed(ids: dict[str, str], slot_id, extra_days: tuple[date, ...] = ()) -> FhirWorld:
    """`ids`: vendor-style Practitioner ids for "rivera", "okafor", "other"; `slot_id(pid, n)` names slots.
    Slots cover FIRST_DAY..LAST_DAY and any `extra_days` (tests that run on the real clock)."""
    world = FhirWorld(ids=ids)
    for provider in (*PROVIDERS, OTHER):
        pid = ids[provider.key]
        world.practitioners[pid] = {
            "resourceType": "Practitioner", "id": pid, "active": True,
            "name": [{"use": "official", "family": provider.last_name, "given": [provider.first_name],
                      "prefix": [provider.title], "text": f"{provider.first_name} {provider.last_name}"}]}
        sid = f"S{pid}"
        world.schedules[sid] = {"resourceType": "Schedule", "id": sid, "active": True,
                                "actor": [{"reference": f"Practitioner/{pid}"}]}
        n = 0
        days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
        for day in sorted(set(days) | set(extra_days)):
            if day.weekday() < 5:
                for a, b in ((9, 12), (13, 17)):
                    t = datetime.combine(day, time(a), ZONE)
                    stop = datetime.combine(day, time(b), ZONE)
                    while t + timedelta(minutes=provider.duration) <= stop:
                        n += 1
                        slot = slot_id(pid, n)
                        world.slots[slot] = {"resourceType": "Slot", "id": slot,
                                             "schedule": {"reference": f"Schedule/{sid}"}, "status": "free",
                                             "start": z(t), "end": z(t + timedelta(minutes=provider.duration))}
                        t += timedelta(minutes=provider.duration)
    world.maria_id = world.new_id("")
    world.patients[world.maria_id] = {
        "resourceType": "Patient", "id": world.maria_id, "active": True,
        "name": [{"use": "official", "family": MARIA.last_name, "given": [MARIA.first_name]}],
        "birthDate": MARIA.date_of_birth.isoformat(),
        "telecom": [{"system": "phone", "value": MARIA.phone, "use": "mobile"}]}
    world.foreign_patient_id = world.new_id("")
    world.patients[world.foreign_patient_id] = {
        "resourceType": "Patient", "id": world.foreign_patient_id, "active": True,
        "name": [{"use": "official", "family": "Keller", "given": ["Hanna"]}], "birthDate": "1970-01-02"}
    book(world, ids["rivera"], world.maria_id, MARIA_APPOINTMENT_START, MARIA_APPOINTMENT_REASON)
    world.foreign_appointment_id = book(world, ids["other"], world.foreign_patient_id,
                                        MARIA_APPOINTMENT_START, "rash")
    return world


def book(world: FhirWorld, practitioner_id: str, patient_id: str, start: datetime, reason: str | None) -> str:
    """Book the practitioner's slot at `start` directly in the store (seeding, and the EHR's own staff)."""
    slot = world.slot_at(practitioner_id, start)
    assert slot is not None and slot["status"] == "free"
    return store_appointment(world, slot, patient_id, reason)


def store_appointment(world: FhirWorld, slot: dict[str, Any], patient_id: str, reason: str | None,
                      identifier: list[dict[str, Any]] | None = None) -> str:
    aid = world.new_id("")
    practitioner = world.schedule_practitioner(slot["schedule"]["reference"])
    resource: dict[str, Any] = {
        "resourceType": "Appointment", "id": aid, "meta": {"versionId": "1"}, "status": "booked",
        "slot": [{"reference": f"Slot/{slot['id']}"}], "start": slot["start"], "end": slot["end"],
        "participant": [{"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
                        {"actor": {"reference": f"Practitioner/{practitioner}"}, "status": "accepted"}]}
    if reason:
        resource["reasonCode"] = [{"text": reason}]
    if identifier:
        resource["identifier"] = identifier
    world.appointments[aid] = resource
    slot["status"] = "busy"
    return aid
