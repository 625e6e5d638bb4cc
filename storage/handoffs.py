"""Handoff records: every conversation handed to a person, from any channel, in PostgreSQL.

Statuses: `open` → `ringing` → `connected` | `missed` on calls; `open` → `claimed` → `closed`
everywhere (a missed or connected call may also be claimed and closed). A move is one atomic
UPDATE that names the statuses it may start from, so two staff claiming at once, or a status
callback racing a claim, leave exactly one winner and never a backwards move.

Every create and move is published with NOTIFY on channel `handoffs` (payload
`{clinic_id}:{handoff_id}`, in the same transaction), so every instance's staff page hears it.
A conversation has at most one live (not closed) handoff: creating another returns that one.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

NOTIFY_CHANNEL = "handoffs"
CHANNELS = ("voice", "sms", "webchat", "api")
STATUSES = ("open", "ringing", "connected", "missed", "claimed", "closed")
# Columns `transition(**fields)` may set besides status.
SETTABLE = ("claimed_by", "claimed_at", "closed_at", "close_note", "call_sid", "conference_name", "summary",
            "callback_number")
_COLUMNS = ("id, clinic_id, channel, status, reason, summary, transcript, conversation_id, patient_id, "
            "patient_name, callback_number, created_at, updated_at, claimed_by, claimed_at, closed_at, "
            "close_note, call_sid, conference_name")


def mask_number(number: str | None) -> str | None:
    """'+15551234567' -> '•••4567': enough to recognise, not to dial."""
    if not number:
        return None
    digits = [c for c in number if c.isdigit()]
    return "•••" + "".join(digits[-4:]) if len(digits) >= 4 else "•••"


@dataclass(frozen=True)
class Handoff:
    id: str
    clinic_id: str
    channel: str
    status: str
    reason: str
    summary: str
    transcript: list[dict[str, str]]
    conversation_id: str
    patient_id: str | None
    patient_name: str | None
    callback_number: str | None
    created_at: datetime
    updated_at: datetime
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    closed_at: datetime | None = None
    close_note: str | None = None
    call_sid: str | None = None
    conference_name: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Handoff":
        values = dict(row)
        for key in ("id", "clinic_id", "patient_id"):
            if values.get(key) is not None:
                values[key] = str(values[key])
        values["transcript"] = list(values.get("transcript") or [])
        return cls(**values)

    def to_json(self, *, full_number: bool = False) -> dict[str, Any]:
        """What the clinic's systems and the staff page see. The callback number is masked unless
        `full_number` (the signed-in staff page, which dials it)."""
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None
        return {"id": self.id, "channel": self.channel, "status": self.status, "reason": self.reason,
                "summary": self.summary, "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
                "transcript": self.transcript, "conversation_id": self.conversation_id,
                "patient_id": self.patient_id, "patient_name": self.patient_name,
                "callback_number": self.callback_number if full_number else mask_number(self.callback_number),
                "claimed_by": self.claimed_by, "claimed_at": iso(self.claimed_at), "closed_at": iso(self.closed_at),
                "close_note": self.close_note}


def as_uuid(value: str) -> str | None:
    """The canonical uuid, or None for anything else (another clinic's ids look the same: 404)."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


class HandoffStore:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def create(self, clinic_id: str, *, channel: str, reason: str, summary: str,
                     transcript: list[dict[str, str]], conversation_id: str, patient_id: str | None = None,
                     patient_name: str | None = None, callback_number: str | None = None,
                     call_sid: str | None = None) -> Handoff:
        """The conversation's live handoff: a new `open` record, or the one it already has (its
        transcript brought up to date; reason and summary stay those of the first request)."""
        if channel not in CHANNELS:
            raise ValueError(f"unknown handoff channel: {channel}")
        turns = [{"role": str(t.get("role", "")), "text": str(t.get("text", ""))} for t in transcript]
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                f"""INSERT INTO handoffs (clinic_id, channel, reason, summary, transcript, conversation_id,
                                          patient_id, patient_name, callback_number, call_sid)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                    ON CONFLICT (clinic_id, channel, conversation_id) WHERE status <> 'closed' DO NOTHING
                    RETURNING {_COLUMNS}""",
                (clinic_id, channel, reason[:200], summary, Jsonb(turns), conversation_id[:100],
                 as_uuid(patient_id) if patient_id else None, patient_name and patient_name[:200],
                 callback_number and callback_number[:50], call_sid))
            row = await cur.fetchone()
            if row is not None:
                await conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"{clinic_id}:{row['id']}"))
                return Handoff.from_row(row)
            cur = await conn.execute(                 # the live one, with the transcript as it now is
                f"""UPDATE handoffs SET transcript = %s, updated_at = now()
                    WHERE clinic_id = %s AND channel = %s AND conversation_id = %s AND status <> 'closed'
                    RETURNING {_COLUMNS}""",
                (Jsonb(turns), clinic_id, channel, conversation_id[:100]))
            existing = await cur.fetchone()
            if existing is not None:
                await conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"{clinic_id}:{existing['id']}"))
        if existing is None:                      # closed between the two statements: make a new one
            return await self.create(clinic_id, channel=channel, reason=reason, summary=summary,
                                     transcript=transcript, conversation_id=conversation_id, patient_id=patient_id,
                                     patient_name=patient_name, callback_number=callback_number, call_sid=call_sid)
        return Handoff.from_row(existing)

    async def get(self, clinic_id: str, handoff_id: str) -> Handoff | None:
        if as_uuid(handoff_id) is None or as_uuid(clinic_id) is None:
            return None
        async with self.pool.connection() as conn:
            cur = await conn.execute(f"SELECT {_COLUMNS} FROM handoffs WHERE clinic_id = %s AND id = %s",
                                     (clinic_id, handoff_id))
            row = await cur.fetchone()
        return Handoff.from_row(row) if row else None

    async def list(self, clinic_id: str, status: str | tuple[str, ...] | None = None,
                   limit: int = 100) -> list[Handoff]:
        """Newest first. `status`: one of STATUSES or several, or None for all (ValueError otherwise).
        Filtered before the limit: an open handoff from the morning is not crowded out by the day's
        closed ones."""
        wanted = (status,) if isinstance(status, str) else status
        if wanted is not None and (not wanted or any(s not in STATUSES for s in wanted)):
            raise ValueError(f"unknown handoff status: {status}")
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"""SELECT {_COLUMNS} FROM handoffs WHERE clinic_id = %s AND (%s::text[] IS NULL OR status = ANY(%s))
                    ORDER BY created_at DESC LIMIT %s""",
                (clinic_id, list(wanted) if wanted else None, list(wanted) if wanted else None,
                 max(1, min(int(limit), 500))))
            return [Handoff.from_row(row) for row in await cur.fetchall()]

    async def transition(self, clinic_id: str, handoff_id: str, to: str, *, allowed_from: tuple[str, ...],
                         **fields: Any) -> Handoff | None:
        """Move to `to` only from one of `allowed_from`, setting `fields` too; None when the record is
        not this clinic's, does not exist, or is in another status."""
        if to not in STATUSES:
            raise ValueError(f"unknown handoff status: {to}")
        unknown = set(fields) - set(SETTABLE)
        if unknown:
            raise ValueError(f"cannot set {sorted(unknown)} on a handoff")
        if as_uuid(handoff_id) is None or as_uuid(clinic_id) is None:
            return None
        names = sorted(fields)
        sets = "".join(f", {name} = %s" for name in names)
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                f"""UPDATE handoffs SET status = %s, updated_at = now(){sets}
                    WHERE clinic_id = %s AND id = %s AND status = ANY(%s) RETURNING {_COLUMNS}""",
                (to, *[fields[n] for n in names], clinic_id, handoff_id, list(allowed_from)))
            row = await cur.fetchone()
            if row is not None:
                await conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"{clinic_id}:{row['id']}"))
        return Handoff.from_row(row) if row else None

    async def refresh_transcript(self, clinic_id: str, channel: str, conversation_id: str,
                                 transcript: list[dict[str, str]]) -> str | None:
        """The conversation's live (not closed) handoff gets the transcript as it now is (a patient
        adding to their message after hours); its id, or None when it has none."""
        turns = [{"role": str(t.get("role", "")), "text": str(t.get("text", ""))} for t in transcript]
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                """UPDATE handoffs SET transcript = %s, updated_at = now()
                   WHERE clinic_id = %s AND channel = %s AND conversation_id = %s AND status <> 'closed'
                   RETURNING id""", (Jsonb(turns), clinic_id, channel, conversation_id[:100]))
            row = await cur.fetchone()
            if row is not None:
                await conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"{clinic_id}:{row['id']}"))
        return str(row["id"]) if row else None

    async def find_by_call(self, clinic_id: str, call_sid: str) -> Handoff | None:
        """The newest handoff of a call (Twilio's CallSid)."""
        if as_uuid(clinic_id) is None:
            return None
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"""SELECT {_COLUMNS} FROM handoffs WHERE clinic_id = %s AND call_sid = %s
                    ORDER BY created_at DESC LIMIT 1""", (clinic_id, call_sid))
            row = await cur.fetchone()
        return Handoff.from_row(row) if row else None


CLAIMABLE = ("open", "missed", "connected")
CLOSABLE = ("open", "claimed", "missed", "connected")


async def claim(store: HandoffStore, clinic_id: str, handoff_id: str, by: str) -> Handoff | None:
    """Staff (or the clinic's system) take a handoff; None when it is not claimable now."""
    return await store.transition(clinic_id, handoff_id, "claimed", allowed_from=CLAIMABLE,
                                  claimed_by=by[:255], claimed_at=_now())


async def close(store: HandoffStore, clinic_id: str, handoff_id: str, note: str | None,
                by: str | None = None) -> Handoff | None:
    """Done with it, with an optional note; None when it is already closed (or ringing)."""
    fields: dict[str, Any] = {"closed_at": _now(), "close_note": (note or None) and note[:2000]}
    current = await store.get(clinic_id, handoff_id)
    if by and current is not None and current.claimed_by is None:
        fields.update(claimed_by=by[:255], claimed_at=fields["closed_at"])
    return await store.transition(clinic_id, handoff_id, "closed", allowed_from=CLOSABLE, **fields)


def _now() -> datetime:
    return datetime.now(timezone.utc)
