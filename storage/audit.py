"""Append-only audit events with a per-clinic hash chain.

Each row stores `prev_hash` (the clinic's previous row's hash) and `row_hash` = SHA-256 over
prev_hash and the row's canonical content, in the format its `hash_version` names (`audit_hash.py`;
new rows use format 2, which covers ip_address and user_agent). A per-clinic advisory lock, held to
the end of the caller's transaction, keeps the chain linear under concurrency. Call `append` inside
the same transaction as the action it records, so the event exists exactly when the action does.
`verify_chain` walks a clinic's rows in order and returns the first row whose hash is wrong.
Details must never hold PHI values (entity types, ids and counts only).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from storage.audit_anchor import AuditAnchors
from storage.audit_anchoring import SCOPE_SQL, anchor_append
from storage.audit_hash import CURRENT_VERSION, GENESIS, row_hash

__all__ = ["GENESIS", "AuditEvent", "ChainBreak", "append", "row_hash", "verify_chain"]


@dataclass(frozen=True)
class AuditEvent:
    action: str
    resource_type: str | None = None
    resource_id: str | None = None
    details: dict[str, Any] | None = None
    session_id: str | None = None
    severity: str = "info"
    ip_address: str | None = None
    user_agent: str | None = None


async def lock_chain(conn, clinic_id: str | None) -> None:
    """The clinic's chain lock, held to the end of the transaction: one writer (or re-anchor) at a time."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 42))", ("audit:" + (clinic_id or "global"),))


async def append(conn, clinic_id: str | None, event: AuditEvent, anchors: AuditAnchors | None = None) -> str:
    """Insert one event in the caller's transaction; returns its hash. With `anchors` (every writer
    the app and the CLI build passes one) the new head is also anchored outside the database
    (`audit_anchor.py`). Do not call it inside a savepoint that may roll back alone: its anchor would
    name a committed transaction whose row does not exist, which `audit verify` reports as deletion."""
    await lock_chain(conn, clinic_id)
    cur = await conn.execute(
        """SELECT row_hash FROM audit_logs WHERE clinic_id IS NOT DISTINCT FROM %s
           ORDER BY seq DESC LIMIT 1""", (clinic_id,))
    last = await cur.fetchone()
    prev = (last["row_hash"] if isinstance(last, dict) else last[0]) if last else GENESIS
    cur = await conn.execute("""SELECT gen_random_uuid()::text AS id, clock_timestamp() AS ts,
                                       pg_current_xact_id()::text AS xid, """ + SCOPE_SQL + " AS scope")
    ident = await cur.fetchone()
    ident_id, ts, xid, scope = (ident["id"], ident["ts"], ident["xid"], ident["scope"]) if isinstance(ident, dict) \
        else ident
    row = {"id": ident_id, "clinic_id": clinic_id, "timestamp": ts, "action": event.action,
           "resource_type": event.resource_type, "resource_id": event.resource_id,
           "details": event.details, "session_id": event.session_id, "severity": event.severity,
           "ip_address": event.ip_address, "user_agent": event.user_agent}
    digest = row_hash(prev, row, CURRENT_VERSION)
    cur = await conn.execute(
        """INSERT INTO audit_logs (id, clinic_id, "timestamp", action, resource_type, resource_id, details,
               session_id, ip_address, user_agent, severity, prev_hash, row_hash, hash_version)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING seq""",
        (ident_id, clinic_id, ts, event.action, event.resource_type, event.resource_id,
         Jsonb(event.details) if event.details is not None else None, event.session_id, event.ip_address,
         event.user_agent, event.severity, prev, digest, CURRENT_VERSION))
    if anchors is not None:
        inserted = await cur.fetchone()
        seq = inserted["seq"] if isinstance(inserted, dict) else inserted[0]
        await anchor_append(conn, anchors, scope, clinic_id, seq, digest, xid, first_row=last is None)
    return digest


@dataclass(frozen=True)
class ChainBreak:
    clinic_id: str | None
    row_id: str
    seq: int
    reason: str


async def verify_chain(conn, clinic_id: str | None) -> tuple[int, ChainBreak | None]:
    """Return (rows checked, first break or None)."""
    cur = await conn.execute(
        """SELECT id::text AS id, seq, clinic_id::text AS clinic_id, "timestamp", action::text AS action,
                  resource_type, resource_id, details, session_id::text AS session_id, severity,
                  ip_address, user_agent, hash_version, prev_hash, row_hash
           FROM audit_logs WHERE clinic_id IS NOT DISTINCT FROM %s ORDER BY seq""", (clinic_id,))
    prev = GENESIS
    count = 0
    newest_format = 1
    async for row in cur:
        count += 1
        if row["hash_version"] < newest_format:
            return count, ChainBreak(clinic_id, row["id"], row["seq"], "an old hash format after newer rows")
        newest_format = row["hash_version"]
        if row["prev_hash"] != prev:
            return count, ChainBreak(clinic_id, row["id"], row["seq"], "prev_hash does not match the previous row")
        if row["row_hash"] != row_hash(prev, row, row["hash_version"]):
            return count, ChainBreak(clinic_id, row["id"], row["seq"], "row content does not match its hash")
        prev = row["row_hash"]
    return count, None
