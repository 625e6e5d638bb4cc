"""Appointments in the built-in calendar: read, book, cancel and reschedule, each with its audit event
in the same transaction; overlaps and idempotency are enforced by PostgreSQL."""
from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

import psycopg

from ehr import slots as S
from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken, Unavailable
from ehr.types import Appointment, ClinicRef, Patient, SlotCriteria, TimeSlot
from storage import audit
from ehr.builtin.base import (DEFAULT_RANGE_DAYS, BOOKING_GRACE, BOOKED_VIA, CANCELLABLE,
                              _APPOINTMENT_COLUMNS, _APPOINTMENT_FROM, _uuid, _zone, _display_name,
                              _require_aware, CalendarBase)


class Bookings(CalendarBase):
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

    @staticmethod
    def _request_window(slot: TimeSlot, booked_via: str, idempotency_key: str | None) -> tuple[datetime, datetime]:
        """What every booking request must carry: a known channel, a sane key, aware times (as UTC)."""
        if booked_via not in BOOKED_VIA:
            raise ValueError(f"booked_via must be one of {BOOKED_VIA}")
        if idempotency_key is not None and not (0 < len(idempotency_key) <= 255):
            raise NotAllowed("an idempotency key is 1 to 255 characters")
        return (_require_aware(slot.start, "start").astimezone(timezone.utc),
                _require_aware(slot.end, "end").astimezone(timezone.utc))

    async def book(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
                   idempotency_key: str | None, booked_via: str = "api",
                   session_id: str | None = None) -> Appointment:
        return await _retry_deadlocks(lambda: self._book_once(clinic, slot, patient, reason, idempotency_key,
                                                              booked_via, session_id))

    async def _book_once(self, clinic: ClinicRef, slot: TimeSlot, patient: Patient, reason: str | None,
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
        start, end = self._request_window(slot, booked_via, idempotency_key)
        if idempotency_key:
            replay = self._replay(await self._by_key(clinic_id, idempotency_key), provider_id, start, patient_id)
            if replay is not None:
                return replay
        now = self.now()
        try:
            async with self._conn(transaction=True, retried=True) as conn:
                await _serialise_provider(conn, provider_id)
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
                     "is_new_patient_visit": is_new}, session_id=_uuid(session_id)), self.anchors)
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
        return await _retry_deadlocks(lambda: self._cancel_once(clinic, appointment_id, reason, cancelled_by))

    async def _cancel_once(self, clinic: ClinicRef, appointment_id: str, reason: str | None,
                           cancelled_by: str) -> Appointment:
        clinic_id, aid = _uuid(clinic.id), _uuid(appointment_id)
        if clinic_id is None or aid is None:
            raise NotFound("no such appointment")
        cancelled_by = (cancelled_by or "patient")[:50]
        now = self.now()
        async with self._conn(transaction=True, retried=True) as conn:
            row = await self._lock_appointment(conn, clinic_id, aid)
            self._check_changeable(row, now, "cancelled")
            await conn.execute(
                """UPDATE appointments SET status = 'CANCELLED', cancelled_at = %s, cancellation_reason = %s,
                       cancelled_by = %s, updated_at = %s
                   WHERE clinic_id = %s AND id = %s""", (now, reason, cancelled_by, now, clinic_id, aid))
            await audit.append(conn, clinic_id, audit.AuditEvent(
                "APPOINTMENT_CANCELLED", "appointment", aid,
                {"appointment_id": aid, "provider_id": row["provider_id"], "patient_id": row["patient_id"],
                 "start": row["scheduled_start"].astimezone(timezone.utc).isoformat(), "cancelled_by": cancelled_by}),
                self.anchors)
        row.update(status="CANCELLED", cancelled_at=now, cancellation_reason=reason, cancelled_by=cancelled_by)
        return self._appointment(row)

    async def reschedule(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                         idempotency_key: str | None, booked_via: str = "api",
                         cancelled_by: str = "patient") -> Appointment:
        return await _retry_deadlocks(lambda: self._reschedule_once(clinic, appointment_id, new_slot,
                                                                    idempotency_key, booked_via, cancelled_by))

    async def _reschedule_once(self, clinic: ClinicRef, appointment_id: str, new_slot: TimeSlot,
                               idempotency_key: str | None, booked_via: str = "api",
                               cancelled_by: str = "patient") -> Appointment:
        """Move an appointment: book `new_slot` (rescheduled_from_id = the old one) and cancel the old
        one (reason "rescheduled") in one transaction. On any failure neither changes."""
        clinic_id, aid, provider_id = _uuid(clinic.id), _uuid(appointment_id), _uuid(new_slot.provider_id)
        if clinic_id is None or aid is None:
            raise NotFound("no such appointment")
        if provider_id is None:
            raise NotFound("no such provider")
        start, end = self._request_window(new_slot, booked_via, idempotency_key)
        cancelled_by = (cancelled_by or "patient")[:50]
        if idempotency_key:
            replay = self._replay(await self._by_key(clinic_id, idempotency_key), provider_id, start, None, aid)
            if replay is not None:
                return replay
        now = self.now()
        try:
            async with self._conn(transaction=True, retried=True) as conn:
                old = await self._lock_appointment(conn, clinic_id, aid)
                self._check_changeable(old, now, "rescheduled")
                await _serialise_provider(conn, provider_id)
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
                     "cancelled_by": cancelled_by}), self.anchors)
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


DEADLOCK_RETRIES = 5


async def _serialise_provider(conn, provider_id: str) -> None:
    """Writers for one provider take turns (a transaction-scoped advisory lock). Concurrent inserts
    that overlap in the exclusion constraint's index can otherwise deadlock each other instead of
    one of them simply conflicting; the constraint stays the guarantee, this only orders the race."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 7406))", ("provider:" + provider_id,))
# Deadlock (40P01) is not a TransactionRollback subclass in psycopg; serialization failures (40001) are.
RACE_LOSERS = (psycopg.errors.DeadlockDetected, psycopg.errors.TransactionRollback)


async def _retry_deadlocks(attempt: Callable[[], Awaitable[Appointment]]) -> Appointment:
    """Racing inserts on the exclusion constraint can deadlock instead of conflicting (PostgreSQL picks
    a victim). The victim's transaction rolled back, so trying again is safe; by then the winner has
    committed and the retry ends in SlotTaken, exactly as a plain conflict would."""
    for tries_left in range(DEADLOCK_RETRIES, 0, -1):
        try:
            return await attempt()
        except RACE_LOSERS:
            if tries_left == 1:
                raise Unavailable("the calendar is busy; please try again") from None
            await asyncio.sleep(random.uniform(0.005, 0.03))
    raise AssertionError("unreachable")
