"""Appointment reminders: which are due, claimed by exactly one sender, and what became of each.

A claim is one short statement (its own transaction): due rows are locked `FOR UPDATE SKIP LOCKED`
(a concurrent claimant skips them instead of waiting) and marked `sending` with this run's token
before the lock is released, so every later scan on any process passes them by. The outcome is
written only while the row is still this token's claim. The states are listed in
migrations/0007_reminders.sql; docs/reminders.md says why each one can never lead to a second text.

"Due" is computed here, in each clinic's time zone: `default_reminder_hours` before the start, moved
to the evening before (the last hour ahead of the quiet hours) when that falls in the quiet hours;
never while it is quiet at the clinic now, never once the appointment has started.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg_pool import AsyncConnectionPool

from storage.crypto import FieldCipher

MAX_ATTEMPTS = 10                   # tries of one reminder before it is `failed` (~50 min of runs 5 min apart)
EVENING_LEAD = timedelta(hours=1)   # a night-time reminder is due this long before the quiet hours begin
HORIZON = timedelta(days=8)         # longest reminder lead (168 h) plus a night: bounds the index scan

# `quiet(t)`: is clinic-local time t inside the quiet hours (which may wrap past midnight)?
_QUIET = "(CASE WHEN %(qs)s::time > %(qe)s::time THEN ({t} >= %(qs)s::time OR {t} < %(qe)s::time) " \
         "ELSE ({t} >= %(qs)s::time AND {t} < %(qe)s::time) END)"
_DUE_LOCAL = "l.due_local::time"
_NOW_LOCAL = "(%(now)s::timestamptz AT TIME ZONE c.timezone)::time"

_CLAIM = f"""
WITH due AS (
    SELECT a.id, a.clinic_id, a.reminder_state AS was,
           a.scheduled_start, p.phone AS patient_phone, c.name AS clinic_name, c.phone AS clinic_phone,
           c.timezone, concat_ws(' ', pr.title, pr.first_name, pr.last_name) AS provider_name
    FROM appointments a
    JOIN clinics c ON c.id = a.clinic_id
    JOIN patients p ON p.clinic_id = a.clinic_id AND p.id = a.patient_id
    JOIN providers pr ON pr.clinic_id = a.clinic_id AND pr.id = a.provider_id
    CROSS JOIN LATERAL (SELECT (a.scheduled_start - make_interval(hours => c.default_reminder_hours))
                               AT TIME ZONE c.timezone AS due_local) l
    WHERE a.reminder_sent_at IS NULL AND NOT a.is_deleted AND a.status IN ('SCHEDULED', 'CONFIRMED')
      AND a.scheduled_start > %(now)s AND a.scheduled_start < %(horizon)s
      AND c.status = 'ACTIVE' AND NOT c.is_deleted AND c.default_reminder_hours > 0
      AND (%(clinic)s::uuid IS NULL OR a.clinic_id = %(clinic)s::uuid)
      -- a retry waits for the next run (this run's claims carry its clock)
      AND (a.reminder_state IS NULL
           OR (a.reminder_state IN ('retry', 'unsure') AND a.reminder_claimed_at < %(now)s)
           OR (a.reminder_state = 'sending' AND a.reminder_claimed_at < %(stale_before)s))
      -- a moved appointment is reminded unless it was moved inside its own reminder window
      AND (a.rescheduled_from_id IS NULL
           OR a.created_at < a.scheduled_start - make_interval(hours => c.default_reminder_hours))
      AND NOT {_QUIET.format(t=_NOW_LOCAL)}
      AND (CASE WHEN NOT {_QUIET.format(t=_DUE_LOCAL)} THEN l.due_local
                ELSE (CASE WHEN {_DUE_LOCAL} >= %(qs)s::time THEN l.due_local::date ELSE l.due_local::date - 1 END)
                     + %(qs)s::time - %(lead)s::interval
           END) AT TIME ZONE c.timezone <= %(now)s
    ORDER BY a.scheduled_start
    LIMIT %(batch)s
    FOR UPDATE OF a SKIP LOCKED
)
UPDATE appointments a
SET reminder_state = 'sending', reminder_claimed_at = %(now)s, reminder_claim_token = %(token)s,
    reminder_attempts = a.reminder_attempts + 1
FROM due
WHERE a.id = due.id
RETURNING a.id::text AS id, a.clinic_id::text AS clinic_id, due.was, a.reminder_attempts,
          due.scheduled_start, due.patient_phone, due.clinic_name, due.clinic_phone, due.timezone,
          due.provider_name
"""


@dataclass(frozen=True)
class ClaimedReminder:
    """One appointment's reminder, claimed by this run (`token`) until its outcome is recorded."""
    appointment_id: str
    clinic_id: str
    token: str
    attempts: int                   # including this one
    needs_check: bool               # an earlier try may have reached Twilio: ask before sending
    start: datetime
    patient_phone: str | None
    clinic_name: str
    clinic_phone: str | None
    timezone: str
    provider_name: str


class ReminderRepository:
    def __init__(self, pool: AsyncConnectionPool, cipher: FieldCipher) -> None:
        self.pool, self.cipher = pool, cipher

    async def claim_due(self, now: datetime, quiet: tuple[str, str], *, batch: int = 50,
                        lease: timedelta = timedelta(minutes=10), clinic_id: str | None = None) -> list[ClaimedReminder]:
        """Take up to `batch` due reminders (of one clinic, or all) for this caller alone. A `sending`
        row older than `lease` lost its claimant (a crash) and is taken again, to be checked with
        Twilio before any send."""
        token = str(uuid.uuid4())
        params = {"clinic": clinic_id, "now": now, "horizon": now + HORIZON, "stale_before": now - lease, "qs": quiet[0],
                  "qe": quiet[1], "lead": EVENING_LEAD, "batch": batch, "token": token}
        async with self.pool.connection() as conn:
            cur = await conn.execute(_CLAIM, params)
            rows = await cur.fetchall()
        return [ClaimedReminder(
            appointment_id=r["id"], clinic_id=r["clinic_id"], token=token, attempts=r["reminder_attempts"],
            needs_check=r["was"] in ("unsure", "sending"),
            start=r["scheduled_start"], patient_phone=r["patient_phone"], clinic_name=r["clinic_name"],
            clinic_phone=r["clinic_phone"], timezone=r["timezone"], provider_name=r["provider_name"])
            for r in rows]

    async def mark_sent(self, claim: ClaimedReminder, *, message_sid: str, status: str, to: str) -> bool:
        """Twilio has the text: the appointment is reminded (never again), and the SMS log learns of it
        (a reply "C" or "R" from that number finds this appointment). False when the claim was lost."""
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                """UPDATE appointments
                   SET reminder_state = 'sent', reminder_sent_at = now(), reminder_count = reminder_count + 1,
                       reminder_message_sid = %s, reminder_error = NULL, updated_at = now()
                   WHERE clinic_id = %s AND id = %s AND reminder_state = 'sending' AND reminder_claim_token = %s
                   RETURNING 1""", (message_sid, claim.clinic_id, claim.appointment_id, claim.token))
            ours = await cur.fetchone() is not None
            await conn.execute(
                """INSERT INTO sms_outbound_messages (clinic_id, subject_ref, kind, appointment_id, message_sid,
                                                      status, status_at)
                   VALUES (%s, %s, 'reminder', %s, %s, %s, now())
                   ON CONFLICT (clinic_id, appointment_id, kind) DO NOTHING""",
                (claim.clinic_id, self.cipher.user_ref("sms", to), claim.appointment_id, message_sid, status[:20]))
            return ours

    async def release(self, claim: ClaimedReminder, state: str, error: str | None = None, *,
                      counts: bool = True) -> str | None:
        """Record an outcome other than sent: `retry`, `unsure`, `skipped` or `failed` (a retryable one
        past MAX_ATTEMPTS becomes `failed`); the state recorded, or None when the claim was lost.
        `counts=False`: the attempt said nothing about this reminder (our Twilio account was refused),
        so it is not counted towards giving up."""
        if counts and state in ("retry", "unsure") and claim.attempts >= MAX_ATTEMPTS:
            state, error = "failed", f"gave up: {error or state}"
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """UPDATE appointments SET reminder_state = %s, reminder_error = %s,
                          reminder_attempts = reminder_attempts - %s
                   WHERE clinic_id = %s AND id = %s AND reminder_state = 'sending' AND reminder_claim_token = %s
                   RETURNING 1""",
                (state, (error or None) and error[:40], 0 if counts else 1, claim.clinic_id, claim.appointment_id,
                 claim.token))
            return state if await cur.fetchone() is not None else None
