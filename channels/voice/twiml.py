"""Twilio voice webhooks (TwiML): answer the call into a Media Stream, and what happens after it.

* `POST /webhooks/twilio/voice` — Twilio's "A call comes in" URL. Signed form → clinic by `To`
  → `<Connect action=".../after"><Stream url="wss://.../webhooks/twilio/media">` with the clinic
  and a signed, short-lived stream token as `<Parameter>`s. Unknown number: apology + `<Hangup/>`.
* `POST /webhooks/twilio/voice/after` — the `<Connect action>`: Twilio asks for it when our
  stream ends. A call the engine handed off is dialled to the clinic's front desk (with a whisper
  to staff) while the clinic is open, or takes a message after hours; anything else hangs up.
* `POST /webhooks/twilio/voice/whisper` — played to the staff member who answers (`<Number url>`):
  a summary of the call without dates of birth or phone numbers.
* `POST /webhooks/twilio/voice/dial-done` — no answer at the front desk: take a message.
* `POST /webhooks/twilio/voice/message` — the `<Record action>`: thanks the caller, audits it.
"""
from __future__ import annotations

import logging
from functools import partial
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.voice_response import Connect, Dial, Stream, VoiceResponse

from channels.voice.deps import VoiceDeps
from channels.voice.opening_hours import callback_promise, is_open
from channels.twilio_auth import verified_form, webhook_body_limit
from channels.voice.apologies import SCHEDULE_DOWN_AT_START, is_database_outage
from channels.voice.call_summary import staff_summary
from channels.voice.security import media_stream_url, stream_token
from dialogue.ports import Clinic
from dialogue.states import BookingState

log = logging.getLogger("channels.voice.twiml")
VOICE = "Polly.Joanna"
MESSAGE_SECONDS = 120
CALL_BACK = "Sorry, we can't take your call this very moment. Please call back in a minute. Goodbye."


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), media_type="application/xml")


def base_url(deps: VoiceDeps) -> str:
    return deps.settings.public_base_url.rstrip("/")


async def incoming_call(deps: VoiceDeps, request: Request) -> Response:
    form = await verified_form(request, deps.settings)
    to, call_sid = form.get("To", ""), form.get("CallSid", "")
    response = VoiceResponse()
    if deps.drain.draining:      # shutting down (SIGTERM): the next instance takes the call-back
        log.info("call refused while shutting down", extra={"event": "call_refused_draining"})
        response.say(CALL_BACK, voice=VOICE)
        response.hangup()
        return twiml(response)
    try:
        clinic = await deps.clinics.by_phone(to) if to else None
    except Exception as exc:          # Twilio reads only TwiML: a 503 would play its "application error"
        if not is_database_outage(exc):
            raise
        log.warning("call while the database is unavailable", extra={"event": "call_database_unavailable"})
        response.say(SCHEDULE_DOWN_AT_START, voice=VOICE)
        response.hangup()
        return twiml(response)
    if clinic is None or clinic.status != "ACTIVE" or not call_sid:
        log.info("call to an unknown number", extra={"event": "call_unknown_number"})
        response.say("Sorry, this number is not in service with our receptionist. Please check the number "
                     "and try again. Goodbye.", voice=VOICE)
        response.hangup()
        return twiml(response)
    settings = deps.settings
    connect = Connect(action=f"{base_url(deps)}/webhooks/twilio/voice/after", method="POST")
    stream = Stream(url=media_stream_url(settings.public_base_url), name=f"receptionist-{call_sid}"[:64])
    stream.parameter(name="clinic", value=clinic.id)
    stream.parameter(name="token", value=stream_token(settings.secret_key, clinic.id, call_sid))
    connect.append(stream)
    response.append(connect)
    return twiml(response)


async def _clinic_and_session(deps: VoiceDeps, request: Request, form, call_sid: str):
    engine = deps.engine
    clinic_id = request.query_params.get("clinic")
    clinic = await deps.clinics.by_id(clinic_id) if clinic_id else None
    if clinic is None and form.get("To"):
        clinic = await deps.clinics.by_phone(form.get("To"))
    if clinic is None or not call_sid:
        return engine, None, None
    session = await deps.conversations.find_active(clinic.id, "voice", call_sid)
    return engine, clinic, session


