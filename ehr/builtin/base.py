"""Shared plumbing of the built-in calendar: `ehr.protocol.EHRAdapter` on the PostgreSQL schema of migration 0001.

Guarantees kept by the database, not by this code: two live appointments of one provider never
overlap (exclusion constraint `appointments_no_overlap`; a violation becomes `SlotTaken`), and a
clinic's idempotency key names at most one appointment (unique index `appointments_idempotency`).
Every statement filters by clinic_id; an id of another clinic is `NotFound`, exactly like an id
that does not exist. Every write appends its audit event in the same transaction.
"""
from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ehr.errors import NotAllowed, Unavailable
from ehr.types import (Appointment, Patient, Provider)
from storage.audit_anchor import AuditAnchors

log = logging.getLogger("ehr.builtin")


DEFAULT_RANGE_DAYS = 14
BOOKING_GRACE = timedelta(minutes=15)    # an offered slot may still be booked this far inside the lead time
MAX_APPOINTMENT = timedelta(minutes=480)  # CHECK on providers.default_appointment_duration
BOOKED_VIA = ("web", "sms", "voice", "api", "import")
CANCELLABLE = ("SCHEDULED", "CONFIRMED")

_APPOINTMENT_COLUMNS = """a.id::text AS id, a.clinic_id::text AS clinic_id, a.provider_id::text AS provider_id,
    a.patient_id::text AS patient_id, a.scheduled_start, a.scheduled_end, a.status::text AS status, a.reason,
    a.booked_via, a.is_new_patient_visit, a.rescheduled_from_id::text AS rescheduled_from_id, a.cancelled_at,
    a.cancellation_reason, a.cancelled_by, a.idempotency_key,
    p.first_name AS p_first_name, p.last_name AS p_last_name, p.title AS p_title, c.timezone AS tz"""
_APPOINTMENT_FROM = """appointments a
    JOIN providers p ON p.clinic_id = a.clinic_id AND p.id = a.provider_id
    JOIN clinics c ON c.id = a.clinic_id"""
_PATIENT_COLUMNS = """id::text AS id, clinic_id::text AS clinic_id, first_name, last_name, date_of_birth,
    phone, email"""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _uuid(value: Any) -> str | None:
    """The canonical form of a UUID string, or None when it is not one (→ NotFound, never a 500)."""
    if value is None:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("clinic has an unknown time zone; using UTC", extra={"event": "ehr_bad_timezone"})
        return ZoneInfo("UTC")


def _display_name(first: str, last: str, title: str | None) -> str:
    return f"{title} {first} {last}".strip() if title else f"{first} {last}"


def _require_aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise NotAllowed(f"{what} must be a date-time with a UTC offset")
    return value


class CalendarBase:
    """The PostgreSQL calendar. One instance per process; it holds no per-clinic state.

    `lead_time`: no slot is offered sooner than this after now (a clinic's
    `settings.booking_lead_minutes` overrides it). `now`: a callable returning the aware UTC now,
    injectable so tests can stand on either side of a DST change. `anchors`: where each audit event's
    chain head is anchored (`storage.audit_anchor`); the app always passes it.
    """

    def __init__(self, pool: AsyncConnectionPool, *, lead_time: timedelta = timedelta(hours=1),
                 now: Callable[[], datetime] | None = None, anchors: AuditAnchors | None = None) -> None:
        self.pool = pool
        self.anchors = anchors
        self.lead_time = lead_time
        self._now = now or _utcnow

    # ------------------------------------------------------------------ plumbing

    def now(self) -> datetime:
        value = self._now()
        if value.tzinfo is None:
            raise ValueError("the calendar's clock must return an aware datetime")
        return value.astimezone(timezone.utc)

    @contextlib.asynccontextmanager
    async def _conn(self, *, transaction: bool = False,
                    retried: bool = False) -> AsyncIterator[psycopg.AsyncConnection]:
        """A pooled connection; an outage becomes Unavailable. `retried`: the caller retries a deadlock
        itself (bookings), so it is passed through instead of being reported as an outage."""
        try:
            async with self.pool.connection() as conn:
                if transaction:
                    async with conn.transaction():
                        yield conn
                else:
                    yield conn
        except (psycopg.errors.DeadlockDetected, psycopg.errors.TransactionRollback) as exc:
            if retried:
                raise   # a deadlock between racing writers is not an outage: the caller retries
            raise Unavailable("the calendar is busy right now") from exc
        except (PoolTimeout, psycopg.OperationalError) as exc:
            log.warning("calendar database unavailable", extra={"event": "ehr_unavailable",
                                                                "error_type": type(exc).__name__})
            raise Unavailable("the calendar is unavailable right now") from exc

    def _lead(self, settings: dict[str, Any] | None) -> timedelta:
        raw = (settings or {}).get("booking_lead_minutes")
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 <= raw <= 60 * 24 * 60:
            return timedelta(minutes=raw)
        return max(self.lead_time, timedelta(0))

    @staticmethod
    def _provider(row: dict[str, Any], clinic_id: str) -> Provider:
        return Provider(id=row["id"], clinic_id=clinic_id, first_name=row["first_name"],
                        last_name=row["last_name"], title=row["title"], specialty=row["specialty"],
                        default_appointment_duration=row["default_appointment_duration"],
                        accepting_new_patients=row["accepting_new_patients"])

    @staticmethod
    def _appointment(row: dict[str, Any]) -> Appointment:
        zone = _zone(row["tz"])
        return Appointment(
            id=row["id"], clinic_id=row["clinic_id"], provider_id=row["provider_id"],
            provider_name=_display_name(row["p_first_name"], row["p_last_name"], row["p_title"]),
            patient_id=row["patient_id"], start=row["scheduled_start"].astimezone(zone),
            end=row["scheduled_end"].astimezone(zone), status=row["status"], reason=row["reason"],
            booked_via=row["booked_via"], is_new_patient_visit=row["is_new_patient_visit"],
            rescheduled_from_id=row["rescheduled_from_id"],
            cancelled_at=row["cancelled_at"].astimezone(zone) if row["cancelled_at"] else None,
            cancellation_reason=row["cancellation_reason"], cancelled_by=row["cancelled_by"])

    @staticmethod
    def _patient(row: dict[str, Any]) -> Patient:
        return Patient(id=row["id"], clinic_id=row["clinic_id"], first_name=row["first_name"],
                       last_name=row["last_name"], date_of_birth=row["date_of_birth"], phone=row["phone"],
                       email=row["email"])

    # ------------------------------------------------------------------ providers
