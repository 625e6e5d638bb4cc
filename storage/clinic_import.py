"""Write a validated clinic file in one transaction: all of it, or (on any conflict) nothing."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from storage import audit
from storage.audit_anchor import AuditAnchors
from storage.clinics import ClinicRepository


class ImportConflict(Exception):
    """The file was well-formed but the database refused it (slug or number taken, overlaps)."""


async def import_clinic(pool: AsyncConnectionPool, clinic: dict[str, Any], api_key_hash: str,
                        anchors: AuditAnchors | None = None,
                        seal: Callable[[dict[str, Any]], dict[str, str]] | None = None) -> str:
    """`seal`: how EHR credentials are encrypted (storage.credentials_keyring.Keyring.seal); a file
    with credentials is refused without one, so they never reach the database in the clear."""
    credentials = clinic.get("ehr_credentials")
    if credentials and seal is None:
        raise ImportConflict("$.ehr_credentials: no key to encrypt them with")
    repo = ClinicRepository(pool)
    try:
        async with pool.connection() as conn, conn.transaction():
            clinic_id = await repo.create(
                conn, name=clinic["name"], slug=clinic["slug"], timezone=clinic["timezone"],
                api_key_hash=api_key_hash, business_hours=clinic["business_hours"], tier=clinic["tier"],
                phone=clinic["phone"], email=clinic["email"], address=clinic["address"],
                settings=clinic["settings"], reminder_hours=clinic.get("default_reminder_hours", 24))
            providers: dict[str, tuple[str, int]] = {}
            for p in clinic["providers"]:
                cur = await conn.execute(
                    """INSERT INTO providers (clinic_id, first_name, last_name, title, specialty, schedule,
                           default_appointment_duration, accepting_new_patients)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id::text AS id""",
                    (clinic_id, p["first_name"], p["last_name"], p["title"], p["specialty"],
                     Jsonb(p["schedule"]), p["default_appointment_duration"], p["accepting_new_patients"]))
                providers[p["last_name"].lower()] = ((await cur.fetchone())["id"],
                                                     p["default_appointment_duration"])
            patients: dict[tuple, str] = {}
            for p in clinic["patients"]:
                patients[_patient_key(p)] = await _insert_patient(conn, clinic_id, p)
            for i, a in enumerate(clinic["appointments"]):
                provider_id, default_duration = providers[a["provider_last_name"].lower()]
                key = _patient_key(a["patient"])
                if key not in patients:
                    patients[key] = await _insert_patient(conn, clinic_id, {**a["patient"], "phone": None,
                                                                            "email": None})
                minutes = a["duration_minutes"] or default_duration
                try:
                    async with conn.transaction():
                        await conn.execute(
                            """INSERT INTO appointments (clinic_id, provider_id, patient_id, scheduled_start,
                                   scheduled_end, duration_minutes, reason, booked_via)
                               VALUES (%s, %s, %s, %s, %s, %s, %s, 'import')""",
                            (clinic_id, provider_id, patients[key], a["start"],
                             a["start"] + timedelta(minutes=minutes), minutes, a["reason"]))
                except psycopg.errors.ExclusionViolation:
                    raise ImportConflict(f"$.appointments[{i}]: overlaps another appointment of that provider") from None
            provider = clinic.get("ehr_provider") or "builtin"
            if provider != "builtin":
                await conn.execute(
                    """UPDATE clinics SET ehr_provider = %s, ehr_options = %s, ehr_credentials = %s,
                           ehr_credentials_updated_at = now() WHERE id = %s""",
                    (provider, Jsonb(clinic.get("ehr_options") or {}),
                     Jsonb(seal(credentials)) if credentials and seal else None, clinic_id))
            await audit.append(conn, clinic_id, audit.AuditEvent(
                "CREATE", "clinic", clinic_id, {"source": "import", "providers": len(providers),
                                                "patients": len(patients),
                                                "appointments": len(clinic["appointments"])}), anchors)
            return clinic_id
    except psycopg.errors.UniqueViolation as exc:
        constraint = exc.diag.constraint_name or ""
        if "slug" in constraint:
            raise ImportConflict("$.slug: a clinic with this slug already exists") from None
        if "phone" in constraint:
            raise ImportConflict("$.phone: another clinic already uses this number") from None
        raise ImportConflict(f"conflict: {constraint}") from None


def _patient_key(p: dict[str, Any]) -> tuple:
    return (p["first_name"].lower(), p["last_name"].lower(), p["date_of_birth"])


async def _insert_patient(conn, clinic_id: str, p: dict[str, Any]) -> str:
    cur = await conn.execute(
        """INSERT INTO patients (clinic_id, first_name, last_name, date_of_birth, phone, email)
           VALUES (%s, %s, %s, %s, %s, %s) RETURNING id::text AS id""",
        (clinic_id, p["first_name"], p["last_name"], p["date_of_birth"], p.get("phone"), p.get("email")))
    return (await cur.fetchone())["id"]
