"""`DrChronoAdapter`: the EHRAdapter seam on DrChrono REST v4 for one clinic (one practice's tokens).

DrChrono has no free-slot API, so free time is computed here exactly as the built-in calendar does
(ehr/slots.py): the clinic's hours (or a doctor's own week from the options) minus the doctor's live
appointments, cut into the doctor's visit length. DrChrono itself refuses an overlapping booking
with 409, which is the guarantee; the computation only decides what to offer. Doctors are read once
every few minutes (the API allows 500 requests an hour per application).
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from ehr import slots as S
from ehr.drchrono import mapping as M
from ehr.drchrono.api import DrChronoApi
from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken
from ehr.names import compact, same_phone
from ehr.phones import normalize_phone
from ehr.slot_search import DEFAULT_RANGE_DAYS, plan
from ehr.types import Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot

DOCTORS_SECONDS = 300.0
BOOKING_GRACE = timedelta(minutes=15)
MAX_WINDOW_DAYS = 190                 # DrChrono's largest date_range


class DrChronoAdapter:
    def __init__(self, api: DrChronoApi, clinic: ClinicRef, options: M.DrChronoOptions,
                 business_hours: Mapping[str, Any], now: Callable[[], datetime],
                 schedules: Mapping[str, Any] | None = None, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.api, self.clinic, self.opts = api, clinic, options
        self.zone = ZoneInfo(clinic.timezone)
        self.hours = S.parse_week(business_hours)
        self.schedules = {k: S.parse_week(v) for k, v in (schedules or {}).items()}
        self._now, self._mono = now, monotonic
        self._doctors: tuple[float, dict[str, Provider]] | None = None
        self._office: int | None = options.office

    def now(self) -> datetime:
        return self._now().astimezone(timezone.utc)

    def _own(self, clinic: ClinicRef) -> None:
        if clinic.id != self.clinic.id:      # one adapter serves one practice: never another clinic's data
            raise NotFound("no such clinic")

    # ------------------------------------------------------------------ doctors

    async def _providers(self) -> dict[str, Provider]:
        if self._doctors and self._mono() - self._doctors[0] < DOCTORS_SECONDS:
            return self._doctors[1]
        found: dict[str, Provider] = {}
        async for doc in self.api.pages("/api/doctors", {}):
            if doc.get("is_account_suspended"):
                continue
            p = M.provider(doc, self.clinic.id, self.opts)
            if not self.opts.doctors or p.id in self.opts.doctors:
                found[p.id] = p
        self._doctors = (self._mono(), found)
        return found

    async def list_providers(self, clinic: ClinicRef) -> list[Provider]:
        self._own(clinic)
        return sorted((await self._providers()).values(), key=lambda p: (p.last_name, p.first_name, p.id))

    async def get_provider(self, clinic: ClinicRef, provider_id: str, *, include_inactive: bool = False) -> Provider:
        self._own(clinic)
        found = (await self._providers()).get(str(provider_id))
        if found is None:
            raise NotFound("no such provider")
        return found

    async def _names(self) -> dict[str, str]:
        return {pid: p.display_name for pid, p in (await self._providers()).items()}

    # ------------------------------------------------------------------ free time

    async def _appointments(self, params: dict[str, Any], first: date, last: date) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while first <= last:
            chunk_end = min(last, first + timedelta(days=MAX_WINDOW_DAYS - 1))
            out += await self.api.all("/api/appointments", {**params, "date_range": f"{first}/{chunk_end}"})
            first = chunk_end + timedelta(days=1)
        return out

    async def find_slots(self, criteria: SlotCriteria) -> list[TimeSlot]:
        self._own(criteria.clinic)
        providers = list((await self._providers()).values())
        if criteria.provider_ids:
            wanted = {str(x) for x in criteria.provider_ids}
            providers = [p for p in providers if p.id in wanted]
        if criteria.specialty and criteria.specialty.strip():
            providers = [p for p in providers if (p.specialty or "").lower() == criteria.specialty.strip().lower()]
        search = plan(criteria, self.now(), self.zone, timedelta(minutes=self.opts.booking_lead_minutes))
        if not providers or search is None or not search.dates:
            return []
        first, last = search.dates[0] - timedelta(days=1), search.dates[-1]
        # One listing for the whole search (filtered by doctor only when there is one): fewer
        # requests against DrChrono's hourly limit than one listing per doctor.
        params = {"doctor": providers[0].id} if len(providers) == 1 else {}
        busy_of: dict[str, list[tuple[int, int]]] = {p.id: [] for p in providers}
        for a in await self._appointments(params, first, last):
            if M.is_live(a) and str(a.get("doctor")) in busy_of:
                busy_of[str(a.get("doctor"))].append(M.busy_interval(a, self.zone))
        plans = []
        for p in providers:
            busy = busy_of[p.id]
            plans.append(S.ProviderPlan(id=p.id, name=p.display_name, duration_min=p.default_appointment_duration,
                                        schedule=self.schedules.get(p.id, self.hours), busy=busy))
        found = S.compute(plans, self.hours, S.WallClock(self.zone), search.request)
        return [TimeSlot(c.provider.id, c.provider.name, S.to_datetime(c.start, self.zone),
                         S.to_datetime(c.end, self.zone)) for c in found]

    async def next_slots(self, clinic: ClinicRef, provider_id: str, after: datetime, limit: int = 3) -> list[TimeSlot]:
        local = after.astimezone(self.zone)
        return await self.find_slots(SlotCriteria(
            clinic=clinic, provider_ids=(provider_id,), date_from=local.date(),
            date_to=local.date() + timedelta(days=DEFAULT_RANGE_DAYS - 1), not_before=after, limit=limit,
            spread_days=False))

    # ------------------------------------------------------------------ patients

    async def _by_birth_date(self, date_of_birth: date) -> list[dict[str, Any]]:
        return await self.api.all("/api/patients", {"date_of_birth": date_of_birth.isoformat()})

    async def find_patients(self, clinic: ClinicRef, last_name: str, date_of_birth: date,
                            first_name: str | None = None, phone: str | None = None) -> list[Patient]:
        """Same date of birth and folded last name (DrChrono's own name filter is exact, so the
        practice's patients born that day are compared here, as the built-in calendar compares)."""
        self._own(clinic)
        want = compact(last_name)
        found = [M.patient(p, clinic.id) for p in await self._by_birth_date(date_of_birth)
                 if compact(p.get("last_name")) == want and not p.get("archived")]
        if first_name and len(found) > 1:
            found = [p for p in found if compact(p.first_name) == compact(first_name)] or found
        if phone and len(found) > 1:
            found = [p for p in found if same_phone(p.phone, phone)] or found
        return found

    async def find_patients_by_phone(self, clinic: ClinicRef, date_of_birth: date, phone: str) -> list[Patient]:
        self._own(clinic)
        wanted = normalize_phone(phone)
        if wanted is None:
            return []
        return [M.patient(p, clinic.id) for p in await self._by_birth_date(date_of_birth)
                if wanted in M.phones(p) and not p.get("archived")]

    async def create_patient(self, clinic: ClinicRef, patient: NewPatient) -> Patient:
        self._own(clinic)
        doctors = await self._providers()
        if not doctors:
            raise NotAllowed("the practice has no doctor to register a patient with")
        body = {"first_name": patient.first_name, "last_name": patient.last_name,
                "date_of_birth": patient.date_of_birth.isoformat(), "gender": "UNK", "doctor": _num(sorted(doctors)[0])}
        if patient.phone:
            body["cell_phone"] = patient.phone
        if patient.email:
            body["email"] = patient.email
        response = await self.api.request("POST", self.api.url("/api/patients"), json=body)
        return M.patient(response.json(), clinic.id)

    async def find_or_create_patient(self, clinic: ClinicRef, patient: NewPatient) -> tuple[Patient, bool]:
        candidates = await self.find_patients(clinic, patient.last_name, patient.date_of_birth)
        confirmed = [c for c in candidates if compact(c.first_name) == compact(patient.first_name)]
        if len(confirmed) > 1 and patient.phone:
            confirmed = [c for c in confirmed if same_phone(c.phone, patient.phone)] or confirmed
        if confirmed:
            return confirmed[0], False
        return await self.create_patient(clinic, patient), True

    # ------------------------------------------------------------------ appointments (reads)

    async def _raw(self, appointment_id: str) -> dict[str, Any]:
        raw = await self.api.get("/api/appointments/{}", appointment_id)
        if raw.get("deleted_flag") or str(raw.get("doctor")) not in await self._providers():
            raise NotFound("no such appointment")
        return raw

    async def get_appointment(self, clinic: ClinicRef, appointment_id: str) -> Appointment:
        self._own(clinic)
        return M.appointment(await self._raw(appointment_id), clinic.id, await self._names(), self.zone)

    async def list_appointments(self, clinic: ClinicRef, start: datetime, end: datetime,
                                provider_id: str | None = None) -> list[Appointment]:
        self._own(clinic)
        if start.tzinfo is None or end.tzinfo is None:
            raise NotAllowed("start and end must carry a UTC offset")
        if end <= start:
            return []
        if provider_id is not None and str(provider_id) not in await self._providers():
            raise NotFound("no such provider")
        params = {"doctor": provider_id} if provider_id is not None else {}
        raw = await self._appointments(params, start.astimezone(self.zone).date(),
                                       (end - timedelta(microseconds=1)).astimezone(self.zone).date())
        names, doctors = await self._names(), await self._providers()
        out = [M.appointment(a, clinic.id, names, self.zone) for a in raw
               if not a.get("deleted_flag") and str(a.get("doctor")) in doctors]
        return sorted((a for a in out if start <= a.start < end), key=lambda a: (a.start, a.id))

    async def upcoming_appointments(self, clinic: ClinicRef, patient: Patient) -> list[Appointment]:
        self._own(clinic)
        today = self.now().astimezone(self.zone).date()
        raw = await self.api.all("/api/appointments", {
            "patient": patient.id, "date_range": f"{today}/{today + timedelta(days=MAX_WINDOW_DAYS - 1)}"})
        names, doctors, now = await self._names(), await self._providers(), self.now()
        out = [M.appointment(a, clinic.id, names, self.zone) for a in raw
               if M.is_live(a) and str(a.get("doctor")) in doctors]
        return sorted((a for a in out if a.start > now), key=lambda a: (a.start, a.id))

    # ------------------------------------------------------------------ writes

    async def _validate(self, slot: TimeSlot) -> Provider:
        provider = (await self._providers()).get(str(slot.provider_id))
        if provider is None:
            raise NotFound("no such provider")
        if slot.start.tzinfo is None or slot.end.tzinfo is None:
            raise NotAllowed("the slot must carry a UTC offset")
        if slot.end - slot.start != timedelta(minutes=provider.default_appointment_duration):
            raise NotAllowed(f"appointments with this provider last {provider.default_appointment_duration} minutes")
        now = self.now()
        if slot.start <= now:
            raise NotAllowed("that time is in the past")
        if slot.start < now + timedelta(minutes=self.opts.booking_lead_minutes) - BOOKING_GRACE:
            raise NotAllowed("that time is too soon to book")
        if not S.fits_schedule(int(slot.start.timestamp()), int(slot.end.timestamp()),
                               self.schedules.get(provider.id, self.hours), self.hours, S.WallClock(self.zone)):
            raise NotAllowed("that time is outside the provider's hours")
        return provider

    async def _office_id(self) -> int:
        if self._office is None:
            offices = await self.api.all("/api/offices", {})
            if not offices:
                raise NotAllowed("the practice has no office to book into")
            self._office = int(offices[0]["id"])
        return self._office

    async def _by_key(self, provider_id: str, start: datetime, key: str) -> dict[str, Any] | None:
        day = start.astimezone(self.zone).date()
        for a in await self.api.all("/api/appointments", {"doctor": provider_id, "date": day.isoformat()}):
            if f"{M.KEY_MARK}{key}" in (a.get("notes") or "") and not a.get("deleted_flag"):
                return a
        return None

    async def book(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
                   idempotency_key: str | None, booked_via: str = "api",
                   session_id: str | None = None) -> Appointment:
        self._own(clinic)
        provider = await self._validate(slot)
        names = await self._names()
        if idempotency_key:
            replay = await self._by_key(provider.id, slot.start, idempotency_key)
            if replay is not None:
                return self._replayed(replay, clinic, names, provider.id, slot.start, patient.id)
        body = {"doctor": _num(provider.id), "patient": _num(patient.id), "office": await self._office_id(),
                "exam_room": self.opts.exam_room, "scheduled_time": M.local_naive(slot.start, self.zone),
                "duration": provider.default_appointment_duration, "reason": reason or "",
                "notes": f"{M.KEY_MARK}{idempotency_key}" if idempotency_key else ""}
        try:
            # With a key the POST is safe to send again: a duplicate would overlap (409) and be found by key.
            response = await self.api.request("POST", self.api.url("/api/appointments"), json=body,
                                              retry_safe=bool(idempotency_key))
        except SlotTaken:
            if idempotency_key:
                replay = await self._by_key(provider.id, slot.start, idempotency_key)
                if replay is not None:
                    return self._replayed(replay, clinic, names, provider.id, slot.start, patient.id)
            raise
        return M.appointment(response.json(), clinic.id, names, self.zone)

    def _replayed(self, raw: dict[str, Any], clinic: ClinicRef, names: Mapping[str, str], provider_id: str,
                  start: datetime, patient_id: str) -> Appointment:
        found = M.appointment(raw, clinic.id, names, self.zone)
        if found.provider_id != provider_id or found.start != start or found.patient_id != str(patient_id):
            raise IdempotencyConflict("this idempotency key was already used for a different request")
        return found

    @staticmethod
    def _changeable(found: Appointment, now: datetime, verb: str) -> None:
        if found.status == "CANCELLED":
            raise NotAllowed(f"the appointment is already cancelled; it cannot be {verb}")
        if found.status not in ("SCHEDULED", "CONFIRMED"):
            raise NotAllowed(f"the appointment is {found.status.lower()}; it cannot be {verb}")
        if found.start <= now:
            raise NotAllowed(f"the appointment has already started; it cannot be {verb}")

    async def cancel(self, clinic: ClinicRef, appointment_id: str, reason: str | None,
                     cancelled_by: str) -> Appointment:
        self._own(clinic)
        found = M.appointment(await self._raw(appointment_id), clinic.id, await self._names(), self.zone)
        self._changeable(found, self.now(), "cancelled")
        await self.api.request("PATCH", self.api.url("/api/appointments/{}", appointment_id),
                               json={"status": "Cancelled"}, retry_safe=True)
        return Appointment(**{**found.__dict__, "status": "CANCELLED", "cancelled_at": self.now(),
                              "cancellation_reason": reason, "cancelled_by": cancelled_by})

    async def reschedule(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                         idempotency_key: str | None, booked_via: str = "api",
                         cancelled_by: str = "patient") -> Appointment:
        """DrChrono moves an appointment in place (PATCH scheduled_time): the id stays the same.
        A 409 (the new time overlaps) leaves it where it was."""
        self._own(clinic)
        raw = await self._raw(appointment_id)
        names = await self._names()
        found = M.appointment(raw, clinic.id, names, self.zone)
        provider = await self._validate(new_slot)
        if found.provider_id == provider.id and found.start == new_slot.start:
            return found                       # a retry of a move that already happened
        self._changeable(found, self.now(), "rescheduled")
        await self.api.request("PATCH", self.api.url("/api/appointments/{}", appointment_id), json={
            "doctor": _num(provider.id), "scheduled_time": M.local_naive(new_slot.start, self.zone),
            "duration": provider.default_appointment_duration}, retry_safe=True)
        return Appointment(**{**found.__dict__, "provider_id": provider.id, "provider_name": provider.display_name,
                              "start": new_slot.start.astimezone(self.zone),
                              "end": new_slot.end.astimezone(self.zone), "status": "SCHEDULED"})


def _num(value: str) -> Any:
    return int(value) if str(value).isdigit() else value
