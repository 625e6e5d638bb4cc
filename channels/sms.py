"""Twilio SMS webhooks: a thin adapter from a signed form POST to `Engine.process` and back to TwiML.

Order of handling for POST /webhooks/twilio/sms:
  1 signature (403, nothing processed)   4 carrier keywords: STOP / START / HELP (and synonyms)
  2 clinic by `To` (unknown: empty TwiML)  5 opted-out numbers: empty TwiML for everything else
  3 MessageSid claimed once (retries: empty) 6 MMS: "text only"; 7 the engine, channel "sms"
A whole-message "C" or "R" answering a reminder (channels/reminders.py) cancels or moves the
appointment it named, through the engine's usual confirmation; otherwise "C" means "cancel my
appointment" only if that number was recently texted a booking confirmation ("Reply C to cancel").
The conversation itself lives in the engine's session, keyed by
(clinic, From). Nothing here logs a phone number or a message body.
"""
from __future__ import annotations

import logging
import re
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.messaging_response import MessagingResponse

from channels.deps import ChannelDeps
from channels.twilio_auth import verified_form, webhook_body_limit
from dialogue.engine import ClinicUnavailable
from dialogue.ports import ReminderReply
from safety.consent import classify_sms_keyword, sms_help_text, sms_opt_in_text, sms_opt_out_text
from voice_agent.web.context import clinic_id_var
from voice_agent.web.errors import is_database_outage

log = logging.getLogger("channels.sms")
CONFIRMATION_REPLY_SECONDS = 7 * 24 * 3600   # "Reply C to cancel" stays meaningful for a week
REMINDER_REPLY_SECONDS = 8 * 24 * 3600       # a reminder goes out at most 168 h (+ a night) ahead
REMINDER_REPLIES = {"C": ("cancel", "cancel my appointment"), "R": ("reschedule", "reschedule my appointment")}
MAX_BODY_CHARS = 1600                        # Twilio's own limit for one (concatenated) message
_SID = re.compile(r"^[A-Za-z0-9]{1,64}$")
MEDIA_REPLY = "Sorry, I can only read text messages. Please type your message."
MEDIA_NOTE = "(I can't open pictures or attachments, only the text.)"
EMPTY_REPLY = "Sorry, that message was empty. How can I help?"
DATABASE_DOWN_REPLY = "Sorry, we can't answer texts for a few minutes. Please try again shortly."


def twiml(text: str | None = None) -> Response:
    reply = MessagingResponse()
    if text:
        reply.message(sms_text(text))
    return Response(str(reply), media_type="application/xml")


