"""Consent records: opt-out state and consent events per clinic, channel and subject.

A subject is a channel user id (a phone number) and is stored only as a keyed hash
(`FieldCipher.user_ref`). Changing the state, the consent event and its audit event
(CONSENT_WITHDRAWN / CONSENT_GIVEN) happen in one transaction; a repeated STOP or START that
changes nothing records nothing and returns False, so the caller confirms only once.
"""
from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from storage import audit
from storage.audit_anchor import AuditAnchors
from storage.crypto import FieldCipher


class ConsentRepository:
    def __init__(self, pool: AsyncConnectionPool, cipher: FieldCipher, anchors: AuditAnchors | None = None) -> None:
        self.pool, self.cipher, self.anchors = pool, cipher, anchors

    def ref(self, channel: str, user_id: str) -> str:
        return self.cipher.user_ref(channel, user_id)

    async def is_opted_out(self, clinic_id: str, channel: str, user_id: str) -> bool:
        if channel != "sms":
            return False
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT 1 FROM sms_opt_outs WHERE clinic_id = %s AND subject_ref = %s",
                                     (clinic_id, self.ref(channel, user_id)))
            return await cur.fetchone() is not None

    async def opt_out(self, clinic_id: str, channel: str, user_id: str, *, source: str | None = None) -> bool:
        """Record an opt-out; True when the subject was opted in until now."""
        ref = self.ref(channel, user_id)
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                """INSERT INTO sms_opt_outs (clinic_id, subject_ref) VALUES (%s, %s)
                   ON CONFLICT (clinic_id, subject_ref) DO NOTHING RETURNING 1""", (clinic_id, ref))
            if await cur.fetchone() is None:
                return False
            await self._event(conn, clinic_id, channel, ref, "opt_out", source)
            return True

    async def opt_in(self, clinic_id: str, channel: str, user_id: str, *, source: str | None = None) -> bool:
        """Record an opt-in; True when the subject was opted out until now."""
        ref = self.ref(channel, user_id)
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "DELETE FROM sms_opt_outs WHERE clinic_id = %s AND subject_ref = %s RETURNING 1", (clinic_id, ref))
            if await cur.fetchone() is None:
                return False
            await self._event(conn, clinic_id, channel, ref, "opt_in", source)
            return True

    async def record_disclosure(self, clinic_id: str, call_id: str, *, records_calls: bool) -> None:
        """A call heard the disclosure (automated assistant; recording when the clinic records calls).
        Staying on the line after it is the caller's implied consent, logged as CONSENT_GIVEN."""
        ref = self.ref("voice", call_id)
        async with self.pool.connection() as conn, conn.transaction():
            await self._event(conn, clinic_id, "voice", ref, "call_disclosure",
                              "recording_notice" if records_calls else "ai_notice")

    async def _event(self, conn, clinic_id: str, channel: str, ref: str, kind: str, source: str | None) -> None:
        cur = await conn.execute(
            """INSERT INTO consent_events (clinic_id, channel, subject_ref, kind, source)
               VALUES (%s, %s, %s, %s, %s) RETURNING id::text AS id""",
            (clinic_id, channel, ref, kind, (source or "")[:50] or None))
        event_id = (await cur.fetchone())["id"]
        await audit.append(conn, clinic_id, audit.AuditEvent(
            action="CONSENT_WITHDRAWN" if kind == "opt_out" else "CONSENT_GIVEN",
            resource_type="consent", resource_id=event_id,
            details={"channel": channel, "kind": kind, "source": source, "subject_ref": ref[:16]}), self.anchors)
