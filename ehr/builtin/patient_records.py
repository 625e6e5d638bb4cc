"""Patient records of the built-in calendar: match on last name + date of birth, narrow, create."""
from __future__ import annotations

from datetime import date

import psycopg

from ehr.names import compact, normalize_phone, same_phone, sql_compact
from ehr.errors import NotAllowed, NotFound
from ehr.types import (ClinicRef, NewPatient, Patient)
from storage import audit
from ehr.builtin.base import (_PATIENT_COLUMNS, _uuid, CalendarBase)


class PatientRecords(CalendarBase):
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

    async def find_patients_by_phone(self, clinic: ClinicRef, date_of_birth: date, phone: str) -> list[Patient]:
        clinic_id, wanted = _uuid(clinic.id), normalize_phone(phone) if phone else None
        if clinic_id is None or date_of_birth is None or not wanted:
            return []
        async with self._conn() as conn:
            cur = await conn.execute(
                f"""SELECT {_PATIENT_COLUMNS} FROM patients
                    WHERE clinic_id = %s AND NOT is_deleted AND date_of_birth = %s
                    ORDER BY created_at, id""", (clinic_id, date_of_birth))
            rows = await cur.fetchall()
        return [p for p in (self._patient(r) for r in rows) if same_phone(p.phone, wanted)]

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
        await audit.append(conn, clinic_id, audit.AuditEvent("CREATE", "patient", created.id, {"source": "ehr"}),
                           self.anchors)
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
