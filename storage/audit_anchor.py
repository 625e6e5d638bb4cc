"""Each clinic's audit chain head, kept outside PostgreSQL (in Redis) under a keyed MAC.

The hash chain alone cannot show that a clinic's newest rows were deleted: what is left is still a
valid chain. So every append also pushes an *anchor entry* — (seq, row_hash, the writing
transaction's id, earlier breaks) with an HMAC-SHA256 over them — onto a short Redis list per
clinic. Someone who can write to the database but does not hold the key can neither reach the list
nor forge an entry, so `audit verify` can compare the table's head with the anchored one.

Entries are pushed before the writing transaction commits (under the clinic's advisory lock, so in
chain order); the transaction id lets readers skip entries whose transaction rolled back or has not
committed yet (`pg_xact_status`, `pg_visible_in_snapshot`). The list keeps the newest `KEEP` entries.
`breaks` is sticky: an append that finds the previously anchored row gone records its seq, and every
later entry carries it, so deleting rows and letting traffic go on does not wash the deletion out.
`orphan_from` is sticky too: an append that finds no anchor although the clinic already has rows
(Redis flushed or lost, or the key changed) anchors again from its own seq but says so, so a lost
anchor is only vouched for again when an operator runs `voice-agent audit anchor`.
Keys are scoped by the database's name and oid (`audit_anchoring.SCOPE_SQL`), so two databases sharing a
Redis, or a database dropped and created again, never read each other's anchors.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

import redis.asyncio as aioredis

KEEP = 16
MAX_BREAKS = 10
_PREFIX = "audit:anchor"


def derive_key(secret_key: str, audit_anchor_key: str | None) -> bytes:
    """AUDIT_ANCHOR_KEY when set; otherwise a key derived from SECRET_KEY (never SECRET_KEY itself)."""
    if audit_anchor_key:
        return audit_anchor_key.encode()
    return hmac.new(secret_key.encode(), b"voice-agent audit anchor key v1", hashlib.sha256).digest()


@dataclass(frozen=True)
class AnchorEntry:
    seq: int
    row_hash: str
    xid: str                      # the writing (or re-anchoring) transaction, as pg_current_xact_id()
    breaks: tuple[int, ...] = ()  # anchored seqs an append later found missing or changed
    orphan_from: int | None = None  # anchoring restarted here after the anchor was lost
    key_id: str = ""
    mac: str = ""


@dataclass
class StoredEntries:
    """A clinic's list as read: good entries newest first, and what could not be trusted."""
    entries: list[AnchorEntry] = field(default_factory=list)
    forged: int = 0               # entries under this key whose MAC is wrong, or unreadable ones
    other_key: int = 0            # entries under another key (AUDIT_ANCHOR_KEY or SECRET_KEY changed)


class AuditAnchors:
    """Signs, pushes and reads anchor entries. Redis errors propagate: callers decide."""

    def __init__(self, redis: aioredis.Redis, key: bytes) -> None:
        self.redis = redis
        self._key = key
        self.key_id = hmac.new(key, b"key-id", hashlib.sha256).hexdigest()[:12]

    @staticmethod
    def redis_key(scope: str, clinic_id: str | None) -> str:
        return f"{_PREFIX}:{scope}:{clinic_id or 'global'}"

    def _mac(self, scope: str, clinic_id: str | None, seq: int, row_hash: str, xid: str,
             breaks: tuple[int, ...], orphan_from: int | None) -> str:
        message = json.dumps(["v1", scope, clinic_id, seq, row_hash, xid, list(breaks), orphan_from],
                             separators=(",", ":"))
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def sign(self, scope: str, clinic_id: str | None, seq: int, row_hash: str, xid: str,
             breaks: tuple[int, ...] = (), orphan_from: int | None = None) -> AnchorEntry:
        breaks = tuple(breaks[:MAX_BREAKS])
        return AnchorEntry(seq, row_hash, xid, breaks, orphan_from, self.key_id,
                           self._mac(scope, clinic_id, seq, row_hash, xid, breaks, orphan_from))

    async def push(self, scope: str, clinic_id: str | None, entry: AnchorEntry) -> None:
        key = self.redis_key(scope, clinic_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(key, _encode(entry))
            pipe.ltrim(key, 0, KEEP - 1)
            await pipe.execute()

    async def replace(self, scope: str, clinic_id: str | None, entry: AnchorEntry) -> None:
        """The operator's re-anchor: the list becomes this one entry."""
        key = self.redis_key(scope, clinic_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.lpush(key, _encode(entry))
            await pipe.execute()

    async def read(self, scope: str, clinic_id: str | None) -> StoredEntries:
        out = StoredEntries()
        for raw in await self.redis.lrange(self.redis_key(scope, clinic_id), 0, KEEP - 1):
            entry = _decode(raw)
            if entry is None:
                out.forged += 1
            elif entry.key_id != self.key_id:
                out.other_key += 1
            elif hmac.compare_digest(entry.mac, self._mac(scope, clinic_id, entry.seq, entry.row_hash, entry.xid,
                                                          entry.breaks, entry.orphan_from)):
                out.entries.append(entry)
            else:
                out.forged += 1
        return out

    async def clinics(self, scope: str) -> set[str | None]:
        """Every clinic that has an anchor list in this database's scope."""
        found: set[str | None] = set()
        prefix = f"{_PREFIX}:{scope}:"
        async for key in self.redis.scan_iter(match=f"{prefix}*", count=500):
            name = key[len(prefix):]
            found.add(None if name == "global" else name)
        return found


def _encode(entry: AnchorEntry) -> str:
    return json.dumps({"seq": entry.seq, "row_hash": entry.row_hash, "xid": entry.xid, "breaks": list(entry.breaks),
                       "orphan_from": entry.orphan_from, "key_id": entry.key_id, "mac": entry.mac},
                      separators=(",", ":"))


def _decode(raw: str | bytes) -> AnchorEntry | None:
    try:
        data = json.loads(raw)
        orphan = data["orphan_from"]
        entry = AnchorEntry(int(data["seq"]), str(data["row_hash"]), str(data["xid"]),
                            tuple(int(b) for b in data["breaks"]), None if orphan is None else int(orphan),
                            str(data["key_id"]), str(data["mac"]))
    except (ValueError, KeyError, TypeError):
        return None
    return entry if entry.xid.isdigit() else None
