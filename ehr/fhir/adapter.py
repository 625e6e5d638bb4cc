"""`EHRAdapter` over a FHIR R4 server: the parts Epic and Oracle Health (Cerner) share.

* Providers are the configured roster's Practitioners (names read from the EHR, cached briefly).
* Free time is the EHR's own free Slots (`Slot?schedule.actor=Practitioner/x&start=ge..&start=lt..
  &status=free`, paged), narrowed and spread with the same rules as the built-in calendar.
* A booking names exactly one free Slot; the EHR refuses a Slot someone else took (→ SlotTaken).
* Idempotency: FHIR has no idempotency key header, so the key travels in the Appointment's
  `identifier` (system `IDEMPOTENCY_SYSTEM`); a retried booking finds the appointment of this
  patient, practitioner and start carrying that key and returns it instead of booking again.
* Cancel and reschedule update the Appointment with `If-Match`; a stale ETag is re-read once.

The dialects (`epic.py`, `cerner.py`) say how an appointment is created and cancelled.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

import httpx

from ehr import offer
from ehr.bearer import JwtBearer, SecretBearer, smart_backend
from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken
from ehr.fhir.client import FhirClient, FhirError, Versioned
from ehr.fhir.patients import FhirPatients
from ehr.fhir.resources import (IDEMPOTENCY_SYSTEM, LIVE, appointment_in, check, fhir_instant, instant,
                                practitioner_name)
from ehr.fhir.settings import FhirSettings, RosterEntry
from ehr.types import (Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot, slot_for)

log = logging.getLogger("ehr.fhir")
BOOKING_GRACE = timedelta(minutes=15)

ROSTER_TTL_S = 300.0


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def utc(value: datetime) -> str:
    return fhir_instant(value.astimezone(timezone.utc)).replace("+00:00", "Z")


class FhirAdapter:
    """One clinic's FHIR EHR. `http` carries the transport (timeouts, retries) the composition root
    chose; `now` is the adapter's clock (tests pin it)."""

    vendor = "fhir"

    def __init__(self, settings: FhirSettings, clinic_id: str, http: httpx.AsyncClient, *,
                 now: Callable[[], datetime] | None = None, monotonic: Callable[[], float] = time.monotonic,
                 token_clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clinic_id = clinic_id
        if settings.key is not None:
            self.bearer: JwtBearer = smart_backend(http, settings.token_url, settings.client_id, settings.key,
                                                   settings.scope, clock=token_clock)
        else:
            self.bearer = SecretBearer(http, settings.token_url, settings.client_id, settings.client_secret or "",
                                       settings.scope, clock=token_clock)
        self.client = FhirClient(http, settings.base_url, self.bearer)
        self.patients = FhirPatients(self.client, clinic_id)
        self._now = now or _utcnow
        self._monotonic = monotonic
        self._roster: tuple[float, dict[str, Provider]] | None = None

    # ------------------------------------------------------------------ plumbing

    def now(self) -> datetime:
        value = self._now()
        if value.tzinfo is None:
            raise ValueError("the adapter's clock must return an aware datetime")
        return value.astimezone(timezone.utc)

    def _own(self, clinic: ClinicRef) -> bool:
        return clinic.id == self.clinic_id

    @staticmethod
    def _zone(clinic: ClinicRef) -> ZoneInfo:
        return ZoneInfo(clinic.timezone or "UTC")

    def _entry(self, practitioner_id: str) -> RosterEntry | None:
        return next((e for e in self.settings.roster if e.practitioner_id == practitioner_id), None)

    async def _providers(self, clinic: ClinicRef) -> dict[str, Provider]:
        if not self._own(clinic):
            return {}
        cached = self._roster
        if cached is not None and self._monotonic() - cached[0] < ROSTER_TTL_S:
            return cached[1]
        async def read(entry: RosterEntry) -> Provider | None:
            try:
                versioned = await self.client.read("Practitioner", entry.practitioner_id)
            except NotFound:
                return None   # retired in the EHR: not bookable
            if versioned.resource.get("active") is False:
                return None
            first, last, title = practitioner_name(versioned.resource)
            return Provider(id=entry.practitioner_id, clinic_id=self.clinic_id, first_name=first, last_name=last,
                            title=title, specialty=entry.specialty, default_appointment_duration=entry.duration_minutes,
                            accepting_new_patients=entry.accepting_new_patients)

        found = await asyncio.gather(*(read(e) for e in self.settings.roster))
        out = {p.id: p for p in found if p is not None}
        self._roster = (self._monotonic(), out)
        return out

    # ------------------------------------------------------------------ providers and slots

    async def list_providers(self, clinic: ClinicRef) -> list[Provider]:
        return sorted((await self._providers(clinic)).values(), key=lambda p: (p.last_name, p.first_name, p.id))

    async def get_provider(self, clinic: ClinicRef, provider_id: str, *, include_inactive: bool = False) -> Provider:
        provider = (await self._providers(clinic)).get(provider_id)
        if provider is None:
            raise NotFound("no such provider")
        return provider

    async def find_slots(self, criteria: SlotCriteria) -> list[TimeSlot]:
        roster = await self._providers(criteria.clinic)
        chosen = [roster[p] for p in criteria.provider_ids if p in roster] if criteria.provider_ids \
            else list(roster.values())
        if criteria.specialty and criteria.specialty.strip():
            wanted = criteria.specialty.strip().lower()
            chosen = [p for p in chosen if (p.specialty or "").lower() == wanted]
        zone = self._zone(criteria.clinic)
        window = offer.resolve(criteria, zone, self.now(), timedelta(minutes=self.settings.lead_minutes))
        if window is None or not chosen:
            return []
        found = await asyncio.gather(*(self._free_slots(p, window.start, window.end, zone) for p in chosen))
        return offer.pick([s for slots in found for s in slots], criteria, zone, window)

    async def next_slots(self, clinic: ClinicRef, provider_id: str, after: datetime, limit: int = 3) -> list[TimeSlot]:
        local = after.astimezone(self._zone(clinic))
        return await self.find_slots(SlotCriteria(clinic=clinic, provider_ids=(provider_id,), date_from=local.date(),
                                                  date_to=local.date() + timedelta(days=13), not_before=after,
                                                  limit=limit, spread_days=False))

    async def _free_slots(self, provider: Provider, start: datetime, end: datetime, zone: ZoneInfo) -> list[TimeSlot]:
        found = await self.client.search("Slot", self.slot_params(provider.id, start, end))
        out = []
        for resource in found:
            check(resource)
            if resource.get("status") != "free":
                continue
            out.append(TimeSlot(provider.id, provider.display_name, instant(resource["start"], zone),
                                instant(resource["end"], zone)))
        return out

    def slot_params(self, practitioner_id: str, start: datetime, end: datetime) -> list[tuple[str, str]]:
        return [("schedule.actor", f"Practitioner/{practitioner_id}"), ("start", f"ge{utc(start)}"),
                ("start", f"lt{utc(end)}"), ("status", "free"), ("_count", "100")]

    async def _slot_resource(self, provider: Provider, start: datetime) -> dict[str, Any] | None:
        """The free Slot of this practitioner starting exactly at `start`, if any."""
        found = await self.client.search("Slot", self.slot_params(provider.id, start, start + timedelta(minutes=1)))
        for resource in found:
            check(resource)
            if resource.get("status") == "free" and instant(resource["start"], timezone.utc) == start:
                return resource
        return None

    # ------------------------------------------------------------------ patients

    async def find_patients(self, clinic: ClinicRef, last_name: str, date_of_birth, first_name: str | None = None,
                            phone: str | None = None) -> list[Patient]:
        return await self.patients.find(last_name, date_of_birth, first_name, phone) if self._own(clinic) else []

    async def find_patients_by_phone(self, clinic: ClinicRef, date_of_birth, phone: str) -> list[Patient]:
        return await self.patients.by_phone(date_of_birth, phone) if self._own(clinic) else []

    async def create_patient(self, clinic: ClinicRef, patient: NewPatient) -> Patient:
        if not self._own(clinic):
            raise NotFound("no such clinic")
        return await self.patients.create(patient)

    async def find_or_create_patient(self, clinic: ClinicRef, patient: NewPatient) -> tuple[Patient, bool]:
        if not self._own(clinic):
            raise NotFound("no such clinic")
        return await self.patients.find_or_create(patient)

    # ------------------------------------------------------------------ appointments: reads

    async def _names(self, clinic: ClinicRef) -> dict[str, str]:
        return {p.id: p.display_name for p in (await self._providers(clinic)).values()}

    async def _read(self, clinic: ClinicRef, appointment_id: str) -> tuple[Versioned, Appointment]:
        if not self._own(clinic) or not appointment_id or "/" in appointment_id:
            raise NotFound("no such appointment")
        versioned = await self.client.read("Appointment", appointment_id)
        appointment = appointment_in(versioned.resource, self.clinic_id, self._zone(clinic), await self._names(clinic))
        if appointment is None:
            raise NotFound("no such appointment")
        return versioned, appointment

    async def get_appointment(self, clinic: ClinicRef, appointment_id: str) -> Appointment:
        return (await self._read(clinic, appointment_id))[1]

    async def _search_appointments(self, clinic: ClinicRef, params: list[tuple[str, str]]) -> list[Appointment]:
        names, zone = await self._names(clinic), self._zone(clinic)
        found = [appointment_in(r, self.clinic_id, zone, names)
                 for r in await self.client.search("Appointment", params)]
        return sorted((a for a in found if a is not None), key=lambda a: (a.start, a.id))

    async def list_appointments(self, clinic: ClinicRef, start: datetime, end: datetime,
                                provider_id: str | None = None) -> list[Appointment]:
        roster = await self._providers(clinic)
        if provider_id is not None and provider_id not in roster:
            raise NotFound("no such provider")
        found = await asyncio.gather(*(self._search_appointments(clinic, [
            ("practitioner", pid), ("date", f"ge{utc(start)}"), ("date", f"lt{utc(end)}")])
            for pid in ([provider_id] if provider_id else list(roster))))
        out = [a for appointments in found for a in appointments]
        return sorted({a.id: a for a in out if start <= a.start < end}.values(), key=lambda a: (a.start, a.id))

    async def upcoming_appointments(self, clinic: ClinicRef, patient: Patient) -> list[Appointment]:
        if not self._own(clinic) or not patient.id:
            return []
        now = self.now()
        found = await self._search_appointments(clinic, [("patient", patient.id), ("date", f"ge{utc(now)}")])
        return [a for a in found if a.extra.get("fhir_status") in LIVE and a.start > now]

    async def _booked_at(self, clinic: ClinicRef, provider_id: str, start: datetime, end: datetime,
                         patient_id: str | None = None) -> list[Appointment]:
        """Live appointments of this practitioner overlapping [start, end) (of one patient, if given)."""
        params = [("practitioner", provider_id), ("date", f"ge{utc(start - timedelta(hours=8))}"),
                  ("date", f"lt{utc(end)}")]
        if patient_id:
            params.append(("patient", patient_id))
        found = await self._search_appointments(clinic, params)
        return [a for a in found if a.extra.get("fhir_status") in LIVE and a.start < end and a.end > start]

    # ------------------------------------------------------------------ appointments: writes

    async def book(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
                   idempotency_key: str | None, booked_via: str = "api", session_id: str | None = None) -> Appointment:
        provider = await self.get_provider(clinic, slot.provider_id)
        start = self._check_time(slot, provider)
        await self.patients.get(patient.id)
        if idempotency_key:
            replay = await self._replay(clinic, provider.id, patient.id, start, idempotency_key)
            if replay is not None:
                return replay
        if not provider.accepting_new_patients and not await self._has_history(clinic, patient.id):
            raise NotAllowed("this provider is not accepting new patients")
        return await self._book_slot(clinic, provider, patient.id, start, reason, idempotency_key, booked_via)

    async def _book_slot(self, clinic: ClinicRef, provider: Provider, patient_id: str, start: datetime,
                         reason: str | None, idempotency_key: str | None, booked_via: str) -> Appointment:
        wanted = slot_for(provider, start)
        resource = await self._slot_resource(provider, start)
        if resource is None:
            if await self._booked_at(clinic, provider.id, wanted.start, wanted.end):
                raise SlotTaken("that time was just taken")
            raise NotAllowed("that is not a time this provider can be booked")
        if instant(resource["end"], timezone.utc) - instant(resource["start"], timezone.utc) != wanted.end - wanted.start:
            raise NotAllowed("that slot does not have this provider's visit length")
        try:
            created = await self.create_appointment(resource, provider.id, patient_id, reason, idempotency_key)
        except FhirError as exc:
            if idempotency_key:   # a concurrent twin of this very request may have won
                replay = await self._replay(clinic, provider.id, patient_id, start, idempotency_key)
                if replay is not None:
                    return replay
            if self.slot_conflict(exc):
                raise SlotTaken("that time was just taken") from None
            raise NotAllowed("the EHR refused the booking") from None
        appointment = appointment_in(check(created), self.clinic_id, self._zone(clinic), await self._names(clinic))
        if appointment is None:
            raise NotAllowed("the EHR booked something other than what was asked")
        return replace(appointment, booked_via=booked_via)

    def _check_time(self, slot: TimeSlot, provider: Provider) -> datetime:
        if slot.start.tzinfo is None or slot.end.tzinfo is None:
            raise NotAllowed("start must be a date-time with a UTC offset")
        start = slot.start.astimezone(timezone.utc)
        if slot.end - slot.start != timedelta(minutes=provider.default_appointment_duration):
            raise NotAllowed("that slot does not have this provider's visit length")
        lead = timedelta(minutes=self.settings.lead_minutes)
        if start < self.now() + lead - BOOKING_GRACE:
            raise NotAllowed("that time is in the past or too soon to book")
        return start

    async def _replay(self, clinic: ClinicRef, provider_id: str, patient_id: str, start: datetime,
                      key: str) -> Appointment | None:
        """The appointment an earlier attempt with this idempotency key booked, if any; the key on any
        other live appointment of the patient is IdempotencyConflict (a key names one booking)."""
        for existing in await self._booked_at(clinic, provider_id, start, start + timedelta(minutes=1), patient_id):
            if existing.start == start and key in existing.extra.get("idempotency_keys", ()):
                return existing
        try:
            others = await self._search_appointments(clinic, [
                ("patient", patient_id), ("date", f"ge{utc(self.now() - timedelta(days=1))}"),
                ("identifier", f"{IDEMPOTENCY_SYSTEM}|{key}")])
        except FhirError:   # a server without identifier search: the natural key above is all we have
            return None
        if any(key in a.extra.get("idempotency_keys", ()) and a.extra.get("fhir_status") in LIVE for a in others):
            raise IdempotencyConflict("that idempotency key was used for a different booking")
        return None

    async def _has_history(self, clinic: ClinicRef, patient_id: str) -> bool:
        since = self.now() - timedelta(days=3 * 365)
        found = await self._search_appointments(clinic, [("patient", patient_id), ("date", f"ge{utc(since)}")])
        return any(a.extra.get("fhir_status") not in ("cancelled", "entered-in-error") for a in found)

    async def cancel(self, clinic: ClinicRef, appointment_id: str, reason: str | None,
                     cancelled_by: str) -> Appointment:
        versioned, appointment = await self._read(clinic, appointment_id)
        self._check_changeable(appointment, "cancelled")
        await self._cancel_versioned(clinic, versioned, reason)
        return replace(appointment, status="CANCELLED", cancelled_at=self.now(), cancellation_reason=reason,
                       cancelled_by=(cancelled_by or "patient")[:50])

    async def _cancel_versioned(self, clinic: ClinicRef, versioned: Versioned, reason: str | None) -> None:
        """Cancel with If-Match; on a stale ETag read it again and try once more."""
        try:
            await self.cancel_appointment(versioned, reason)
        except FhirError as exc:
            if not self.stale_version(exc):
                raise NotAllowed("the EHR refused the change") from None
            fresh, current = await self._read(clinic, str(versioned.resource["id"]))
            if current.status == "CANCELLED":
                return
            self._check_changeable(current, "cancelled")
            try:
                await self.cancel_appointment(fresh, reason)
            except FhirError:
                raise NotAllowed("the appointment is being changed by someone else; try again") from None

    def _check_changeable(self, appointment: Appointment, verb: str) -> None:
        if appointment.status == "CANCELLED":
            raise NotAllowed(f"the appointment is already cancelled; it cannot be {verb}")
        if appointment.status != "SCHEDULED":
            raise NotAllowed(f"the appointment is {appointment.status.lower().replace('_', ' ')}; it cannot be {verb}")
        if appointment.start <= self.now():
            raise NotAllowed(f"the appointment has already started; it cannot be {verb}")

    async def reschedule(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                         idempotency_key: str | None, booked_via: str = "api",
                         cancelled_by: str = "patient") -> Appointment:
        """Book the new slot, then cancel the old appointment; if that cancel fails the new booking is
        cancelled again, so the patient never holds both."""
        versioned, old = await self._read(clinic, appointment_id)
        provider = await self.get_provider(clinic, new_slot.provider_id)
        start = self._check_time(new_slot, provider)
        if idempotency_key and old.status == "CANCELLED":
            replay = await self._replay(clinic, provider.id, old.patient_id, start, idempotency_key)
            if replay is not None:
                return replace(replay, rescheduled_from_id=old.id)
        self._check_changeable(old, "rescheduled")
        new = await self._book_slot(clinic, provider, old.patient_id, start, old.reason, idempotency_key, booked_via)
        try:
            await self._cancel_versioned(clinic, versioned, "rescheduled")
        except BaseException:
            await self._withdraw(clinic, new.id)
            raise
        return replace(new, rescheduled_from_id=old.id)

    async def _withdraw(self, clinic: ClinicRef, appointment_id: str) -> None:
        """Cancel a booking we just made (a reschedule that could not cancel the old one). If even
        that fails, the original error is what the caller hears; the double hold is logged (ids only)."""
        try:
            fresh, _ = await self._read(clinic, appointment_id)
            await self.cancel_appointment(fresh, "rescheduled back")
        except Exception as exc:   # noqa: BLE001 - never mask the error that started this
            log.warning("a rescheduled booking could not be withdrawn", extra={
                "event": "ehr_reschedule_withdraw_failed", "appointment_id": appointment_id,
                "error_type": type(exc).__name__})

    # ------------------------------------------------------------------ the dialect

    async def create_appointment(self, slot: dict[str, Any], practitioner_id: str, patient_id: str,
                                 reason: str | None, idempotency_key: str | None) -> dict[str, Any]:
        raise NotImplementedError

    async def cancel_appointment(self, versioned: Versioned, reason: str | None) -> None:
        raise NotImplementedError

    def slot_conflict(self, exc: FhirError) -> bool:
        """Does this refusal of a create mean someone else holds the slot?"""
        return exc.status == 409 or "conflict" in exc.outcome.codes

    def stale_version(self, exc: FhirError) -> bool:
        """Does this refusal of an update mean our If-Match was stale?"""
        return exc.status == 412
