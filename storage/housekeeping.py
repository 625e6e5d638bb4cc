"""Retention: delete what is kept only for a while, and audit each deletion (counts, never content).

- `sms_inbound_messages` rows exist to drop Twilio's retries of the same MessageSid; retries come
  within minutes, so a week is ample.
- `sessions` hold conversation histories (encrypted). An expired session is never resumed; the
  audit trail and the appointments keep what must be kept. How long to keep the transcripts after
  that is the clinic's policy: `SESSION_RETENTION_DAYS`, 30 by default.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from storage import audit
from storage.audit_anchor import AuditAnchors

SMS_DEDUP_DAYS = 7


@dataclass
class Pruned:
    sms_inbound: dict[str, int] = field(default_factory=dict)     # clinic id -> rows deleted
    sessions: dict[str, int] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        return {"sms_inbound_messages": sum(self.sms_inbound.values()), "sessions": sum(self.sessions.values())}


async def prune(pool, *, session_days: int, sms_days: int = SMS_DEDUP_DAYS, dry_run: bool = False,
                anchors: AuditAnchors | None = None) -> Pruned:
    """Delete sessions expired more than `session_days` ago and inbound SMS ids older than
    `sms_days`, one transaction per clinic with its audit event."""
    if session_days < 1 or sms_days < 1:
        raise ValueError("retention must be at least one day")
    out = Pruned()
    async with pool.connection() as conn:
        cur = await conn.execute(
            """SELECT clinic_id::text AS id, 'sessions' AS what, count(*) AS n FROM sessions
               WHERE expires_at < now() - make_interval(days => %s) GROUP BY clinic_id
               UNION ALL
               SELECT clinic_id::text, 'sms', count(*) FROM sms_inbound_messages
               WHERE received_at < now() - make_interval(days => %s) GROUP BY clinic_id""",
            (session_days, sms_days))
        for row in await cur.fetchall():
            (out.sessions if row["what"] == "sessions" else out.sms_inbound)[row["id"]] = row["n"]
    if dry_run:
        return out
    for clinic_id in sorted(set(out.sessions) | set(out.sms_inbound)):
        async with pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "DELETE FROM sessions WHERE clinic_id = %s AND expires_at < now() - make_interval(days => %s)",
                (clinic_id, session_days))
            sessions = cur.rowcount
            cur = await conn.execute(
                """DELETE FROM sms_inbound_messages
                   WHERE clinic_id = %s AND received_at < now() - make_interval(days => %s)""", (clinic_id, sms_days))
            sms = cur.rowcount
            out.sessions[clinic_id], out.sms_inbound[clinic_id] = sessions, sms
            await audit.append(conn, clinic_id, audit.AuditEvent(
                action="DELETE", resource_type="retention",
                details={"sessions": sessions, "sms_inbound_messages": sms, "session_days": session_days,
                         "sms_days": sms_days}), anchors)
    return out
