"""What the SMS channel must remember, without message bodies or phone numbers in the clear.

- inbound MessageSids taken for processing (a Twilio retry is never processed twice);
- outbound confirmation texts, claimed per (appointment, kind) before sending (never sent twice),
  which also tell the SMS adapter that a number was recently sent a booking confirmation, and
  reminders (written by storage/reminders.py), which tell it what a reply "C" or "R" is about;
- delivery status callbacks.
"""
from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from storage.crypto import FieldCipher

CHANNEL = "sms"


class SmsLogRepository:
    def __init__(self, pool: AsyncConnectionPool, cipher: FieldCipher) -> None:
        self.pool, self.cipher = pool, cipher

    def ref(self, phone: str) -> str:
        return self.cipher.user_ref(CHANNEL, phone)

    async def claim_inbound(self, clinic_id: str, message_sid: str) -> bool:
        """True for the first delivery of this MessageSid, False for every repeat."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """INSERT INTO sms_inbound_messages (clinic_id, message_sid) VALUES (%s, %s)
                   ON CONFLICT (clinic_id, message_sid) DO NOTHING RETURNING 1""", (clinic_id, message_sid))
            return await cur.fetchone() is not None

    async def claim_outbound(self, clinic_id: str, appointment_id: str, kind: str, phone: str) -> bool:
        """Reserve the one text for this (appointment, kind); False when it was already claimed."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """INSERT INTO sms_outbound_messages (clinic_id, subject_ref, kind, appointment_id)
                   VALUES (%s, %s, %s, %s)
                   ON CONFLICT (clinic_id, appointment_id, kind) DO NOTHING RETURNING 1""",
                (clinic_id, self.ref(phone), kind, appointment_id))
            return await cur.fetchone() is not None

    async def outbound_result(self, clinic_id: str, appointment_id: str, kind: str, *, message_sid: str | None,
                              status: str, error_code: str | None = None) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                """UPDATE sms_outbound_messages SET message_sid = %s, status = %s, error_code = %s, status_at = now()
                   WHERE clinic_id = %s AND appointment_id = %s AND kind = %s""",
                (message_sid, status[:20], (error_code or None) and str(error_code)[:20], clinic_id, appointment_id,
                 kind))

    async def recently_confirmed(self, clinic_id: str, phone: str, within_seconds: int) -> bool:
        """Was this number sent a booking (or reschedule) confirmation within the window?"""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT 1 FROM sms_outbound_messages
                   WHERE clinic_id = %s AND subject_ref = %s AND kind IN ('booked', 'rescheduled')
                     AND status NOT IN ('failed', 'undelivered', 'canceled')
                     AND created_at > now() - make_interval(secs => %s)
                   LIMIT 1""", (clinic_id, self.ref(phone), within_seconds))
            return await cur.fetchone() is not None

    async def latest_reminder(self, clinic_id: str, phone: str, within_seconds: int) -> str | None:
        """The appointment of the newest reminder (storage/reminders.py) this clinic texted to the
        number within the window and that was not reported undelivered; None when there is none."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT appointment_id::text AS id FROM sms_outbound_messages
                   WHERE clinic_id = %s AND subject_ref = %s AND kind = 'reminder'
                     AND status NOT IN ('failed', 'undelivered', 'canceled')
                     AND created_at > now() - make_interval(secs => %s)
                   ORDER BY created_at DESC LIMIT 1""", (clinic_id, self.ref(phone), within_seconds))
            row = await cur.fetchone()
        return row["id"] if row else None

    async def record_status(self, clinic_id: str, message_sid: str, status: str, error_code: str | None) -> bool:
        """Append the callback; move the outbound row's status forward. True when the message is ours."""
        status, error_code = status[:20], (error_code or None) and str(error_code)[:20]
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute(
                """INSERT INTO sms_status_events (clinic_id, message_sid, status, error_code)
                   VALUES (%s, %s, %s, %s)""", (clinic_id, message_sid, status, error_code))
            cur = await conn.execute(
                """UPDATE sms_outbound_messages
                   SET status = CASE WHEN sms_status_rank(%s) >= sms_status_rank(status) THEN %s ELSE status END,
                       error_code = COALESCE(%s, error_code), status_at = now()
                   WHERE clinic_id = %s AND message_sid = %s RETURNING 1""",
                (status, status, error_code, clinic_id, message_sid))
            return await cur.fetchone() is not None
