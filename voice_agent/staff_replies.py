"""A reply typed by staff on a handoff reaches the patient in that conversation.

- SMS: texted from the clinic's number through the Twilio REST client (never to an opted-out
  number), and added to the conversation's history;
- web chat: added to the conversation's history, where the patient's open chat page picks it up
  (`GET /webchat/{slug}/staff`, polled);
- calls: no reply in writing (staff call back instead).

Every reply, claim and close is audited (who, which handoff, how long — not the words).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from channels.sms_outbound import STATUS_PATH, e164
from dialogue.ports import TurnBusy
from dialogue.staff_turns import add_staff_turn
from storage.handoffs import Handoff

log = logging.getLogger("voice_agent.staff_replies")
MAX_REPLY = 1000
SESSION_CHANNEL = {"webchat": "web", "sms": "sms"}


@dataclass(frozen=True)
class ReplyResult:
    ok: bool
    problem: str | None = None          # what staff are told when not ok


class StaffReplies:
    def __init__(self, engine: Any, clinics: Any, consent: Any, twilio: Any, public_base_url: str, *,
                 audit: Any) -> None:
        self.engine, self.clinics, self.consent, self.twilio = engine, clinics, consent, twilio
        self.audit_log = audit
        self.status_callback = public_base_url.rstrip("/") + STATUS_PATH

    async def reply(self, handoff: Handoff, text: str, staff: str) -> ReplyResult:
        channel = SESSION_CHANNEL.get(handoff.channel)
        if channel is None:
            return ReplyResult(False, "Replies in writing work on web chat and SMS handoffs; call back instead.")
        if handoff.channel == "sms":
            sent = await self._text(handoff, text)
            if not sent.ok:
                return sent
            added = await self._remember(handoff, "sms", text, staff, channel_user_id=handoff.callback_number)
        else:
            added = await self._remember(handoff, "web", text, staff, session_id=handoff.conversation_id)
            if added is None:
                return ReplyResult(False, "The patient is sending a message right now; try again in a moment.")
            if not added:
                return ReplyResult(False, "That chat has ended; the patient can no longer be reached there.")
        await self.audit(handoff, "staff_reply", staff, chars=len(text), in_history=added)
        return ReplyResult(True)

    async def audit(self, handoff: Handoff, event: str, staff: str, **details: Any) -> None:
        """An UPDATE of the handoff by a staff member (claim, close, reply) in the clinic's audit trail."""
        try:
            await self.audit_log.record(handoff.clinic_id, "UPDATE", resource_type="handoff",
                                        resource_id=handoff.id,
                                        details={"event": event, "channel": handoff.channel, "staff": staff,
                                                 **details})
        except Exception:
            log.exception("staff audit failed", extra={"event": "staff_audit_failed"})

    async def _remember(self, handoff: Handoff, channel: str, text: str, staff: str, **conversation: Any) -> bool | None:
        """Into the conversation's history; None when its turn stayed busy (a text already went out)."""
        try:
            return await add_staff_turn(self.engine, handoff.clinic_id, channel, text, staff=staff, **conversation)
        except TurnBusy:
            log.warning("staff reply not added to the history: the conversation stayed busy",
                        extra={"event": "staff_reply_busy"})
            return None

    async def _text(self, handoff: Handoff, text: str) -> ReplyResult:
        clinic = await self.clinics.by_id(handoff.clinic_id)
        to, sender = e164(handoff.callback_number), e164(getattr(clinic, "phone", None))
        if self.twilio is None or not sender:
            return ReplyResult(False, "Texting is not set up for this clinic.")
        if not to:
            return ReplyResult(False, "There is no number to text on this handoff.")
        if await self.consent.is_opted_out(handoff.clinic_id, "sms", to):
            return ReplyResult(False, "This patient has opted out of texts; call them instead.")
        try:
            await asyncio.to_thread(self.twilio.messages.create, to=to, from_=sender, body=text,
                                    status_callback=self.status_callback)
        except Exception as exc:
            log.warning("staff reply text failed: Twilio error %s", getattr(exc, "code", None) or "-",
                        extra={"event": "staff_reply_failed", "channel": "sms"})
            return ReplyResult(False, "The text could not be sent; try again or call the patient.")
        return ReplyResult(True)
