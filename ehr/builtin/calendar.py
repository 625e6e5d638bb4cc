"""The built-in calendar: `ehr.protocol.EHRAdapter` on the PostgreSQL schema of migration 0001.

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
from datetime import date, datetime, timedelta, timezone
from typing import Any, AsyncIterator, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ehr.builtin import slots as S
from ehr.builtin.patients import compact, normalize_phone, same_phone, sql_compact
from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken, Unavailable
from ehr.types import (PART_OF_DAY_BOUNDS, Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria,
                       TimeSlot)
from storage import audit

log = logging.getLogger("ehr.builtin")

MAX_RANGE_DAYS = 92                      # a search never looks further than this
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


class BuiltinCalendar:
    """The PostgreSQL calendar. One instance per process; it holds no per-clinic state.

    `lead_time`: no slot is offered sooner than this after now (a clinic's
    `settings.booking_lead_minutes` overrides it). `now`: a callable returning the aware UTC now,
    injectable so tests can stand on either side of a DST change.
    """

    def __init__(self, pool: AsyncConnectionPool, *, lead_time: timedelta = timedelta(hours=1),
                 now: Callable[[], datetime] | None = None) -> None:
        self.pool = pool
        self.lead_time = lead_time
        self._now = now or _utcnow

    # ------------------------------------------------------------------ plumbing

    def now(self) -> datetime:
        value = self._now()
        if value.tzinfo is None:
            raise ValueError("the calendar's clock must return an aware datetime")
        return value.astimezone(timezone.utc)

    @contextlib.asynccontextmanager
    async def _conn(self, *, transaction: bool = False) -> AsyncIterator[psycopg.AsyncConnection]:
        try:
            async with self.pool.connection() as conn:
                if transaction:
                    async with conn.transaction():
                        yield conn
                else:
                    yield conn
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

    async def list_providers(self, clinic: ClinicRef) -> list[Provider]:
        """The clinic's bookable providers (ACTIVE, not deleted), by last then first name."""
        clinic_id = _uuid(clinic.id)
        if clinic_id is None:
            return []
        async with self._conn() as conn:
            cur = await conn.execute(
                """SELECT id::text AS id, first_name, last_name, title, specialty, default_appointment_duration,
                          accepting_new_patients
                   FROM providers WHERE clinic_id = %s AND status = 'ACTIVE' AND NOT is_deleted
                   ORDER BY last_name, first_name, id""", (clinic_id,))
            return [self._provider(r, clinic_id) for r in await cur.fetchall()]

    async def get_provider(self, clinic: ClinicRef, provider_id: str, *, include_inactive: bool = False) -> Provider:
        """One provider of this clinic (bookable ones only, unless `include_inactive`), else NotFound."""
        clinic_id, pid = _uuid(clinic.id), _uuid(provider_id)
        if clinic_id is None or pid is None:
            raise NotFound("no such provider")
        async with self._conn() as conn:
            cur = await conn.execute(
                """SELECT id::text AS id, first_name, last_name, title, specialty, default_appointment_duration,
                          accepting_new_patients
                   FROM providers WHERE clinic_id = %s AND id = %s AND NOT is_deleted
                     AND (%s OR status = 'ACTIVE')""",
                (clinic_id, pid, include_inactive))
            row = await cur.fetchone()
        if row is None:
            raise NotFound("no such provider")
        return self._provider(row, clinic_id)

    # ------------------------------------------------------------------ free time

    async def find_slots(self, criteria: SlotCriteria) -> list[TimeSlot]:
        """Free slots matching `criteria`, soonest first (spread across days unless told otherwise).

        Two statements per search whatever the range or number of providers: nothing, then the
        providers with the clinic's hours, zone and settings joined to each provider's busy
        intervals over the whole range (aggregated into arrays, one row per provider)."""
        clinic_id = _uuid(criteria.clinic.id)
        if clinic_id is None:
            return []
        provider_ids: list[str] | None = None
        if criteria.provider_ids:
            provider_ids = [p for p in (_uuid(x) for x in criteria.provider_ids) if p]
            if not provider_ids:
                return []
        specialty = criteria.specialty.strip() if criteria.specialty and criteria.specialty.strip() else None

        now = self.now()
        # Range bounds for the busy-interval query, in the zone the caller believes the clinic is in,
        # widened by a day each side; the exact computation below uses the clinic row's own zone.
        ref_zone = _zone(criteria.clinic.timezone)
        date_from = criteria.date_from or now.astimezone(ref_zone).date()
        date_to = criteria.date_to or date_from + timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if date_to < date_from:
            return []
        if (date_to - date_from).days >= MAX_RANGE_DAYS:
            date_to = date_from + timedelta(days=MAX_RANGE_DAYS - 1)
        range_start = datetime.combine(date_from - timedelta(days=1), datetime.min.time(), ref_zone)
        range_end = datetime.combine(date_to + timedelta(days=2), datetime.min.time(), ref_zone)
        if criteria.not_before is not None:
            range_start = max(range_start, _require_aware(criteria.not_before, "not_before"))
        range_start = max(range_start, now)
        if criteria.not_after is not None:
            range_end = min(range_end, _require_aware(criteria.not_after, "not_after"))
        if range_end <= range_start:
            return []

        async with self._conn() as conn:
            cur = await conn.execute(
                """SELECT p.id::text AS id, p.first_name, p.last_name, p.title, p.schedule,
                          p.default_appointment_duration AS duration,
                          c.timezone, c.business_hours, c.settings, b.starts, b.ends
                   FROM clinics c
                   JOIN providers p ON p.clinic_id = c.id
                   LEFT JOIN LATERAL (
                       SELECT array_agg(extract(epoch FROM a.scheduled_start)::bigint) AS starts,
                              array_agg(extract(epoch FROM a.scheduled_end)::bigint) AS ends
                       FROM appointments a
                       WHERE a.clinic_id = %(clinic)s AND a.provider_id = p.id
                         AND a.status <> 'CANCELLED' AND NOT a.is_deleted
                         AND a.scheduled_start < %(end)s
                         AND a.scheduled_start > %(start)s::timestamptz - interval '480 minutes'
                         AND a.scheduled_end > %(start)s
                   ) b ON true
                   WHERE c.id = %(clinic)s AND NOT c.is_deleted
                     AND p.clinic_id = %(clinic)s AND p.status = 'ACTIVE' AND NOT p.is_deleted
                     AND (%(ids)s::uuid[] IS NULL OR p.id = ANY(%(ids)s::uuid[]))
                     AND (%(specialty)s::text IS NULL OR lower(p.specialty) = lower(%(specialty)s::text))""",
                {"clinic": clinic_id, "ids": provider_ids, "specialty": specialty,
                 "start": range_start, "end": range_end})
            rows = await cur.fetchall()
        if not rows:
            return []

        first = rows[0]
        zone = _zone(first["timezone"])
        clock = S.WallClock(zone)
        hours = S.parse_week(first["business_hours"])
        floor = max(now + self._lead(first["settings"]), now)
        if criteria.not_before is not None:
            floor = max(floor, criteria.not_before)
        plans = []
        for r in rows:
            busy = list(zip(r["starts"], r["ends"])) if r["starts"] else []
            plans.append(S.ProviderPlan(id=r["id"], name=_display_name(r["first_name"], r["last_name"], r["title"]),
                                        duration_min=r["duration"], schedule=S.parse_week(r["schedule"]),
                                        busy=busy))
        # Clinic-local dates: recompute with the clinic row's zone when the caller passed none.
        if criteria.date_from is None and zone.key != ref_zone.key:
            date_from = now.astimezone(zone).date()
            date_to = criteria.date_to or date_from + timedelta(days=DEFAULT_RANGE_DAYS - 1)
        floor_day = floor.astimezone(zone).date()
        dates = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
        dates = [d for d in dates if d >= floor_day]

        req = S.SlotRequest(
            dates=dates, floor=int(-(-floor.timestamp() // 1)),
            ceiling=int(criteria.not_after.timestamp()) if criteria.not_after is not None else None,
            start_window=self._start_window(criteria), weekdays=frozenset(criteria.weekdays),
            exclude_any=frozenset(int(x.timestamp()) for x in criteria.exclude_starts if x.tzinfo is not None),
            limit=criteria.limit, spread=criteria.spread_days)
        found = S.compute(plans, hours, clock, req)
        return [TimeSlot(c.provider.id, c.provider.name, S.to_datetime(c.start, zone), S.to_datetime(c.end, zone))
                for c in found]

    @staticmethod
    def _start_window(criteria: SlotCriteria) -> S.Window | None:
        lo, hi = 0, S.MINUTES_PER_DAY
        if criteria.part_of_day:
            if criteria.part_of_day not in PART_OF_DAY_BOUNDS:
                raise NotAllowed(f"unknown part of day: {criteria.part_of_day!r}")
            a, b = PART_OF_DAY_BOUNDS[criteria.part_of_day]
            lo = a.hour * 60 + a.minute
            hi = S.MINUTES_PER_DAY if criteria.part_of_day == "evening" else b.hour * 60 + b.minute
        if criteria.earliest_time is not None:
            lo = max(lo, criteria.earliest_time.hour * 60 + criteria.earliest_time.minute
                     + (1 if criteria.earliest_time.second or criteria.earliest_time.microsecond else 0))
        if criteria.latest_time is not None:   # the latest acceptable start, inclusive
            hi = min(hi, criteria.latest_time.hour * 60 + criteria.latest_time.minute + 1)
        if (lo, hi) == (0, S.MINUTES_PER_DAY):
            return None
        return (lo, max(lo, hi))

    # ------------------------------------------------------------------ patients

    async def find_patients(self, clinic: ClinicRef, last_name: str, date_of_birth: date,
                            first_name: str | None = None, phone: str | None = None) -> list[Patient]:
        """Patients with this last name (case/accent-insensitive) and date of birth.

        When several match, the list is narrowed to those whose first name (folded) or phone
        matches, if any do; otherwise every candidate is returned for the caller to disambiguate."""
        clinic_id = _uuid(clinic.id)
        if clinic_id is None or not last_name or not last_name.strip() or date_of_birth is None:
            return []
        async with self._conn() as conn:
            matches = await self._candidates(conn, clinic_id, last_name, date_of_birth)
        return self._narrow(matches, first_name, phone)

    async def _candidates(self, conn, clinic_id: str, last_name: str, date_of_birth: date) -> list[Patient]:
        cur = await conn.execute(
            f"""SELECT {_PATIENT_COLUMNS} FROM patients
                WHERE clinic_id = %s AND NOT is_deleted AND fold_name(last_name) = fold_name(%s)
                  AND date_of_birth = %s
                ORDER BY created_at, id""", (clinic_id, last_name.strip(), date_of_birth))
        rows = await cur.fetchall()
        if not rows and compact(last_name):
            cur = await conn.execute(
                f"""SELECT {_PATIENT_COLUMNS} FROM patients
                    WHERE clinic_id = %s AND NOT is_deleted AND date_of_birth = %s
                      AND {sql_compact('last_name')} = {sql_compact('%s')}
                    ORDER BY created_at, id""", (clinic_id, date_of_birth, last_name))
            rows = await cur.fetchall()
        return [self._patient(r) for r in rows]

    @staticmethod
    def _narrow(matches: list[Patient], first_name: str | None, phone: str | None) -> list[Patient]:
        if len(matches) <= 1:
            return matches
        if first_name and compact(first_name):
            by_name = [m for m in matches if compact(m.first_name) == compact(first_name)]
            if by_name:
                matches = by_name
        if len(matches) > 1 and phone:
            by_phone = [m for m in matches if same_phone(m.phone, phone)]
            if by_phone:
                matches = by_phone
        return matches

    async def create_patient(self, clinic: ClinicRef, patient: NewPatient) -> Patient:
        clinic_id = _uuid(clinic.id)
        if clinic_id is None:
            raise NotFound("no such clinic")
        async with self._conn(transaction=True) as conn:
            return await self._insert_patient(conn, clinic_id, patient)

    async def _insert_patient(self, conn, clinic_id: str, patient: NewPatient) -> Patient:
        if not patient.first_name.strip() or not patient.last_name.strip():
            raise NotAllowed("a patient needs a first and a last name")
        phone = normalize_phone(patient.phone) if patient.phone else None
        try:
            cur = await conn.execute(
                f"""INSERT INTO patients (clinic_id, first_name, last_name, date_of_birth, phone, email)
                    VALUES (%s, %s, %s, %s, %s, %s) RETURNING {_PATIENT_COLUMNS}""",
                (clinic_id, patient.first_name.strip(), patient.last_name.strip(), patient.date_of_birth,
                 phone or (patient.phone.strip() if patient.phone else None), patient.email))
        except psycopg.errors.ForeignKeyViolation:
            raise NotFound("no such clinic") from None
        created = self._patient(await cur.fetchone())
        await audit.append(conn, clinic_id, audit.AuditEvent("CREATE", "patient", created.id, {"source": "ehr"}))
        return created

    async def find_or_create_patient(self, clinic: ClinicRef, patient: NewPatient) -> tuple[Patient, bool]:
        """The clinic's record of this person, creating it when there is none; (patient, created).

        A candidate (same folded last name and date of birth) is the same person when the folded
        first name matches too; among several such, the phone decides. A phone alone never confirms:
        twins share a surname, a birthday and often a parent's phone. Concurrent calls for one identity
        are serialised by a transaction-scoped advisory lock, so a burst never creates duplicates."""
        clinic_id = _uuid(clinic.id)
        if clinic_id is None:
            raise NotFound("no such clinic")
        async with self._conn(transaction=True) as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                               (f"patient:{clinic_id}:{compact(patient.last_name)}:{patient.date_of_birth}",))
            candidates = await self._candidates(conn, clinic_id, patient.last_name, patient.date_of_birth)
            want = compact(patient.first_name)
            confirmed = [c for c in candidates if compact(c.first_name) == want]
            if len(confirmed) > 1 and patient.phone:
                confirmed = [c for c in confirmed if same_phone(c.phone, patient.phone)] or confirmed
            if confirmed:
                return confirmed[0], False
            return await self._insert_patient(conn, clinic_id, patient), True

    # ------------------------------------------------------------------ reads

    async def get_appointment(self, clinic: ClinicRef, appointment_id: str) -> Appointment:
        clinic_id, aid = _uuid(clinic.id), _uuid(appointment_id)
        if clinic_id is None or aid is None:
            raise NotFound("no such appointment")
        async with self._conn() as conn:
            cur = await conn.execute(
                f"""SELECT {_APPOINTMENT_COLUMNS} FROM {_APPOINTMENT_FROM}
                    WHERE a.clinic_id = %s AND a.id = %s AND NOT a.is_deleted""", (clinic_id, aid))
            row = await cur.fetchone()
        if row is None:
            raise NotFound("no such appointment")
        return self._appointment(row)

    async def list_appointments(self, clinic: ClinicRef, start: datetime, end: datetime,
                                provider_id: str | None = None) -> list[Appointment]:
        """Every appointment (any status, not deleted) starting in [start, end), by start time."""
        clinic_id = _uuid(clinic.id)
        if clinic_id is None:
            return []
        pid = None
        if provider_id is not None:
            pid = _uuid(provider_id)
            if pid is None:
                raise NotFound("no such provider")
        async with self._conn() as conn:
            cur = await conn.execute(
                f"""SELECT {_APPOINTMENT_COLUMNS} FROM {_APPOINTMENT_FROM}
                    WHERE a.clinic_id = %s AND NOT a.is_deleted AND a.scheduled_start >= %s AND a.scheduled_start < %s
                      AND (%s::uuid IS NULL OR a.provider_id = %s::uuid)
                    ORDER BY a.scheduled_start, a.id LIMIT 5000""",
                (clinic_id, _require_aware(start, "start"), _require_aware(end, "end"), pid, pid))
            return [self._appointment(r) for r in await cur.fetchall()]

    async def upcoming_appointments(self, clinic: ClinicRef, patient: Patient) -> list[Appointment]:
        """The patient's live appointments that have not started yet, soonest first."""
        clinic_id, pid = _uuid(clinic.id), _uuid(patient.id)
        if clinic_id is None or pid is None:
            return []
        async with self._conn() as conn:
            cur = await conn.execute(
                f"""SELECT {_APPOINTMENT_COLUMNS} FROM {_APPOINTMENT_FROM}
                    WHERE a.clinic_id = %s AND a.patient_id = %s AND NOT a.is_deleted
                      AND a.status <> 'CANCELLED' AND a.scheduled_start > %s
                    ORDER BY a.scheduled_start, a.id""", (clinic_id, pid, self.now()))
            return [self._appointment(r) for r in await cur.fetchall()]

    # ------------------------------------------------------------------ writes

    async def _load_for_booking(self, conn, clinic_id: str, provider_id: str, patient_id: str) -> dict[str, Any]:
        cur = await conn.execute(
            """SELECT p.id::text AS provider_id, p.first_name, p.last_name, p.title, p.status::text AS provider_status,
                      p.schedule, p.default_appointment_duration AS duration, p.accepting_new_patients,
                      c.timezone, c.business_hours, c.settings,
                      pt.id IS NOT NULL AS patient_exists,
                      EXISTS (SELECT 1 FROM appointments h
                              WHERE h.clinic_id = %(clinic)s AND h.patient_id = %(patient)s
                                AND h.status <> 'CANCELLED' AND NOT h.is_deleted) AS has_history
               FROM clinics c
               JOIN providers p ON p.clinic_id = c.id AND p.id = %(provider)s AND NOT p.is_deleted
               LEFT JOIN patients pt ON pt.clinic_id = c.id AND pt.id = %(patient)s AND NOT pt.is_deleted
               WHERE c.id = %(clinic)s AND NOT c.is_deleted""",
            {"clinic": clinic_id, "provider": provider_id, "patient": patient_id})
        row = await cur.fetchone()
        if row is None:
            raise NotFound("no such provider")
        if not row["patient_exists"]:
            raise NotFound("no such patient")
        return row

    def _validate_slot(self, row: dict[str, Any], start: datetime, end: datetime, now: datetime) -> None:
        """The slot must be one this calendar could offer: bookable provider, right duration,
        inside (schedule ∩ business hours) on its clinic-local date, not past, not inside the lead time
        (less a short grace for a slot offered a moment ago)."""
        if row["provider_status"] != "ACTIVE":
            raise NotAllowed("this provider is not taking appointments")
        if end - start != timedelta(minutes=row["duration"]):
            raise NotAllowed(f"appointments with this provider last {row['duration']} minutes")
        if start <= now:
            raise NotAllowed("that time is in the past")
        if start < now + self._lead(row["settings"]) - BOOKING_GRACE:
            raise NotAllowed("that time is too soon to book")
        zone = _zone(row["timezone"])
        if not S.fits_schedule(int(start.timestamp()), int(end.timestamp()), S.parse_week(row["schedule"]),
                               S.parse_week(row["business_hours"]), S.WallClock(zone)):
            raise NotAllowed("that time is outside the provider's hours")

    async def _by_key(self, clinic_id: str, key: str) -> Appointment | None:
        async with self._conn() as conn:
            cur = await conn.execute(
                f"""SELECT {_APPOINTMENT_COLUMNS} FROM {_APPOINTMENT_FROM}
                    WHERE a.clinic_id = %s AND a.idempotency_key = %s""", (clinic_id, key))
            row = await cur.fetchone()
        return self._appointment(row) if row else None

    @staticmethod
    def _same_request(existing: Appointment, provider_id: str, start: datetime, patient_id: str | None,
                      rescheduled_from_id: str | None = None) -> bool:
        return (existing.provider_id == provider_id and existing.start == start
                and (patient_id is None or existing.patient_id == patient_id)
                and existing.rescheduled_from_id == rescheduled_from_id)

    def _replay(self, existing: Appointment | None, provider_id: str, start: datetime, patient_id: str | None,
                rescheduled_from_id: str | None = None) -> Appointment | None:
        if existing is None:
            return None
        if not self._same_request(existing, provider_id, start, patient_id, rescheduled_from_id):
            raise IdempotencyConflict("this idempotency key was already used for a different request")
        return existing

    async def book(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
                   idempotency_key: str | None, booked_via: str = "api",
                   session_id: str | None = None) -> Appointment:
        """Book exactly `slot` for `patient`, or raise SlotTaken / NotAllowed / NotFound.

        With an idempotency key, a retry of the same request returns the first appointment; the
        same key with a different provider, start or patient raises IdempotencyConflict."""
        clinic_id, provider_id, patient_id = _uuid(clinic.id), _uuid(slot.provider_id), _uuid(patient.id)
        if clinic_id is None or provider_id is None:
            raise NotFound("no such provider")
        if patient_id is None:
            raise NotFound("no such patient")
        if booked_via not in BOOKED_VIA:
            raise ValueError(f"booked_via must be one of {BOOKED_VIA}")
        if idempotency_key is not None and not (0 < len(idempotency_key) <= 255):
            raise NotAllowed("an idempotency key is 1 to 255 characters")
        start = _require_aware(slot.start, "start").astimezone(timezone.utc)
        end = _require_aware(slot.end, "end").astimezone(timezone.utc)
        if idempotency_key:
            replay = self._replay(await self._by_key(clinic_id, idempotency_key), provider_id, start, patient_id)
            if replay is not None:
                return replay
        now = self.now()
        try:
            async with self._conn(transaction=True) as conn:
                row = await self._load_for_booking(conn, clinic_id, provider_id, patient_id)
                self._validate_slot(row, start, end, now)
                is_new = not row["has_history"]
                if is_new and not row["accepting_new_patients"]:
                    raise NotAllowed("this provider is not accepting new patients")
                cur = await conn.execute(
                    """INSERT INTO appointments (clinic_id, provider_id, patient_id, scheduled_start, scheduled_end,
                           duration_minutes, reason, is_new_patient_visit, booked_via, idempotency_key)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id::text AS id""",
                    (clinic_id, provider_id, patient_id, start, end, row["duration"], reason, is_new, booked_via,
                     idempotency_key))
                appointment_id = (await cur.fetchone())["id"]
                await audit.append(conn, clinic_id, audit.AuditEvent(
                    "APPOINTMENT_BOOKED", "appointment", appointment_id,
                    {"appointment_id": appointment_id, "provider_id": provider_id, "patient_id": patient_id,
                     "start": start.isoformat(), "end": end.isoformat(), "booked_via": booked_via,
                     "is_new_patient_visit": is_new}, session_id=_uuid(session_id)))
        except psycopg.errors.ExclusionViolation:
            if idempotency_key:   # a concurrent twin of this very request may have won
                replay = self._replay(await self._by_key(clinic_id, idempotency_key), provider_id, start, patient_id)
                if replay is not None:
                    return replay
            raise SlotTaken("that time was just taken") from None
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "appointments_idempotency" or not idempotency_key:
                raise
            replay = self._replay(await self._by_key(clinic_id, idempotency_key), provider_id, start, patient_id)
            if replay is None:   # pragma: no cover - the row that collided was deleted meanwhile
                raise SlotTaken("that time was just taken") from None
            return replay
        zone = _zone(row["timezone"])
        return Appointment(id=appointment_id, clinic_id=clinic_id, provider_id=provider_id,
                           provider_name=_display_name(row["first_name"], row["last_name"], row["title"]),
                           patient_id=patient_id, start=start.astimezone(zone), end=end.astimezone(zone),
                           status="SCHEDULED", reason=reason, booked_via=booked_via, is_new_patient_visit=is_new)

    async def _lock_appointment(self, conn, clinic_id: str, appointment_id: str) -> dict[str, Any]:
        cur = await conn.execute(
            f"""SELECT {_APPOINTMENT_COLUMNS} FROM {_APPOINTMENT_FROM}
                WHERE a.clinic_id = %s AND a.id = %s AND NOT a.is_deleted
                FOR UPDATE OF a""", (clinic_id, appointment_id))
        row = await cur.fetchone()
        if row is None:
            raise NotFound("no such appointment")
        return row

    @staticmethod
    def _check_changeable(row: dict[str, Any], now: datetime, verb: str) -> None:
        if row["status"] == "CANCELLED":
            raise NotAllowed(f"the appointment is already cancelled; it cannot be {verb}")
        if row["status"] not in CANCELLABLE:
            raise NotAllowed(f"the appointment is {row['status'].lower().replace('_', ' ')}; it cannot be {verb}")
        if row["scheduled_start"] <= now:
            raise NotAllowed(f"the appointment has already started; it cannot be {verb}")

    async def cancel(self, clinic: ClinicRef, appointment_id: str, reason: str | None,
                     cancelled_by: str) -> Appointment:
        clinic_id, aid = _uuid(clinic.id), _uuid(appointment_id)
        if clinic_id is None or aid is None:
            raise NotFound("no such appointment")
        cancelled_by = (cancelled_by or "patient")[:50]
        now = self.now()
        async with self._conn(transaction=True) as conn:
            row = await self._lock_appointment(conn, clinic_id, aid)
            self._check_changeable(row, now, "cancelled")
            await conn.execute(
                """UPDATE appointments SET status = 'CANCELLED', cancelled_at = %s, cancellation_reason = %s,
                       cancelled_by = %s, updated_at = %s
                   WHERE clinic_id = %s AND id = %s""", (now, reason, cancelled_by, now, clinic_id, aid))
            await audit.append(conn, clinic_id, audit.AuditEvent(
                "APPOINTMENT_CANCELLED", "appointment", aid,
                {"appointment_id": aid, "provider_id": row["provider_id"], "patient_id": row["patient_id"],
                 "start": row["scheduled_start"].astimezone(timezone.utc).isoformat(), "cancelled_by": cancelled_by}))
        row.update(status="CANCELLED", cancelled_at=now, cancellation_reason=reason, cancelled_by=cancelled_by)
        return self._appointment(row)

    async def reschedule(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                         idempotency_key: str | None, booked_via: str = "api",
                         cancelled_by: str = "patient") -> Appointment:
        """Move an appointment: book `new_slot` (rescheduled_from_id = the old one) and cancel the old
        one (reason "rescheduled") in one transaction. On any failure neither changes."""
        clinic_id, aid, provider_id = _uuid(clinic.id), _uuid(appointment_id), _uuid(new_slot.provider_id)
        if clinic_id is None or aid is None:
            raise NotFound("no such appointment")
        if provider_id is None:
            raise NotFound("no such provider")
        if booked_via not in BOOKED_VIA:
            raise ValueError(f"booked_via must be one of {BOOKED_VIA}")
        if idempotency_key is not None and not (0 < len(idempotency_key) <= 255):
            raise NotAllowed("an idempotency key is 1 to 255 characters")
        start = _require_aware(new_slot.start, "start").astimezone(timezone.utc)
        end = _require_aware(new_slot.end, "end").astimezone(timezone.utc)
        cancelled_by = (cancelled_by or "patient")[:50]
        if idempotency_key:
            replay = self._replay(await self._by_key(clinic_id, idempotency_key), provider_id, start, None, aid)
            if replay is not None:
                return replay
        now = self.now()
        try:
            async with self._conn(transaction=True) as conn:
                old = await self._lock_appointment(conn, clinic_id, aid)
                self._check_changeable(old, now, "rescheduled")
                row = await self._load_for_booking(conn, clinic_id, provider_id, old["patient_id"])
                self._validate_slot(row, start, end, now)
                is_new = old["is_new_patient_visit"]
                if is_new and provider_id != old["provider_id"] and not row["accepting_new_patients"]:
                    raise NotAllowed("this provider is not accepting new patients")
                # Cancel first, so a move by a few minutes does not collide with itself.
                await conn.execute(
                    """UPDATE appointments SET status = 'CANCELLED', cancelled_at = %s,
                           cancellation_reason = 'rescheduled', cancelled_by = %s, updated_at = %s
                       WHERE clinic_id = %s AND id = %s""", (now, cancelled_by, now, clinic_id, aid))
                cur = await conn.execute(
                    """INSERT INTO appointments (clinic_id, provider_id, patient_id, scheduled_start, scheduled_end,
                           duration_minutes, reason, is_new_patient_visit, booked_via, idempotency_key,
                           rescheduled_from_id, visit_type, special_instructions)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                               (SELECT visit_type FROM appointments WHERE clinic_id = %s AND id = %s),
                               (SELECT special_instructions FROM appointments WHERE clinic_id = %s AND id = %s))
                       RETURNING id::text AS id""",
                    (clinic_id, provider_id, old["patient_id"], start, end, row["duration"], old["reason"], is_new,
                     booked_via, idempotency_key, aid, clinic_id, aid, clinic_id, aid))
                new_id = (await cur.fetchone())["id"]
                await audit.append(conn, clinic_id, audit.AuditEvent(
                    "UPDATE", "appointment", new_id,
                    {"change": "rescheduled", "appointment_id": new_id, "rescheduled_from_id": aid,
                     "provider_id": provider_id, "previous_provider_id": old["provider_id"],
                     "patient_id": old["patient_id"], "start": start.isoformat(), "end": end.isoformat(),
                     "previous_start": old["scheduled_start"].astimezone(timezone.utc).isoformat(),
                     "cancelled_by": cancelled_by}))
        except psycopg.errors.ExclusionViolation:
            if idempotency_key:
                replay = self._replay(await self._by_key(clinic_id, idempotency_key), provider_id, start, None, aid)
                if replay is not None:
                    return replay
            raise SlotTaken("that time was just taken") from None
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "appointments_idempotency" or not idempotency_key:
                raise
            replay = self._replay(await self._by_key(clinic_id, idempotency_key), provider_id, start, None, aid)
            if replay is None:   # pragma: no cover
                raise SlotTaken("that time was just taken") from None
            return replay
        zone = _zone(row["timezone"])
        return Appointment(id=new_id, clinic_id=clinic_id, provider_id=provider_id,
                           provider_name=_display_name(row["first_name"], row["last_name"], row["title"]),
                           patient_id=old["patient_id"], start=start.astimezone(zone), end=end.astimezone(zone),
                           status="SCHEDULED", reason=old["reason"], booked_via=booked_via,
                           is_new_patient_visit=is_new, rescheduled_from_id=aid)

    # ------------------------------------------------------------------ helpers for callers

    async def next_slots(self, clinic: ClinicRef, provider_id: str, after: datetime, limit: int = 3,
                         days: int = DEFAULT_RANGE_DAYS) -> list[TimeSlot]:
        """The next free slots of one provider from `after` on (what a 409 offers instead)."""
        zone = _zone(clinic.timezone)
        local = _require_aware(after, "after").astimezone(zone)
        return await self.find_slots(SlotCriteria(
            clinic=clinic, provider_ids=(provider_id,), date_from=local.date(),
            date_to=local.date() + timedelta(days=days - 1), not_before=after, limit=limit, spread_days=False))


def slot_for(provider: Provider, start: datetime) -> TimeSlot:
    """The slot a provider's default duration makes of `start`."""
    return TimeSlot(provider.id, provider.display_name, start,
                    start + timedelta(minutes=provider.default_appointment_duration))
