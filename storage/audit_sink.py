"""AuditSink for events that stand alone (safety triggers, consent): one short transaction each.

Events that record a data change (a booking) are written by the adapter in that change's own
transaction instead.
"""
from __future__ import annotations

from typing import Any

from psycopg_pool import AsyncConnectionPool

from storage import audit
from storage.audit_anchor import AuditAnchors


class AuditRepository:
    def __init__(self, pool: AsyncConnectionPool, anchors: AuditAnchors | None = None) -> None:
        self.pool, self.anchors = pool, anchors

    async def record(self, clinic_id: str, action: str, *, resource_type: str | None = None,
                     resource_id: str | None = None, details: dict[str, Any] | None = None,
                     session_id: str | None = None, severity: str = "info") -> None:
        async with self.pool.connection() as conn, conn.transaction():
            await audit.append(conn, clinic_id, audit.AuditEvent(
                action=action, resource_type=resource_type, resource_id=resource_id, details=details,
                session_id=session_id, severity=severity), self.anchors)

    async def record_many(self, clinic_id: str, events: list[audit.AuditEvent]) -> None:
        """Several events of one turn in one transaction: one lock, one round of the chain."""
        if not events:
            return
        async with self.pool.connection() as conn, conn.transaction():
            for event in events:
                await audit.append(conn, clinic_id, event, self.anchors)
