"""Outbound SMS: the engine's `Notifier`, texting a confirmation after a booking, cancellation
or reschedule on any channel, from the clinic's own number, unless the patient opted out.

Sent through the Twilio SDK's REST client (blocking, so in a worker thread); tests inject the
SDK's `HttpClient`. Each (appointment, kind) is claimed in the SMS log before sending, so a notice
is texted at most once. Nothing here logs a phone number or a message body.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import phonenumbers

from dialogue.ports import AppointmentNotice

log = logging.getLogger("channels.sms")
STATUS_PATH = "/webhooks/twilio/sms/status"


class ConsentStore(Protocol):
    async def is_opted_out(self, clinic_id: str, channel: str, user_id: str) -> bool: ...

    async def opt_out(self, clinic_id: str, channel: str, user_id: str, *, source: str | None = None) -> bool: ...

    async def opt_in(self, clinic_id: str, channel: str, user_id: str, *, source: str | None = None) -> bool: ...


class SmsLog(Protocol):
    async def claim_inbound(self, clinic_id: str, message_sid: str) -> bool: ...

    async def claim_outbound(self, clinic_id: str, appointment_id: str, kind: str, phone: str) -> bool: ...

    async def outbound_result(self, clinic_id: str, appointment_id: str, kind: str, *, message_sid: str | None,
                              status: str, error_code: str | None = None) -> None: ...

    async def recently_confirmed(self, clinic_id: str, phone: str, within_seconds: int) -> bool: ...

    async def latest_reminder(self, clinic_id: str, phone: str, within_seconds: int) -> str | None: ...

    async def record_status(self, clinic_id: str, message_sid: str, status: str,
                            error_code: str | None) -> bool: ...


def e164(phone: str | None, region: str = "US") -> str | None:
    """A dialable +E.164 number, or None when the text is not a valid phone number."""
    if not phone:
        return None
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def confirmation_text(notice: AppointmentNotice) -> str:
    name = notice.clinic.name
    who_when = f"{notice.provider_name} on {notice.start_local}"
    if notice.kind == "booked":
        return f"{name}: you're booked with {who_when}. Reply C to cancel. Reply STOP to opt out."
    if notice.kind == "rescheduled":
        return f"{name}: your appointment is now with {who_when}. Reply C to cancel. Reply STOP to opt out."
    phone = notice.clinic.phone or notice.clinic.settings.get("front_desk_phone")
    again = f" Text or call {phone} to book again." if phone else ""
    return f"{name}: your appointment with {who_when} is cancelled.{again}"


class LoggingNotifier:
    """Used when Twilio is not configured: says in the log what it would have sent (no PHI)."""

    async def appointment_changed(self, notice: AppointmentNotice) -> None:
        log.info("SMS confirmation (%s) not sent: Twilio is not configured", notice.kind,
                 extra={"event": "sms_notify_skipped", "channel": "sms"})


class TwilioNotifier:
    def __init__(self, client: Any, consent: ConsentStore, sms_log: SmsLog, public_base_url: str) -> None:
        self.client, self.consent, self.sms_log = client, consent, sms_log
        self.status_callback = public_base_url.rstrip("/") + STATUS_PATH

    async def appointment_changed(self, notice: AppointmentNotice) -> None:
        clinic = notice.clinic
        to, sender = e164(notice.patient_phone), e164(clinic.phone)
        skip = None
        if not to:
            skip = "no_patient_phone"
        elif not sender:
            skip = "clinic_has_no_number"
        elif await self.consent.is_opted_out(clinic.id, "sms", to):
            skip = "opted_out"
        elif not await self.sms_log.claim_outbound(clinic.id, notice.appointment_id, notice.kind, to):
            skip = "already_sent"
        if skip:
            log.info("SMS confirmation (%s) not sent: %s", notice.kind, skip,
                     extra={"event": "sms_notify_skipped", "channel": "sms"})
            return
        try:
            message = await asyncio.to_thread(self.client.messages.create, to=to, from_=sender,
                                              body=confirmation_text(notice), status_callback=self.status_callback)
        except Exception as exc:
            code = getattr(exc, "code", None)
            log.warning("SMS confirmation (%s) failed: Twilio error %s", notice.kind, code or "-",
                        extra={"event": "sms_notify_failed", "channel": "sms", "error_type": type(exc).__name__})
            await self.sms_log.outbound_result(clinic.id, notice.appointment_id, notice.kind, message_sid=None,
                                               status="failed", error_code=str(code) if code else None)
            return
        await self.sms_log.outbound_result(clinic.id, notice.appointment_id, notice.kind, message_sid=message.sid,
                                           status=message.status or "queued")
        log.info("SMS confirmation (%s) sent as %s", notice.kind, message.sid,
                 extra={"event": "sms_notify_sent", "channel": "sms"})