def take_message(response: VoiceResponse, deps: VoiceDeps, clinic: Clinic, call_sid: str,
                 reason: str) -> None:
    response.say(f"{reason} Please leave your name, a number we can reach you on, and a short message "
                 "after the tone. Press the pound key when you are done.", voice=VOICE)
    query = urlencode({"clinic": clinic.id, "call": call_sid})
    response.record(max_length=MESSAGE_SECONDS, finish_on_key="#", play_beep=True, timeout=5,
                    action=f"{base_url(deps)}/webhooks/twilio/voice/message?{query}", method="POST")
    response.say("I didn't get a message. Goodbye.", voice=VOICE)
    response.hangup()


async def after_stream(deps: VoiceDeps, request: Request) -> Response:
    form = await verified_form(request, deps.settings)
    call_sid = form.get("CallSid", "")
    engine, clinic, session = await _clinic_and_session(deps, request, form, call_sid)
    response = VoiceResponse()
    handed_off = session is not None and session.current_state == BookingState.HANDED_OFF
    if clinic is None or not handed_off:
        response.hangup()
        return twiml(response)
    tried = await deps.transfer.after_stream(clinic.id, call_sid) if deps.transfer is not None else None
    if tried == "message":
        take_message(response, deps, clinic, call_sid, "Sorry, no one at the front desk could answer.")
        return twiml(response)
    if tried == "hangup":         # the desk has the call, or the assistant took a message after a missed transfer
        response.hangup()
        return twiml(response)
    front_desk = clinic.settings.get("front_desk_phone")
    now = engine.now()
    if not front_desk or not is_open(clinic.business_hours, clinic.timezone, now):
        promise = callback_promise(clinic.business_hours, clinic.timezone, now)
        take_message(response, deps, clinic, call_sid, f"Our front desk is closed right now. {promise}")
        return twiml(response)
    query = urlencode({"clinic": clinic.id, "call": call_sid})
    dial = Dial(timeout=25, action=f"{base_url(deps)}/webhooks/twilio/voice/dial-done?{query}", method="POST",
                caller_id=clinic.phone or None)
    dial.number(front_desk, url=f"{base_url(deps)}/webhooks/twilio/voice/whisper?{query}", method="POST")
    response.append(dial)
    return twiml(response)


async def whisper(deps: VoiceDeps, request: Request) -> Response:
    form = await verified_form(request, deps.settings)
    parent = request.query_params.get("call") or form.get("ParentCallSid", "")
    engine, clinic, session = await _clinic_and_session(deps, request, form, parent)
    response = VoiceResponse()
    if clinic is None:
        response.say("Incoming transferred call.", voice=VOICE)
        return twiml(response)
    try:
        providers = {p.id: p.display_name for p in await engine.roster(clinic)}
    except Exception:
        providers = {}
    response.say(staff_summary(session, clinic, providers), voice=VOICE)
    return twiml(response)


async def dial_done(deps: VoiceDeps, request: Request) -> Response:
    form = await verified_form(request, deps.settings)
    call_sid = request.query_params.get("call") or form.get("CallSid", "")
    _, clinic, _ = await _clinic_and_session(deps, request, form, call_sid)
    response = VoiceResponse()
    if clinic is not None and form.get("DialCallStatus") in ("no-answer", "busy", "failed"):
        take_message(response, deps, clinic, call_sid, "Sorry, no one at the front desk could answer.")
    else:
        response.hangup()
    return twiml(response)


async def message_done(deps: VoiceDeps, request: Request) -> Response:
    form = await verified_form(request, deps.settings)
    call_sid = request.query_params.get("call") or form.get("CallSid", "")
    engine, clinic, session = await _clinic_and_session(deps, request, form, call_sid)
    response = VoiceResponse()
    if clinic is not None and form.get("RecordingSid"):
        try:
            await deps.audit.record(clinic.id, "voicemail_left", resource_type="call", resource_id=call_sid,
                                      details={"recording_sid": form.get("RecordingSid"),
                                               "seconds": form.get("RecordingDuration")},
                                      session_id=session.session_id if session else None)
        except Exception:
            log.exception("voicemail audit failed", extra={"event": "voicemail_audit_failed"})
        response.say("Thank you. Someone from the clinic will call you back. Goodbye.", voice=VOICE)
    response.hangup()
    return twiml(response)


def routes(deps: VoiceDeps) -> list[BaseRoute]:
    return [Route(path, partial(handler, deps), methods=["POST"], middleware=[webhook_body_limit])
            for path, handler in (("/webhooks/twilio/voice", incoming_call),
                                  ("/webhooks/twilio/voice/after", after_stream),
                                  ("/webhooks/twilio/voice/whisper", whisper),
                                  ("/webhooks/twilio/voice/dial-done", dial_done),
                                  ("/webhooks/twilio/voice/message", message_done))]
