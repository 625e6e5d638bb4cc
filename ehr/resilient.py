"""`ResilientEHR`: any EHRAdapter behind a deadline, a circuit breaker and a short availability cache.

What the dialogue and the REST API see of an EHR that misbehaves is always the typed `Unavailable`:
an httpx transport error or timeout, a 5xx that retries (ehr/http_retry.py) could not cure, a call
that outlives `call_timeout`, or an open breaker. A write that fails this way is never reported as
done: the caller hears that the schedule cannot be reached. Domain answers (NotFound, SlotTaken,
NotAllowed) pass through unchanged and count as the EHR being healthy.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Awaitable, Callable, TypeVar

import httpx

from ehr.availability_cache import AvailabilityCache
from ehr.breaker import BreakerBoard
from ehr.errors import EHRError, Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot

log = logging.getLogger("ehr.resilient")
T = TypeVar("T")


@dataclass(frozen=True)
class ResiliencePolicy:
    call_timeout: float | None = 8.0   # seconds for one adapter call, retries included (None: no deadline)
    cache_ttl: float = 20.0            # seconds an availability answer is reused; 0: no cache
    use_breaker: bool = True


class ResilientEHR:
    """Wraps `inner` (one EHR, named `ehr_name` for the breaker key). Implements EHRAdapter."""

    def __init__(self, inner: EHRAdapter, *, ehr_name: str, breakers: BreakerBoard | None = None,
                 cache: AvailabilityCache | None = None, policy: ResiliencePolicy | None = None) -> None:
        self.inner, self.ehr_name = inner, ehr_name
        self.policy = policy or ResiliencePolicy()
        self.breakers = breakers if (breakers is not None and self.policy.use_breaker) else None
        self.cache = cache if self.policy.cache_ttl > 0 else None

    def now(self) -> datetime:
        return self.inner.now()

    # ------------------------------------------------------------------ the guard

    async def _call(self, clinic: ClinicRef, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        breaker = self.breakers.get(self.ehr_name, clinic.id) if self.breakers is not None else None
        if breaker is not None:
            breaker.before_call()
        try:
            async with asyncio.timeout(self.policy.call_timeout):
                result = await fn()
        except EHRError as exc:
            if breaker is not None:
                (breaker.failure if isinstance(exc, Unavailable) else breaker.success)()
            if isinstance(exc, Unavailable):
                self._warn(what, type(exc).__name__)
            raise
        except (TimeoutError, httpx.TimeoutException) as exc:
            self._failed(breaker, what, exc)
            raise Unavailable("the EHR did not answer in time") from exc
        except (httpx.TransportError, httpx.HTTPStatusError, httpx.DecodingError) as exc:
            self._failed(breaker, what, exc)
            raise Unavailable("the EHR cannot be reached right now") from exc
        except asyncio.CancelledError:
            if breaker is not None:
                breaker.release_probe()
            raise
        except Exception as exc:     # a 200 that is not JSON (a maintenance page), a payload we cannot map
            self._failed(breaker, what, exc)
            raise Unavailable("the EHR answered something we cannot read") from exc
        if breaker is not None:
            breaker.success()
        return result

    def _failed(self, breaker: Any, what: str, exc: BaseException) -> None:
        if breaker is not None:
            breaker.failure()
        self._warn(what, type(exc).__name__)

    def _warn(self, what: str, error_type: str) -> None:
        log.warning("EHR unavailable", extra={"event": "ehr_unavailable", "ehr": self.ehr_name,
                                              "operation": what, "error_type": error_type})

    async def _invalidate(self, clinic: ClinicRef) -> None:
        if self.cache is None:
            return
        try:
            await self.cache.invalidate(clinic.id)
        except Exception:   # a cache that cannot be cleared must not fail a booking that succeeded
            log.warning("availability cache not invalidated", extra={"event": "ehr_cache_error"})

    async def _cached_slots(self, clinic: ClinicRef, key_parts: Any,
                            fetch: Callable[[], Awaitable[list[TimeSlot]]]) -> list[TimeSlot]:
        if self.cache is None:
            return await self._call(clinic, "find_slots", fetch)
        key = hashlib.sha256(json.dumps(key_parts, default=_jsonable, sort_keys=True).encode()).hexdigest()
        try:
            generation = await self.cache.generation(clinic.id)
            hit = await self.cache.get(clinic.id, generation, key)
        except Exception:   # a cache that is down only costs a vendor call
            generation, hit = None, None
        if hit is not None:
            return [TimeSlot.from_json(item) for item in json.loads(hit)]
        slots = await self._call(clinic, "find_slots", fetch)
        if generation is not None:
            try:
                await self.cache.put(clinic.id, generation, key, json.dumps([s.to_json() for s in slots]),
                                     self.policy.cache_ttl)
            except Exception:
                log.warning("availability cache not written", extra={"event": "ehr_cache_error"})
        return slots

    # ------------------------------------------------------------------ EHRAdapter

    async def list_providers(self, clinic: ClinicRef) -> list[Provider]:
        return await self._call(clinic, "list_providers", lambda: self.inner.list_providers(clinic))

    async def get_provider(self, clinic: ClinicRef, provider_id: str, *, include_inactive: bool = False) -> Provider:
        return await self._call(clinic, "get_provider", lambda: self.inner.get_provider(
            clinic, provider_id, include_inactive=include_inactive))

    async def find_slots(self, criteria: SlotCriteria) -> list[TimeSlot]:
        parts = ("find", self.ehr_name, criteria.clinic.timezone, criteria.provider_ids, criteria.specialty,
                 criteria.date_from, criteria.date_to, criteria.part_of_day, criteria.earliest_time,
                 criteria.latest_time, criteria.weekdays, criteria.limit, criteria.spread_days,
                 criteria.exclude_starts, criteria.not_before, criteria.not_after)
        return await self._cached_slots(criteria.clinic, parts, lambda: self.inner.find_slots(criteria))

    async def next_slots(self, clinic: ClinicRef, provider_id: str, after: datetime, limit: int = 3) -> list[TimeSlot]:
        parts = ("next", self.ehr_name, clinic.timezone, provider_id, after, limit)
        return await self._cached_slots(clinic, parts, lambda: self.inner.next_slots(clinic, provider_id, after, limit))

    async def find_patients(self, clinic: ClinicRef, last_name: str, date_of_birth: date,
                            first_name: str | None = None, phone: str | None = None) -> list[Patient]:
        return await self._call(clinic, "find_patients", lambda: self.inner.find_patients(
            clinic, last_name, date_of_birth, first_name, phone))

    async def find_patients_by_phone(self, clinic: ClinicRef, date_of_birth: date, phone: str) -> list[Patient]:
        return await self._call(clinic, "find_patients_by_phone",
                                lambda: self.inner.find_patients_by_phone(clinic, date_of_birth, phone))

    async def create_patient(self, clinic: ClinicRef, patient: NewPatient) -> Patient:
        return await self._call(clinic, "create_patient", lambda: self.inner.create_patient(clinic, patient))

    async def find_or_create_patient(self, clinic: ClinicRef, patient: NewPatient) -> tuple[Patient, bool]:
        return await self._call(clinic, "find_or_create_patient",
                                lambda: self.inner.find_or_create_patient(clinic, patient))

    async def book(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
                   idempotency_key: str | None, booked_via: str = "api",
                   session_id: str | None = None) -> Appointment:
        try:
            return await self._call(clinic, "book", lambda: self.inner.book(
                clinic, slot, patient, reason, idempotency_key, booked_via, session_id))
        finally:
            await self._invalidate(clinic)

    async def cancel(self, clinic: ClinicRef, appointment_id: str, reason: str | None,
                     cancelled_by: str) -> Appointment:
        try:
            return await self._call(clinic, "cancel", lambda: self.inner.cancel(
                clinic, appointment_id, reason, cancelled_by))
        finally:
            await self._invalidate(clinic)

    async def reschedule(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                         idempotency_key: str | None, booked_via: str = "api",
                         cancelled_by: str = "patient") -> Appointment:
        try:
            return await self._call(clinic, "reschedule", lambda: self.inner.reschedule(
                clinic, appointment_id, new_slot, idempotency_key, booked_via, cancelled_by))
        finally:
            await self._invalidate(clinic)

    async def upcoming_appointments(self, clinic: ClinicRef, patient: Patient) -> list[Appointment]:
        return await self._call(clinic, "upcoming_appointments",
                                lambda: self.inner.upcoming_appointments(clinic, patient))

    async def get_appointment(self, clinic: ClinicRef, appointment_id: str) -> Appointment:
        return await self._call(clinic, "get_appointment", lambda: self.inner.get_appointment(clinic, appointment_id))

    async def list_appointments(self, clinic: ClinicRef, start: datetime, end: datetime,
                                provider_id: str | None = None) -> list[Appointment]:
        return await self._call(clinic, "list_appointments",
                                lambda: self.inner.list_appointments(clinic, start, end, provider_id))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return str(value)
