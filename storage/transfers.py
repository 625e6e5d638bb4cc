"""What a warm transfer adds to a call's handoff record (migration 0008), and Twilio callbacks seen.

The status itself moves only through `HandoffStore.transition` (atomic, from named statuses); this
store keeps the transfer's own facts: the front desk's call leg, when the caller left the media
stream (`hold`, which also reads the status in the same statement, so a desk that pressed 1 a moment
earlier is never missed), how the transfer ended, and the caller's message after a missed one.
Every change is announced on the `handoffs` NOTIFY channel, as the handoff store does.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg_pool import AsyncConnectionPool

from storage.handoffs import NOTIFY_CHANNEL, as_uuid

SEEN_FOR_SECONDS = 86_400


@dataclass(frozen=True)
class TransferFacts:
    status: str
    call_sid: str | None
    conference_name: str | None
    desk_call_sid: str | None
    caller_held_at: datetime | None
    outcome: str | None
    message: str | None


class TransferRecords:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def facts(self, clinic_id: str, handoff_id: str) -> TransferFacts | None:
        if as_uuid(clinic_id) is None or as_uuid(handoff_id) is None:
            return None
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT status, call_sid, conference_name, desk_call_sid, caller_held_at,
                          transfer_outcome AS outcome, transfer_message AS message
                   FROM handoffs WHERE clinic_id = %s AND id = %s""", (clinic_id, handoff_id))
            row = await cur.fetchone()
        return TransferFacts(**row) if row else None

    async def _update(self, clinic_id: str, handoff_id: str, sets: str, params: tuple, where: str = "",
                      returning: str = "status") -> dict | None:
        if as_uuid(clinic_id) is None or as_uuid(handoff_id) is None:
            return None
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                f"UPDATE handoffs SET {sets}, updated_at = now() WHERE clinic_id = %s AND id = %s {where} "
                f"RETURNING {returning}", (*params, clinic_id, handoff_id))
            row = await cur.fetchone()
            if row is not None:
                await conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"{clinic_id}:{handoff_id}"))
        return row

    async def set_desk_call(self, clinic_id: str, handoff_id: str, desk_call_sid: str) -> None:
        await self._update(clinic_id, handoff_id, "desk_call_sid = %s", (desk_call_sid[:64],))

    async def hold(self, clinic_id: str, handoff_id: str) -> str | None:
        """Mark the caller as out of the media stream; the status at that moment (None: no record)."""
        row = await self._update(clinic_id, handoff_id, "caller_held_at = COALESCE(caller_held_at, now())", ())
        return row["status"] if row else None

    async def set_callback_number(self, clinic_id: str, handoff_id: str, number: str) -> None:
        """The caller's own number (caller ID) when the conversation gave none."""
        await self._update(clinic_id, handoff_id, "callback_number = %s", (number[:50],),
                           "AND callback_number IS NULL")

    async def set_outcome(self, clinic_id: str, handoff_id: str, outcome: str) -> None:
        """How the transfer ended (answered, no-answer, busy, failed, declined, caller-left, timeout);
        the first outcome stays."""
        await self._update(clinic_id, handoff_id, "transfer_outcome = %s", (outcome[:20],),
                           "AND transfer_outcome IS NULL")

    async def record_message(self, clinic_id: str, handoff_id: str, message: str) -> bool:
        """The caller's message after a missed transfer (once; only on a missed handoff). The summary
        staff read gets it too."""
        text = message.strip()[:2000]
        row = await self._update(
            clinic_id, handoff_id, "transfer_message = %s, summary = summary || %s",
            (text, f" Message left after the transfer was missed: {text}"),
            "AND status = 'missed' AND transfer_message IS NULL")
        return row is not None

    async def first_time(self, digest: str) -> bool:
        """True the first time a callback digest is seen (within a day); False for a replay."""
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("DELETE FROM twilio_callbacks_seen WHERE seen_at < now() - make_interval(secs => %s)",
                               (SEEN_FOR_SECONDS,))
            cur = await conn.execute("INSERT INTO twilio_callbacks_seen (digest) VALUES (%s) "
                                     "ON CONFLICT DO NOTHING RETURNING digest", (digest,))
            return await cur.fetchone() is not None

    async def forget(self, digest: str) -> None:
        """A callback whose handling failed may be retried by Twilio: it is not a replay then."""
        async with self.pool.connection() as conn:
            await conn.execute("DELETE FROM twilio_callbacks_seen WHERE digest = %s", (digest,))
