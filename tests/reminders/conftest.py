"""Reminder tests: due appointments seeded straight into PostgreSQL (one INSERT ... SELECT over
generate_series), and the job texting through the Twilio SDK to a stand-in on loopback."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from twilio.rest import Client

from channels.reminders import ReminderJob
from storage.consent import ConsentRepository
from storage.crypto import FieldCipher
from storage.reminders import ReminderRepository
from tests.channels.conftest import sms, unique_clinic_phone  # noqa: F401 (the SMS driver fixture)
from tests.reminders.twilio_standin import TwilioStandIn
from voice_agent.twilio_http import RebasedTwilioHttpClient

SID = "AC" + "7" * 32
QUIET = ("20:00", "08:00")


@pytest.fixture
def standin(settings):
    with TwilioStandIn(SID, settings.twilio_auth_token) as server:
        yield server


def twilio_client(standin: TwilioStandIn, timeout: float = 5.0) -> Client:
    return Client(SID, standin.auth_token, http_client=RebasedTwilioHttpClient(standin.base_url, timeout=timeout))


@pytest.fixture
def make_job(pool, settings, services, standin):
    def make(timeout: float = 5.0, quiet: tuple[str, str] = QUIET) -> ReminderJob:
        cipher = FieldCipher(settings.secret_key)
        return ReminderJob(twilio_client(standin, timeout), ReminderRepository(pool, cipher),
                           ConsentRepository(pool, cipher, services.anchors), settings.public_base_url, quiet=quiet)
    return make


@pytest.fixture
def reminder_clinic(make_clinic):
    async def make(**overrides: Any):
        overrides.setdefault("phone", unique_clinic_phone())
        return await make_clinic(**overrides)
    return make


async def seed(pool, clinic_id: str, first_start: datetime, count: int = 1, *, every: timedelta = timedelta(minutes=1),
               minutes: int = 1, phone_prefix: str = "+1773555", first_number: int = 0, status: str = "SCHEDULED",
               hours: int | None = None) -> list[dict[str, Any]]:
    """`count` appointments of one provider, `every` apart from `first_start`, each with its own
    patient and phone number (`phone_prefix` + 4 digits): one statement, whatever the count."""
    async with pool.connection() as conn:
        if hours is not None:
            await conn.execute("UPDATE clinics SET default_reminder_hours = %s WHERE id = %s", (hours, clinic_id))
        cur = await conn.execute(
            """WITH pr AS (SELECT id FROM providers WHERE clinic_id = %(c)s AND NOT is_deleted
                           ORDER BY last_name LIMIT 1),
               pts AS (INSERT INTO patients (clinic_id, first_name, last_name, date_of_birth, phone)
                       SELECT %(c)s, 'Pat', 'Seed' || g, date '1980-01-01',
                              %(prefix)s || lpad((%(n0)s + g)::text, 4, '0')
                       FROM generate_series(0, %(count)s - 1) g
                       RETURNING id, phone),
               numbered AS (SELECT id, phone, row_number() OVER (ORDER BY phone) - 1 AS k FROM pts)
               INSERT INTO appointments (clinic_id, provider_id, patient_id, scheduled_start, scheduled_end,
                                         duration_minutes, booked_via, status)
               SELECT %(c)s, pr.id, n.id, %(start)s + n.k * %(every)s,
                      %(start)s + n.k * %(every)s + make_interval(mins => %(minutes)s), %(minutes)s, 'import',
                      %(status)s::appointment_status
               FROM numbered n CROSS JOIN pr
               RETURNING id::text AS id""",
            {"c": clinic_id, "prefix": phone_prefix, "n0": first_number, "count": count, "start": first_start,
             "every": every, "minutes": minutes, "status": status})
        ids = [r["id"] for r in await cur.fetchall()]
        cur = await conn.execute(
            """SELECT a.id::text AS id, p.phone, a.scheduled_start FROM appointments a
               JOIN patients p ON p.id = a.patient_id WHERE a.id = ANY(%s::uuid[]) ORDER BY a.scheduled_start""",
            (ids,))
        return await cur.fetchall()


async def reminder_rows(pool, clinic_id: str) -> list[dict[str, Any]]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            """SELECT id::text AS id, reminder_state, reminder_sent_at, reminder_count, reminder_attempts,
                      reminder_message_sid, reminder_error
               FROM appointments WHERE clinic_id = %s ORDER BY scheduled_start""", (clinic_id,))
        return await cur.fetchall()
