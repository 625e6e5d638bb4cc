"""The EHRAdapter seam: the only way the dialogue core and the REST API touch a calendar.

The built-in PostgreSQL calendar implements it today; DrChrono, Epic and Cerner (FHIR R4) and
Google Calendar adapters implement the same methods later. Every method is scoped to one clinic:
an id from another clinic raises NotFound, never reveals that it exists.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from ehr.types import Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot


class EHRAdapter(Protocol):
    def now(self) -> datetime:
        """The adapter's clock, aware (tests pin it): what "today" and "not in the past" mean."""

    async def list_providers(self, clinic: ClinicRef) -> list[Provider]: ...

    async def get_provider(self, clinic: ClinicRef, provider_id: str, *,
                           include_inactive: bool = False) -> Provider:
        """One provider (bookable ones only, unless `include_inactive`), else NotFound."""

    async def find_slots(self, criteria: SlotCriteria) -> list[TimeSlot]: ...

    async def next_slots(self, clinic: ClinicRef, provider_id: str, after: datetime, limit: int = 3) -> list[TimeSlot]:
        """The next free slots of one provider from `after` on (what a taken slot offers instead)."""

    async def find_patients(self, clinic: ClinicRef, last_name: str, date_of_birth: date,
                            first_name: str | None = None, phone: str | None = None) -> list[Patient]: ...

    async def find_patients_by_phone(self, clinic: ClinicRef, date_of_birth: date, phone: str) -> list[Patient]:
        """Patients with this date of birth and phone number: who a caller is, from two keyed
        entries (a spoken name is the weakest thing a phone line carries)."""

    async def create_patient(self, clinic: ClinicRef, patient: NewPatient) -> Patient: ...

    async def find_or_create_patient(self, clinic: ClinicRef, patient: NewPatient) -> tuple[Patient, bool]:
        """The clinic's record of this person, created when there is none; (patient, created)."""

    async def book(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
                   idempotency_key: str | None, booked_via: str = "api",
                   session_id: str | None = None) -> Appointment: ...

    async def cancel(self, clinic: ClinicRef, appointment_id: str, reason: str | None,
                     cancelled_by: str) -> Appointment: ...

    async def reschedule(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                         idempotency_key: str | None, booked_via: str = "api",
                         cancelled_by: str = "patient") -> Appointment: ...

    async def upcoming_appointments(self, clinic: ClinicRef, patient: Patient) -> list[Appointment]: ...

    async def get_appointment(self, clinic: ClinicRef, appointment_id: str) -> Appointment: ...

    async def list_appointments(self, clinic: ClinicRef, start: datetime, end: datetime,
                                provider_id: str | None = None) -> list[Appointment]: ...