def sms_text(text: str) -> str:
    """Plain text for a phone: no markdown emphasis or bullets, single spaces."""
    text = re.sub(r"[*_`#]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def help_reply(clinic) -> str:
    phone = clinic.settings.get("front_desk_phone") or clinic.phone
    return sms_help_text(clinic.name) + (f" Call {phone}." if phone else "")


async def inbound(deps: ChannelDeps, request: Request) -> Response:
    """A texted message. With the database down the texter gets a short apology (Twilio reads only
    TwiML: an error status would leave them in silence); nothing was claimed or saved, so the next
    text is handled as new."""
    form = await verified_form(request, deps.settings)
    try:
        return await _inbound(deps, form)
    except Exception as exc:
        if not is_database_outage(exc):
            raise
        log.warning("SMS: the database is unavailable", extra={"event": "sms_database_unavailable",
                                                              "channel": "sms"})
        return twiml(DATABASE_DOWN_REPLY)


async def _inbound(deps: ChannelDeps, form) -> Response:
    engine, consent, sms_log = deps.engine, deps.consent, deps.sms_log
    to, sender = str(form.get("To") or ""), str(form.get("From") or "")
    sid, body = message_sid(form), str(form.get("Body") or "")
    clinic = await deps.clinics.by_phone(to) if to else None
    if clinic is None or clinic.status != "ACTIVE":
        log.warning("SMS %s to a number no active clinic owns", sid, extra={"event": "sms_unknown_number",
                                                                            "channel": "sms"})
        return twiml()
    clinic_id_var.set(clinic.id)   # for the log lines of this request (reset by RequestContextMiddleware)
    if not sender or not sid:
        log.warning("SMS webhook without From or MessageSid", extra={"event": "sms_malformed", "channel": "sms"})
        return twiml()
    if not await sms_log.claim_inbound(clinic.id, sid):
        log.info("duplicate SMS delivery %s ignored", sid, extra={"event": "sms_duplicate", "channel": "sms"})
        return twiml()
    extra = {"channel": "sms"}

    keyword = classify_sms_keyword(body)
    if keyword == "opt_out":
        changed = await consent.opt_out(clinic.id, "sms", sender, source=body.strip().upper()[:50])
        log.info("SMS %s: opt-out (%s)", sid, "recorded" if changed else "already opted out",
                 extra={"event": "sms_opt_out", **extra})
        return twiml(sms_opt_out_text(clinic.name) if changed else None)   # one confirmation, then silence
    if keyword == "opt_in":
        await consent.opt_in(clinic.id, "sms", sender, source=body.strip().upper()[:50])
        log.info("SMS %s: opt-in", sid, extra={"event": "sms_opt_in", **extra})
        return twiml(sms_opt_in_text(clinic.name))
    if keyword == "help":
        return twiml(help_reply(clinic))
    if await consent.is_opted_out(clinic.id, "sms", sender):
        log.info("SMS %s from an opted-out number: no reply", sid, extra={"event": "sms_opted_out", **extra})
        return twiml()

    with_media = _int(form.get("NumMedia")) > 0
    text = body.strip()[:MAX_BODY_CHARS]
    if not text:
        return twiml(MEDIA_REPLY if with_media else EMPTY_REPLY)
    letter, reminder = text.upper().rstrip(".!"), None
    if letter in REMINDER_REPLIES:
        appointment_id = await sms_log.latest_reminder(clinic.id, sender, REMINDER_REPLY_SECONDS)
        if appointment_id:
            action, text = REMINDER_REPLIES[letter]
            reminder = ReminderReply(action, appointment_id)
    if reminder is None and letter == "C" and await sms_log.recently_confirmed(clinic.id, sender,
                                                                               CONFIRMATION_REPLY_SECONDS):
        text = "cancel my appointment"
    try:
        reply = await engine.process(clinic.id, "sms", text, channel_user_id=sender, reminder=reminder)
    except ClinicUnavailable:
        return twiml()
    except Exception:
        log.exception("SMS %s: the turn failed", sid, extra={"event": "sms_turn_failed", **extra})
        phone = clinic.settings.get("front_desk_phone") or clinic.phone
        return twiml("Sorry, something went wrong on our side." + (f" Please call {phone}." if phone else ""))
    # a picture's words are still read (safety included: "I took all of these" + a photo gets help)
    return twiml(f"{reply.message} {MEDIA_NOTE}" if with_media else reply.message)


async def status_callback(deps: ChannelDeps, request: Request) -> Response:
    """Delivery status of a text we sent: MessageSid, MessageStatus, ErrorCode (no body, no number)."""
    form = await verified_form(request, deps.settings)
    engine, sms_log = deps.engine, deps.sms_log
    sid, status = message_sid(form), str(form.get("MessageStatus") or form.get("SmsStatus") or "")
    clinic = None
    for number in (form.get("From"), form.get("To")):   # outbound: From is the clinic's number
        if number and clinic is None:
            clinic = await deps.clinics.by_phone(str(number))
    if clinic is None or not sid or not status:
        log.warning("SMS status for %s: unknown clinic or no status", sid or "-",
                    extra={"event": "sms_status_unknown", "channel": "sms"})
        return Response(status_code=204)
    clinic_id_var.set(clinic.id)
    error = str(form.get("ErrorCode") or "") or None
    ours = await sms_log.record_status(clinic.id, sid, status.lower(), error)
    log.info("SMS %s delivery status %s%s%s", sid, status.lower(), f" (error {error})" if error else "",
             "" if ours else " (not a confirmation text)", extra={"event": "sms_status", "channel": "sms"})
    return Response(status_code=204)


def message_sid(form) -> str:
    """Twilio's id of the message ("SM" + 32 hex), or "" when it is missing or could not be one
    (the log keeps at most 64 characters of it)."""
    sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
    return sid if _SID.match(sid) else ""


def _int(value) -> int:
    try:
        return int(str(value or "0").strip())
    except ValueError:
        return 0


def routes(deps: ChannelDeps) -> list[BaseRoute]:
    return [
        Route("/webhooks/twilio/sms", partial(inbound, deps), methods=["POST"], middleware=[webhook_body_limit]),
        Route("/webhooks/twilio/sms/status", partial(status_callback, deps), methods=["POST"],
              middleware=[webhook_body_limit]),
    ]
