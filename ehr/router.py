"""`ClinicRouter`: the one EHRAdapter the engine and the REST API hold, sending each call to the
adapter of that call's clinic (the built-in calendar, DrChrono, ...). Which adapter a clinic uses
is the composition root's business (`Resolver`, voice_agent/ehr_registry.py); this only routes.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from ehr.protocol import EHRAdapter
from ehr.types import Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot


class Resolver(Protocol):
    async def adapter_for(self, clinic: ClinicRef) -> EHRAdapter:
        """The (wrapped) adapter serving this clinic; Unavailable when it cannot be built."""


class ClinicRouter:
    def __init__(self, default: EHRAdapter, resolver: Resolver) -> None:
        self.default, self.resolver = default, resolver

    def now(self) -> datetime:
        return self.default.now()

    async def _for(self, clinic: ClinicRef) -> EHRAdapter:
        return await self.resolver.adapter_for(clinic)

    async def list_providers(self, clinic: ClinicRef) -> list[Provider]:
        return await (await self._for(clinic)).list_providers(clinic)

    async def get_provider(self, clinic: ClinicRef, provider_id: str, *, include_inactive: bool = False) -> Provider:
        return await (await self._for(clinic)).get_provider(clinic, provider_id, include_inactive=include_inactive)

    async def find_slots(self, criteria: SlotCriteria) -> list[TimeSlot]:
        return await (await self._for(criteria.clinic)).find_slots(criteria)

    async def next_slots(self, clinic: ClinicRef, provider_id: str, after: datetime, limit: int = 3) -> list[TimeSlot]:
        return await (await self._for(clinic)).next_slots(clinic, provider_id, after, limit)

    async def find_patients(self, clinic: ClinicRef, last_name: str, date_of_birth: date,
                            first_name: str | None = None, phone: str | None = None) -> list[Patient]:
        return await (await self._for(clinic)).find_patients(clinic, last_name, date_of_birth, first_name, phone)

    async def find_patients_by_phone(self, clinic: ClinicRef, date_of_birth: date, phone: str) -> list[Patient]:
        return await (await self._for(clinic)).find_patients_by_phone(clinic, date_of_birth, phone)

    async def create_patient(self, clinic: ClinicRef, patient: NewPatient) -> Patient:
        return await (await self._for(clinic)).create_patient(clinic, patient)

    async def find_or_create_patient(self, clinic: ClinicRef, patient: NewPatient) -> tuple[Patient, bool]:
        return await (await self._for(clinic)).find_or_create_patient(clinic, patient)

    async def book(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
                   idempotency_key: str | None, booked_via: str = "api",
                   session_id: str | None = None) -> Appointment:
        return await (await self._for(clinic)).book(clinic, slot, patient, reason, idempotency_key, booked_via,
                                                     session_id)

    async def cancel(self, clinic: ClinicRef, appointment_id: str, reason: str | None,
                     cancelled_by: str) -> Appointment:
        return await (await self._for(clinic)).cancel(clinic, appointment_id, reason, cancelled_by)

    async def reschedule(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                         idempotency_key: str | None, booked_via: str = "api",
                         cancelled_by: str = "patient") -> Appointment:
        return await (await self._for(clinic)).reschedule(clinic, appointment_id, new_slot, idempotency_key,
                                                           booked_via, cancelled_by)

    async def upcoming_appointments(self, clinic: ClinicRef, patient: Patient) -> list[Appointment]:
        return await (await self._for(clinic)).upcoming_appointments(clinic, patient)

    async def get_appointment(self, clinic: ClinicRef, appointment_id: str) -> Appointment:
        return await (await self._for(clinic)).get_appointment(clinic, appointment_id)

    async def list_appointments(self, clinic: ClinicRef, start: datetime, end: datetime,
                                provider_id: str | None = None) -> list[Appointment]:
        return await (await self._for(clinic)).list_appointments(clinic, start, end, provider_id)
