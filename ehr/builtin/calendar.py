"""The built-in calendar: `ehr.protocol.EHRAdapter` on the PostgreSQL schema of migration 0001.

Guarantees kept by the database, not by this code: two live appointments of one provider never
overlap (exclusion constraint `appointments_no_overlap`; a violation becomes `SlotTaken`), and a
clinic's idempotency key names at most one appointment (unique index `appointments_idempotency`).
Every statement filters by clinic_id; an id of another clinic is `NotFound`, exactly like an id
that does not exist. Every write appends its audit event in the same transaction.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ehr import slots as S
from ehr.errors import NotFound
from ehr.types import MAX_RANGE_DAYS, ClinicRef, Provider, SlotCriteria, TimeSlot
from ehr.builtin.base import (DEFAULT_RANGE_DAYS, _uuid, _zone, _display_name,
                              _require_aware)
from ehr.builtin.bookings import Bookings
from ehr.slot_search import start_window
from ehr.builtin.patient_records import PatientRecords


class BuiltinCalendar(Bookings, PatientRecords):
    """The PostgreSQL calendar: providers and free-slot search here; patients and bookings in its bases."""

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
        return start_window(criteria)
