"""Twilio's requests during a warm transfer: `/webhooks/twilio/voice/transfer/<leaf>?c=<clinic>&h=<handoff>`.

* `hold` (the conference's waitUrl) and `whisper` (the desk leg's Url) return TwiML.
* `choice` (the whisper's `<Gather action>`), `desk-status` (the desk leg's call-progress events) and
  `conference` (the conference's statusCallback) move the handoff record.

Every request must carry a valid X-Twilio-Signature over the public URL and form (else 403, nothing
read). The three that move the record are refused (403) when replayed: each signed request is
remembered for a day by a digest of its signature and URL (PostgreSQL, so every instance knows it),
and one whose `Timestamp` is older than REPLAY_WINDOW_SECONDS is refused too. A request that failed
in our hands is forgotten again, so Twilio's own retry still counts.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from channels.twilio_auth import public_url, verified_form, webhook_body_limit
from channels.voice import transfer_twiml as tw
from channels.voice.deps import VoiceDeps
from voice_agent.web.errors import ApiError

log = logging.getLogger("channels.voice.transfer")
REPLAY_WINDOW_SECONDS = 900


def _xml(text: str) -> Response:
    return Response(text, media_type="application/xml")


def _ids(request: Request) -> tuple[str, str]:
    clinic_id, handoff_id = request.query_params.get("c", ""), request.query_params.get("h", "")
    if not clinic_id or not handoff_id or len(clinic_id) > 64 or len(handoff_id) > 64:
        raise ApiError(404, "not_found", "No such transfer.")
    return clinic_id, handoff_id


def _transfer(deps: VoiceDeps):
    if deps.transfer is None:
        raise ApiError(404, "not_found", "Warm transfer is not configured.")
    return deps.transfer


async def _once(deps: VoiceDeps, request: Request, form, handle: Callable[[], Awaitable[Response]]) -> Response:
    """Run `handle` for a status callback seen for the first time; 403 for a replay or a stale one."""
    stamp = form.get("Timestamp")
    if stamp:
        try:
            sent = parsedate_to_datetime(stamp)
        except (TypeError, ValueError):
            raise ApiError(400, "validation_error", "Timestamp is not an RFC 2822 date.") from None
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=timezone.utc)
        if abs((datetime.now(timezone.utc) - sent).total_seconds()) > REPLAY_WINDOW_SECONDS:
            log.warning("stale Twilio callback refused", extra={"event": "transfer_callback_stale"})
            raise ApiError(403, "stale_callback", "This callback is older than the replay window.")
    signature = request.headers.get("x-twilio-signature", "")
    digest = hashlib.sha256(f"{signature}\n{public_url(request, deps.settings.public_base_url)}".encode()).hexdigest()
    records = _transfer(deps).records
    if not await records.first_time(digest):
        log.warning("replayed Twilio callback refused", extra={"event": "transfer_callback_replayed"})
        raise ApiError(403, "replayed_callback", "This callback was already received.")
    try:
        return await handle()
    except BaseException:
        await records.forget(digest)
        raise


async def hold(deps: VoiceDeps, request: Request) -> Response:
    await verified_form(request, deps.settings)
    return _xml(tw.hold_audio())


async def whisper(deps: VoiceDeps, request: Request) -> Response:
    await verified_form(request, deps.settings)
    clinic_id, handoff_id = _ids(request)
    return _xml(await _transfer(deps).whisper(clinic_id, handoff_id))


async def choice(deps: VoiceDeps, request: Request) -> Response:
    form = await verified_form(request, deps.settings)
    clinic_id, handoff_id = _ids(request)

    async def handle() -> Response:
        digits = str(form.get("Digits", ""))[:5]
        return _xml(await _transfer(deps).desk_pressed(clinic_id, handoff_id, digits))
    return await _once(deps, request, form, handle)


async def desk_status(deps: VoiceDeps, request: Request) -> Response:
    form = await verified_form(request, deps.settings)
    clinic_id, handoff_id = _ids(request)

    async def handle() -> Response:
        await _transfer(deps).desk_status(clinic_id, handoff_id, str(form.get("CallStatus", ""))[:20])
        return Response(status_code=204)
    return await _once(deps, request, form, handle)


async def conference(deps: VoiceDeps, request: Request) -> Response:
    form = await verified_form(request, deps.settings)
    clinic_id, handoff_id = _ids(request)

    async def handle() -> Response:
        await _transfer(deps).conference_event(clinic_id, handoff_id, str(form.get("StatusCallbackEvent", ""))[:40],
                                               str(form.get("CallSid", ""))[:64])
        return Response(status_code=204)
    return await _once(deps, request, form, handle)


def routes(deps: VoiceDeps) -> list[BaseRoute]:
    return [Route(f"{tw.PATH}/{leaf}", partial(handler, deps), methods=["POST"], middleware=[webhook_body_limit])
            for leaf, handler in (("hold", hold), ("whisper", whisper), ("choice", choice),
                                  ("desk-status", desk_status), ("conference", conference))]
