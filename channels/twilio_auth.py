"""X-Twilio-Signature validation for every Twilio webhook (SMS now, voice later).

Twilio signs the full public URL it requested plus all posted form fields with the account's
Auth Token. Behind a proxy the URL the app sees is not the one Twilio used, so the URL is
rebuilt from PUBLIC_BASE_URL + the request path (+ query). A request that fails is answered
403 with a JSON error and nothing is processed; a signed form with a NUL in a field (PostgreSQL
cannot store it) is answered 400. Without TWILIO_AUTH_TOKEN every webhook is
refused (there is no "trust everything" development mode).
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.datastructures import FormData
from starlette.requests import Request
from twilio.request_validator import RequestValidator, get_signature_algorithm

from voice_agent.web.body_limit import body_limit
from voice_agent.web.errors import ApiError
from voice_agent.web.safe_input import unstorable
from voice_agent.web.settings import Settings

log = logging.getLogger("channels.twilio")
MAX_FORM_BYTES = 65_536
webhook_body_limit = body_limit(MAX_FORM_BYTES)   # for every webhook route's middleware


def public_url(request: Request, base_url: str) -> str:
    url = base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def verified_form(request: Request, settings: Settings) -> FormData:
    """The posted form if its signature is valid; raises ApiError(403) otherwise."""
    if not settings.twilio_auth_token:
        log.error("Twilio webhook refused: TWILIO_AUTH_TOKEN is not set", extra={"event": "twilio_unconfigured"})
        raise ApiError(403, "twilio_not_configured",
                       "TWILIO_AUTH_TOKEN is not set, so Twilio webhooks cannot be verified and are refused.")
    signature = request.headers.get("x-twilio-signature")
    if not signature:
        raise ApiError(403, "invalid_signature", "The X-Twilio-Signature header is missing.")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise ApiError(415, "unsupported_media_type", "Twilio webhooks are posted as application/x-www-form-urlencoded.")
    raw = await request.body()     # at most MAX_FORM_BYTES: each webhook route declares webhook_body_limit
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise ApiError(400, "bad_request", "The webhook body is not UTF-8.") from None
    form = FormData(pairs)
    params = dict(pairs)
    algorithm = get_signature_algorithm(request.headers.get("x-twilio-webhooks-signature-settings"))
    url = public_url(request, settings.public_base_url)
    if not RequestValidator(settings.twilio_auth_token).validate(url, params, signature, algorithm):
        log.warning("Twilio webhook to %s with a bad signature", request.url.path,
                    extra={"event": "twilio_bad_signature"})
        raise ApiError(403, "invalid_signature", "The X-Twilio-Signature header does not match this request.")
    if any(unstorable(key) or unstorable(value) for key, value in pairs):
        raise ApiError(400, "validation_error", "The webhook has a NUL character in a field.")
    return form
