"""`EHRAdapter` on Google Calendar: one calendar per provider.

* Free time = (provider's configured week ∩ clinic hours) − the calendar's busy times from
  `freeBusy`, cut into visit-length steps by the shared slot arithmetic (ehr/slots.py, slot_search.py).
* A booking is an event inserted with an id derived from the idempotency key: a retried insert
  answers 409 `duplicate` and the first event is returned. Google Calendar does not refuse
  overlapping events, so the adapter checks freeBusy first and, after inserting, looks at the
  other events of that time: when two bookings raced, the later-created one is withdrawn
  (cancelled) and reported as SlotTaken — both racers see the same order, so exactly one stays.
* The patient is kept in the event's private extended properties (`vap_patient_id`); patients
  themselves live on a registry calendar (patients.py).
* Cancel marks the event `cancelled` (Google keeps it readable) with `If-Match` on its ETag.
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

from ehr.bearer import google_service_account
from ehr import slots as S
from ehr.slot_search import plan
from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken
from ehr.google_calendar import ids
from ehr.google_calendar.api import CalendarApi, GoogleError
from ehr.google_calendar.patients import CalendarPatients
from ehr.google_calendar.settings import SCOPE, CalendarProvider, GoogleSettings
from ehr.types import Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot

log = logging.getLogger("ehr.google_calendar")
BOOKING_GRACE = timedelta(minutes=15)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def rfc3339(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))


class GoogleCalendarAdapter:
    vendor = "google"

    def __init__(self, settings: GoogleSettings, clinic_id: str, http: httpx.AsyncClient, *,
                 now: Callable[[], datetime] | None = None, token_clock: Callable[[], float] = time.time) -> None:
        self.settings, self.clinic_id = settings, clinic_id
        self.bearer = google_service_account(http, settings.token_uri, settings.client_email, settings.key, SCOPE,
                                             subject=settings.subject, clock=token_clock)
        self.api = CalendarApi(http, settings.api_base, self.bearer)
        self.patients = CalendarPatients(self.api, settings.patients_calendar_id, clinic_id)
        self._now = now or _utcnow
        self._hours = S.parse_week(settings.business_hours)

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

    def _provider(self, entry: CalendarProvider) -> Provider:
        return Provider(id=entry.id, clinic_id=self.clinic_id, first_name=entry.first_name, last_name=entry.last_name,
                        title=entry.title, specialty=entry.specialty, default_appointment_duration=entry.duration_minutes,
                        accepting_new_patients=entry.accepting_new_patients)

    def _entry(self, clinic: ClinicRef, provider_id: str) -> CalendarProvider:
        entry = next((p for p in self.settings.providers if p.id == provider_id), None) if self._own(clinic) else None
        if entry is None:
            raise NotFound("no such provider")
        return entry

    # ------------------------------------------------------------------ providers and free time

    async def list_providers(self, clinic: ClinicRef) -> list[Provider]:
        if not self._own(clinic):
            return []
        return sorted((self._provider(p) for p in self.settings.providers), key=lambda p: (p.last_name, p.first_name))

    async def get_provider(self, clinic: ClinicRef, provider_id: str, *, include_inactive: bool = False) -> Provider:
        return self._provider(self._entry(clinic, provider_id))

    async def find_slots(self, criteria: SlotCriteria) -> list[TimeSlot]:
        if not self._own(criteria.clinic):
            return []
        chosen = [p for p in self.settings.providers if not criteria.provider_ids or p.id in criteria.provider_ids]
        if criteria.specialty and criteria.specialty.strip():
            chosen = [p for p in chosen if (p.specialty or "").lower() == criteria.specialty.strip().lower()]
        zone = self._zone(criteria.clinic)
        search = plan(criteria, self.now(), zone, timedelta(minutes=self.settings.lead_minutes))
        if search is None or not chosen:
            return []
        busy = await self.api.free_busy([p.calendar_id for p in chosen], rfc3339(search.range_start - timedelta(hours=12)),
                                        rfc3339(search.range_end + timedelta(hours=12)))
        plans = [S.ProviderPlan(id=p.id, name=self._provider(p).display_name, duration_min=p.duration_minutes,
                                schedule=S.parse_week(p.schedule),
                                busy=[(int(parse_time({"dateTime": b["start"]}).timestamp()),
                                       int(parse_time({"dateTime": b["end"]}).timestamp())) for b in busy[p.calendar_id]])
                 for p in chosen]
        return [TimeSlot(c.provider.id, c.provider.name, S.to_datetime(c.start, zone), S.to_datetime(c.end, zone))
                for c in S.compute(plans, self._hours, S.WallClock(zone), search.request)]

    async def next_slots(self, clinic: ClinicRef, provider_id: str, after: datetime, limit: int = 3) -> list[TimeSlot]:
        local = after.astimezone(self._zone(clinic))
        return await self.find_slots(SlotCriteria(clinic=clinic, provider_ids=(provider_id,), date_from=local.date(),
                                                  date_to=local.date() + timedelta(days=13), not_before=after,
                                                  limit=limit, spread_days=False))

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

    def _appointment(self, entry: CalendarProvider, event: dict[str, Any], zone: ZoneInfo) -> Appointment | None:
        props = (event.get("extendedProperties") or {}).get("private") or {}
        if not props.get("vap_patient_id") or "dateTime" not in (event.get("start") or {}):
            return None   # not one of ours (a staff block, a lunch): never an appointment
        cancelled = event.get("status") == "cancelled"
        return Appointment(
            id=event["id"], clinic_id=self.clinic_id, provider_id=entry.id,
            provider_name=self._provider(entry).display_name, patient_id=props["vap_patient_id"],
            start=parse_time(event["start"]).astimezone(zone), end=parse_time(event["end"]).astimezone(zone),
            status="CANCELLED" if cancelled else "SCHEDULED", reason=props.get("vap_reason") or None,
            booked_via=props.get("vap_booked_via") or "api", rescheduled_from_id=props.get("vap_rescheduled_from") or None,
            cancellation_reason=props.get("vap_cancel_reason") if cancelled else None,
            cancelled_by=props.get("vap_cancelled_by") if cancelled else None,
            extra={"etag": event.get("etag"), "calendar_id": entry.calendar_id, "created": event.get("created", "")})

    async def _find(self, clinic: ClinicRef, appointment_id: str) -> tuple[CalendarProvider, Appointment]:
        if self._own(clinic) and appointment_id and ids.VALID.match(appointment_id):
            for entry in self.settings.providers:
                try:
                    event = await self.api.get_event(entry.calendar_id, appointment_id)
                except NotFound:
                    continue
                appointment = self._appointment(entry, event, self._zone(clinic))
                if appointment is not None:
                    return entry, appointment
        raise NotFound("no such appointment")

    async def get_appointment(self, clinic: ClinicRef, appointment_id: str) -> Appointment:
        return (await self._find(clinic, appointment_id))[1]

    async def _events(self, clinic: ClinicRef, entry: CalendarProvider, start: datetime, end: datetime,
                      *extra: tuple[str, str], deleted: bool = False) -> list[Appointment]:
        params = [("timeMin", rfc3339(start)), ("timeMax", rfc3339(end)), ("singleEvents", "true"),
                  ("showDeleted", "true" if deleted else "false"), ("maxResults", "250"), *extra]
        zone = self._zone(clinic)
        found = [self._appointment(entry, e, zone) for e in await self.api.list_events(entry.calendar_id, params)]
        return [a for a in found if a is not None]

    async def list_appointments(self, clinic: ClinicRef, start: datetime, end: datetime,
                                provider_id: str | None = None) -> list[Appointment]:
        entries = [self._entry(clinic, provider_id)] if provider_id else \
            (list(self.settings.providers) if self._own(clinic) else [])
        found = await asyncio.gather(*(self._events(clinic, e, start, end, deleted=True) for e in entries))
        return sorted((a for events in found for a in events if start <= a.start < end), key=lambda a: (a.start, a.id))

    async def upcoming_appointments(self, clinic: ClinicRef, patient: Patient) -> list[Appointment]:
        if not self._own(clinic) or not patient.id:
            return []
        now = self.now()
        found = await asyncio.gather(*(self._events(clinic, e, now, now + timedelta(days=730),
                                                    ("privateExtendedProperty", f"vap_patient_id={patient.id}"))
                                       for e in self.settings.providers))
        return sorted((a for events in found for a in events if a.start > now and a.status != "CANCELLED"),
                      key=lambda a: (a.start, a.id))

    # ------------------------------------------------------------------ appointments: writes

    def _check_time(self, entry: CalendarProvider, slot: TimeSlot, zone: ZoneInfo) -> None:
        if slot.start.tzinfo is None or slot.end.tzinfo is None:
            raise NotAllowed("start must be a date-time with a UTC offset")
        if slot.end - slot.start != timedelta(minutes=entry.duration_minutes):
            raise NotAllowed("that slot does not have this provider's visit length")
        if slot.start < self.now() + timedelta(minutes=self.settings.lead_minutes) - BOOKING_GRACE:
            raise NotAllowed("that time is in the past or too soon to book")
        if not S.fits_schedule(int(slot.start.timestamp()), int(slot.end.timestamp()), S.parse_week(entry.schedule),
                               self._hours, S.WallClock(zone)):
            raise NotAllowed("that is not a time this provider can be booked")

    async def book(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
                   idempotency_key: str | None, booked_via: str = "api", session_id: str | None = None) -> Appointment:
        entry, zone = self._entry(clinic, slot.provider_id), self._zone(clinic)
        self._check_time(entry, slot, zone)
        await self.patients.get(patient.id)
        event_id = ids.event_id(self.clinic_id, idempotency_key)
        if idempotency_key:
            replay = await self._replay(clinic, entry, event_id, slot, patient.id)
            if replay is not None:
                return replay
        if not entry.accepting_new_patients and not await self._has_history(clinic, patient.id):
            raise NotAllowed("this provider is not accepting new patients")
        return await self._insert(clinic, entry, event_id, slot, patient.id, reason, booked_via)

    async def _replay(self, clinic: ClinicRef, entry: CalendarProvider, event_id: str, slot: TimeSlot,
                      patient_id: str) -> Appointment | None:
        """The event an earlier attempt with this key made. Event ids are unique per calendar only, so
        every provider's calendar is asked: the key used with another provider is a conflict too."""
        async def probe(other: CalendarProvider) -> tuple[CalendarProvider, dict[str, Any]] | None:
            try:
                return other, await self.api.get_event(other.calendar_id, event_id)
            except NotFound:
                return None

        found = [f for f in await asyncio.gather(*(probe(p) for p in self.settings.providers)) if f is not None]
        if not found:
            return None
        owner, event = found[0]
        existing = self._appointment(owner, event, self._zone(clinic))
        if owner.id != entry.id or existing is None or existing.start != slot.start or existing.patient_id != patient_id:
            raise IdempotencyConflict("that idempotency key was used for a different booking")
        if existing.status == "CANCELLED":
            raise IdempotencyConflict("that booking was withdrawn; use a new idempotency key")
        return existing

    async def _has_history(self, clinic: ClinicRef, patient_id: str) -> bool:
        start = self.now() - timedelta(days=3 * 365)
        for entry in self.settings.providers:
            if await self._events(clinic, entry, start, self.now() + timedelta(days=730),
                                  ("privateExtendedProperty", f"vap_patient_id={patient_id}")):
                return True
        return False

    async def _busy(self, entry: CalendarProvider, slot: TimeSlot, moving: str | None) -> bool:
        """Is the time taken? freeBusy; when moving an appointment, its own event does not count (a
        visit moved by a quarter of an hour overlaps itself), so the events are listed instead."""
        if moving is None:
            found = await self.api.free_busy([entry.calendar_id], rfc3339(slot.start), rfc3339(slot.end))
            return bool(found[entry.calendar_id])
        events = await self.api.list_events(entry.calendar_id, [
            ("timeMin", rfc3339(slot.start)), ("timeMax", rfc3339(slot.end)), ("singleEvents", "true")])
        return any(e.get("id") != moving and e.get("status") != "cancelled"
                   and e.get("transparency", "opaque") == "opaque" for e in events)

    async def _insert(self, clinic: ClinicRef, entry: CalendarProvider, event_id: str, slot: TimeSlot, patient_id: str,
                      reason: str | None, booked_via: str, rescheduled_from: str | None = None) -> Appointment:
        if await self._busy(entry, slot, rescheduled_from):
            raise SlotTaken("that time was just taken")
        private = {"vap_patient_id": patient_id, "vap_booked_via": booked_via, "vap_reason": (reason or "")[:500],
                   "vap_rescheduled_from": rescheduled_from or ""}
        event = {"id": event_id, "summary": "Patient visit", "visibility": "private", "transparency": "opaque",
                 "start": {"dateTime": rfc3339(slot.start), "timeZone": clinic.timezone},
                 "end": {"dateTime": rfc3339(slot.end), "timeZone": clinic.timezone},
                 "extendedProperties": {"private": private}}
        try:
            created = await self.api.insert_event(entry.calendar_id, event)
        except GoogleError as exc:
            if exc.status != 409:
                raise NotAllowed("Google Calendar refused the booking") from None
            created = await self.api.get_event(entry.calendar_id, event_id)   # our own earlier attempt
        mine = self._appointment(entry, created, self._zone(clinic))
        if mine is None or mine.start != slot.start or mine.patient_id != patient_id:
            raise IdempotencyConflict("that idempotency key was used for a different booking")
        await self._settle_race(clinic, entry, mine, rescheduled_from)
        return mine

    async def _settle_race(self, clinic: ClinicRef, entry: CalendarProvider, mine: Appointment,
                           moving: str | None) -> None:
        """Two bookings that passed freeBusy together: the earlier-created (then smaller id) one stays."""
        rivals = [a for a in await self._events(clinic, entry, mine.start, mine.end)
                  if a.id not in (mine.id, moving) and a.status != "CANCELLED"
                  and a.start < mine.end and a.end > mine.start]
        key = (mine.extra.get("created", ""), mine.id)
        if any((r.extra.get("created", ""), r.id) < key for r in rivals):
            await self.api.patch_event(entry.calendar_id, mine.id, {"status": "cancelled", "extendedProperties": {
                "private": {"vap_cancel_reason": "lost a booking race", "vap_cancelled_by": "system"}}},
                mine.extra.get("etag"))
            raise SlotTaken("that time was just taken")

    async def cancel(self, clinic: ClinicRef, appointment_id: str, reason: str | None,
                     cancelled_by: str) -> Appointment:
        entry, appointment = await self._find(clinic, appointment_id)
        self._check_changeable(appointment, "cancelled")
        cancelled_by = (cancelled_by or "patient")[:50]
        patch = {"status": "cancelled", "extendedProperties": {"private": {
            "vap_cancel_reason": (reason or "")[:500], "vap_cancelled_by": cancelled_by}}}
        try:
            await self.api.patch_event(entry.calendar_id, appointment.id, patch, appointment.extra.get("etag"))
        except GoogleError as exc:
            if exc.status != 412:
                raise NotAllowed("Google Calendar refused the change") from None
            entry, appointment = await self._find(clinic, appointment_id)   # changed meanwhile: read, decide again
            if appointment.status != "CANCELLED":
                self._check_changeable(appointment, "cancelled")
                await self.api.patch_event(entry.calendar_id, appointment.id, patch, appointment.extra.get("etag"))
        return replace(appointment, status="CANCELLED", cancelled_at=self.now(), cancellation_reason=reason,
                       cancelled_by=cancelled_by)

    def _check_changeable(self, appointment: Appointment, verb: str) -> None:
        if appointment.status == "CANCELLED":
            raise NotAllowed(f"the appointment is already cancelled; it cannot be {verb}")
        if appointment.start <= self.now():
            raise NotAllowed(f"the appointment has already started; it cannot be {verb}")

    async def reschedule(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                         idempotency_key: str | None, booked_via: str = "api",
                         cancelled_by: str = "patient") -> Appointment:
        """Insert the new event, then cancel the old one (the new one is withdrawn if that fails)."""
        _, old = await self._find(clinic, appointment_id)
        entry, zone = self._entry(clinic, new_slot.provider_id), self._zone(clinic)
        self._check_time(entry, new_slot, zone)
        event_id = ids.event_id(self.clinic_id, idempotency_key, purpose=f"move:{old.id}")
        if idempotency_key:
            replay = await self._replay(clinic, entry, event_id, new_slot, old.patient_id)
            if replay is not None:
                return replay
        self._check_changeable(old, "rescheduled")
        new = await self._insert(clinic, entry, event_id, new_slot, old.patient_id, old.reason, booked_via, old.id)
        try:
            await self.cancel(clinic, old.id, "rescheduled", cancelled_by)
        except BaseException:
            try:
                await self.api.patch_event(entry.calendar_id, new.id, {"status": "cancelled"}, None)
            except Exception as exc:   # noqa: BLE001 - never mask the error that started this
                log.warning("a rescheduled booking could not be withdrawn", extra={
                    "event": "ehr_reschedule_withdraw_failed", "appointment_id": new.id,
                    "error_type": type(exc).__name__})
            raise
        return replace(new, rescheduled_from_id=old.id)
