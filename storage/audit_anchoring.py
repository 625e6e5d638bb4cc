"""What an append does with the clinic's anchor: find the anchor that counts, check its row is
still in the table, and push the new head.

"Counts" means: the newest entry whose transaction committed. An entry whose transaction rolled
back is skipped (its row never existed). If the row an earlier append anchored is gone or changed,
someone deleted or rewrote the newest rows between two appends; the new entry records that seq in
`breaks`, which every later entry carries, and a warning is logged.
An append that finds no anchor although the clinic has rows anchors from its own seq and marks
the entry `orphan_from` (see `audit_anchor.py`).
A Redis outage never fails the audited action: the row is written, the anchor is not, and
`audit verify` reports the rows after the last anchor as unanchored (not as tampering).
"""
from __future__ import annotations

import logging

from redis.exceptions import RedisError

from storage.audit_anchor import AnchorEntry, AuditAnchors

log = logging.getLogger(__name__)

# The anchors' Redis scope: this database's name and oid. A database dropped and created again
# under the same name (or restored into a new one) starts with no anchors instead of old ones.
SCOPE_SQL = "(SELECT current_database() || ':' || oid::text FROM pg_database WHERE datname = current_database())"

# For each transaction id: 'committed', 'aborted' or 'in progress', or 'future' when it is not
# below the snapshot's xmax (pg_xact_status would raise for an id this database never assigned).
_STATES = """
    SELECT x AS xid,
           CASE WHEN x::xid8 < pg_snapshot_xmax(pg_current_snapshot())
                THEN coalesce(pg_xact_status(x::xid8), 'committed') ELSE 'future' END AS status,
           pg_visible_in_snapshot(x::xid8, pg_current_snapshot()) AS visible
    FROM unnest(%s::text[]) AS x"""


async def xact_states(conn, xids: list[str]) -> dict[str, tuple[str, bool]]:
    """xid -> (status, visible in the current snapshot)."""
    if not xids:
        return {}
    cur = await conn.execute(_STATES, (xids,))
    return {r["xid"]: (r["status"], r["visible"]) for r in await cur.fetchall()}


async def row_hash_at(conn, clinic_id: str | None, seq: int) -> str | None:
    cur = await conn.execute("SELECT row_hash FROM audit_logs WHERE clinic_id IS NOT DISTINCT FROM %s AND seq = %s",
                             (clinic_id, seq))
    row = await cur.fetchone()
    return row["row_hash"] if row else None


async def anchor_append(conn, anchors: AuditAnchors, scope: str, clinic_id: str | None, seq: int,
                        row_hash: str, xid: str, first_row: bool) -> None:
    """Push the new head's entry. Called by `audit.append` under the clinic's lock, before commit;
    `first_row`: the clinic had no audit row before this one."""
    try:
        stored = await anchors.read(scope, clinic_id)
        states = await xact_states(conn, [e.xid for e in stored.entries])
        last: AnchorEntry | None = next((e for e in stored.entries if states[e.xid][0] != "aborted"), None)
        breaks = last.breaks if last else ()
        orphan_from = last.orphan_from if last else (None if first_row else seq)
        if last is None and not first_row:
            log.warning("audit anchor lost: anchoring restarts at this row until an operator re-anchors",
                        extra={"event": "audit_anchor_lost", "clinic_id": clinic_id, "seq": seq})
        if last is not None and await row_hash_at(conn, clinic_id, last.seq) != last.row_hash:
            breaks = (*breaks, last.seq)
            log.error("audit rows deleted or changed: the anchored head is gone",
                      extra={"event": "audit_anchor_break", "clinic_id": clinic_id, "anchored_seq": last.seq})
        await anchors.push(scope, clinic_id, anchors.sign(scope, clinic_id, seq, row_hash, xid, breaks, orphan_from))
    except (RedisError, OSError) as exc:
        log.warning("audit anchor not written: Redis unreachable",
                    extra={"event": "audit_anchor_unavailable", "clinic_id": clinic_id,
                           "error_type": type(exc).__name__})
