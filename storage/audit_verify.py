"""`audit verify` and `audit anchor`: each clinic's chain checked against its anchor.

One REPEATABLE READ snapshot is taken first and Redis is read after it, so an append that commits
while we look is either in the snapshot (and its entry in the list) or skipped by its transaction id;
a live system never shows a false alarm. A clinic's verdict is one of:
- ok: the chain is intact and its newest row is the anchored head;
- tampered: a row was edited (the chain breaks), the anchored head is gone or rewritten (the newest
  rows were deleted), an append found the anchored head gone (sticky `breaks`), an anchor entry has a
  bad MAC, or an anchor names a transaction this database never ran (it was restored over);
- unanchored: the chain is intact but its head cannot be vouched for: no anchor (Redis flushed or
  lost), anchors under another key, anchoring restarted after such a loss (`orphan_from`), rows
  after the anchored head (written while Redis was down), or Redis unreachable. Not evidence of
  tampering; re-anchor with `audit anchor` once satisfied.
"""
from __future__ import annotations

from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool
from redis.exceptions import RedisError

from storage.audit import lock_chain, verify_chain
from storage.audit_anchor import AuditAnchors, StoredEntries
from storage.audit_anchoring import SCOPE_SQL, row_hash_at, xact_states

OK, TAMPERED, UNANCHORED = "ok", "tampered", "unanchored"


@dataclass(frozen=True)
class Verdict:
    clinic_id: str | None
    status: str
    rows: int
    reason: str = ""
    row_id: str | None = None
    seq: int | None = None


async def _head(conn, clinic_id: str | None) -> tuple[int, int | None]:
    cur = await conn.execute("""SELECT count(*) AS n, max(seq) AS head FROM audit_logs
                                WHERE clinic_id IS NOT DISTINCT FROM %s""", (clinic_id,))
    row = await cur.fetchone()
    return row["n"], row["head"]


async def _verdict(conn, clinic_id: str | None, stored: StoredEntries | None, next_xid: int) -> Verdict:
    count, head = await _head(conn, clinic_id)
    checked, broken = await verify_chain(conn, clinic_id)
    if broken:
        return Verdict(clinic_id, TAMPERED, count, broken.reason, broken.row_id, broken.seq)
    if stored is None:
        return Verdict(clinic_id, OK if count == 0 else UNANCHORED, count,
                       "" if count == 0 else "Redis (the anchor store) is unreachable: the chain was checked, its "
                                             "newest rows were not")
    if stored.forged:
        return Verdict(clinic_id, TAMPERED, count, f"{stored.forged} anchor entries in Redis have a bad MAC: "
                                                   "someone without the key wrote them")
    states = await xact_states(conn, [e.xid for e in stored.entries])
    judged = None
    for entry in stored.entries:
        status, visible = states[entry.xid]
        if status == "future" and int(entry.xid) >= next_xid:
            return Verdict(clinic_id, TAMPERED, count,
                           f"the anchor (seq {entry.seq}) names transaction {entry.xid}, which this database has "
                           "never run: it was restored from a backup, and the rows after the backup are gone")
        if status != "aborted" and visible:
            judged = entry
            break
    if judged is None:
        if count == 0:
            return Verdict(clinic_id, OK, 0)
        if stored.other_key:
            return Verdict(clinic_id, UNANCHORED, count, "the anchors were written under another key "
                                                         "(AUDIT_ANCHOR_KEY or SECRET_KEY changed)")
        return Verdict(clinic_id, UNANCHORED, count, "no anchor in Redis for this clinic (Redis flushed or lost, "
                                                     "or the rows predate anchoring)")
    at = await row_hash_at(conn, clinic_id, judged.seq)
    if at is None:
        now = f"the table now ends at seq {head}" if head is not None else "the clinic has no audit rows left"
        return Verdict(clinic_id, TAMPERED, count, f"the anchored newest row (seq {judged.seq}) is gone: the clinic's "
                                                   f"newest audit rows were deleted; {now}", seq=judged.seq)
    if at != judged.row_hash:
        return Verdict(clinic_id, TAMPERED, count, f"the anchored newest row (seq {judged.seq}) was rewritten",
                       seq=judged.seq)
    if judged.breaks:
        return Verdict(clinic_id, TAMPERED, count,
                       f"audit rows were deleted: the anchored row seq {judged.breaks[0]} was gone when a later "
                       "event was written", seq=judged.breaks[0])
    if judged.orphan_from is not None:
        return Verdict(clinic_id, UNANCHORED, count,
                       f"the anchor was lost (Redis flushed or lost, or the key changed) and restarted at seq "
                       f"{judged.orphan_from}: rows deleted before then would not show", seq=judged.orphan_from)
    if head is not None and head > judged.seq:
        cur = await conn.execute("SELECT count(*) AS n FROM audit_logs WHERE clinic_id IS NOT DISTINCT FROM %s "
                                 "AND seq > %s", (clinic_id, judged.seq))
        after = (await cur.fetchone())["n"]
        return Verdict(clinic_id, UNANCHORED, count,
                       f"{after} rows after the anchored head (seq {judged.seq}) have no anchor (written while "
                       "Redis was unreachable)", seq=judged.seq)
    return Verdict(clinic_id, OK, count)


async def verify_all(pool: AsyncConnectionPool, anchors: AuditAnchors,
                     clinic_ids: list[str | None] | None = None) -> list[Verdict]:
    """Verdicts for the given clinics, or for every clinic the database or the anchor store knows."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur = await conn.execute(f"SELECT {SCOPE_SQL} AS scope")    # takes the snapshot
        scope = (await cur.fetchone())["scope"]
        stored: dict[str | None, StoredEntries] | None = {}
        if clinic_ids is None:
            cur = await conn.execute("""SELECT id::text AS id FROM clinics
                                        UNION SELECT DISTINCT clinic_id::text FROM audit_logs""")
            ids = {r["id"] for r in await cur.fetchall()}
        else:
            ids = set(clinic_ids)
        try:
            if clinic_ids is None:
                ids |= await anchors.clinics(scope)
            for clinic_id in ids:
                stored[clinic_id] = await anchors.read(scope, clinic_id)
        except (RedisError, OSError):
            stored = None
        cur = await conn.execute("SELECT pg_current_xact_id()::text AS xid")    # after Redis was read
        next_xid = int((await cur.fetchone())["xid"])
        return [await _verdict(conn, cid, None if stored is None else stored[cid], next_xid)
                for cid in sorted(ids, key=lambda c: c or "")]


async def reanchor(pool: AsyncConnectionPool, anchors: AuditAnchors, clinic_id: str | None) -> int | None:
    """Anchor the clinic's current head as it is now (the operator vouches for it); returns its seq."""
    async with pool.connection() as conn, conn.transaction():
        await lock_chain(conn, clinic_id)
        cur = await conn.execute(f"SELECT {SCOPE_SQL} AS scope, pg_current_xact_id()::text AS xid")
        found = await cur.fetchone()
        cur = await conn.execute("""SELECT seq, row_hash FROM audit_logs WHERE clinic_id IS NOT DISTINCT FROM %s
                                    ORDER BY seq DESC LIMIT 1""", (clinic_id,))
        head = await cur.fetchone()
        if head is None:
            await anchors.redis.delete(anchors.redis_key(found["scope"], clinic_id))
            return None
        await anchors.replace(found["scope"], clinic_id, anchors.sign(found["scope"], clinic_id, head["seq"],
                                                                      head["row_hash"], found["xid"]))
        return head["seq"]
