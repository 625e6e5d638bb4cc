"""Guarantees PostgreSQL itself keeps: no overlapping live appointments; append-only audit log."""
from __future__ import annotations

import psycopg
import pytest

from storage.migrate import migrate
from storage.db import to_conninfo


async def _provider_and_patient(conn, clinic_id):
    cur = await conn.execute("SELECT id FROM providers WHERE clinic_id = %s LIMIT 1", (clinic_id,))
    provider = (await cur.fetchone())["id"]
    cur = await conn.execute("SELECT id FROM patients WHERE clinic_id = %s LIMIT 1", (clinic_id,))
    patient = (await cur.fetchone())["id"]
    return provider, patient


INSERT = """INSERT INTO appointments (clinic_id, provider_id, patient_id, scheduled_start, scheduled_end,
              duration_minutes, booked_via, status)
            VALUES (%s, %s, %s, %s::timestamptz, %s::timestamptz, 30, 'api', %s)"""


async def test_overlapping_live_appointments_rejected_by_postgres(pool, make_clinic):
    clinic = await make_clinic()
    async with pool.connection() as conn:
        provider, patient = await _provider_and_patient(conn, clinic.id)
        await conn.execute(INSERT, (clinic.id, provider, patient, "2030-01-07 15:00Z", "2030-01-07 15:30Z", "SCHEDULED"))
        with pytest.raises(psycopg.errors.ExclusionViolation):
            await conn.execute(INSERT, (clinic.id, provider, patient, "2030-01-07 15:15Z", "2030-01-07 15:45Z",
                                        "CONFIRMED"))
        # Back-to-back is fine, and a cancelled appointment does not hold its time.
        await conn.execute(INSERT, (clinic.id, provider, patient, "2030-01-07 15:30Z", "2030-01-07 16:00Z", "SCHEDULED"))
        await conn.execute(INSERT, (clinic.id, provider, patient, "2030-01-07 15:00Z", "2030-01-07 15:30Z", "CANCELLED"))


async def test_appointment_cannot_reference_another_clinics_provider(pool, make_clinic):
    a, b = await make_clinic(), await make_clinic()
    async with pool.connection() as conn:
        provider_a, _ = await _provider_and_patient(conn, a.id)
        _, patient_b = await _provider_and_patient(conn, b.id)
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            await conn.execute(INSERT, (b.id, provider_a, patient_b, "2030-01-08 15:00Z", "2030-01-08 15:30Z",
                                        "SCHEDULED"))


async def test_audit_logs_are_append_only(pool, make_clinic):
    clinic = await make_clinic()  # the import writes a CREATE event
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM audit_logs WHERE clinic_id = %s", (clinic.id,))
        assert (await cur.fetchone())["n"] == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("UPDATE audit_logs SET severity = 'critical' WHERE clinic_id = %s", (clinic.id,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("DELETE FROM audit_logs WHERE clinic_id = %s", (clinic.id,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("TRUNCATE audit_logs")


async def test_migrate_is_idempotent(database):
    assert await migrate(to_conninfo(database)) == []
