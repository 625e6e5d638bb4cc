"""The audit row hash, by format version.

Format 1 (rows written before migration 0004) hashes the row's content without `ip_address` and
`user_agent`, so those two could be changed unnoticed; it is kept only so old rows stay verifiable.
Format 2 hashes them too, and puts the version into the hashed bytes, so relabelling a format-2
row as format 1 changes its hash instead of dropping the two fields from the check.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

GENESIS = "0" * 64
CURRENT_VERSION = 2
VERSIONS = (1, 2)


def _content(row: dict[str, Any]) -> dict[str, Any]:
    ts = row["timestamp"]
    if isinstance(ts, datetime):
        ts = ts.astimezone(timezone.utc).isoformat(timespec="microseconds")
    return {
        "id": str(row["id"]), "clinic_id": str(row["clinic_id"]) if row["clinic_id"] else None, "timestamp": ts,
        "action": row["action"], "resource_type": row["resource_type"], "resource_id": row["resource_id"],
        "details": row["details"], "session_id": str(row["session_id"]) if row["session_id"] else None,
        "severity": row["severity"],
    }


def _json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def row_hash(prev_hash: str, row: dict[str, Any], version: int = 1) -> str:
    """SHA-256 over the previous row's hash and this row's canonical content in format `version`."""
    if version == 1:
        return hashlib.sha256(prev_hash.encode() + b"\n" + _json(_content(row))).hexdigest()
    if version == 2:
        content = {**_content(row), "ip_address": row["ip_address"], "user_agent": row["user_agent"]}
        return hashlib.sha256(b"audit-row-v2\n" + prev_hash.encode() + b"\n" + _json(content)).hexdigest()
    raise ValueError(f"unknown audit hash version {version!r}")
