"""Web chat: the clinic's chat page, its embed script, and the page's own JSON endpoints.

The page never holds the clinic's API key. Its conversation is identified by an HttpOnly cookie
signed with SECRET_KEY (itsdangerous) that carries the engine's session id and the clinic id; the
engine keeps the conversation (channel "web"). POSTs must come from the app's own origin or one of
the clinic's `allowed_origins`; the page may be framed only by those origins (CSP frame-ancestors).
Requests are rate limited per IP (RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW) and per clinic
(WEBCHAT_CLINIC_RATE_LIMIT per window).

Cookie: SameSite=Lax on the clinic's own page. Inside the embed iframe on the clinic's site the
page is a third-party frame, where Lax (or Strict) cookies are never sent; there, if the app is
served over https, the cookie is SameSite=None; Secure; Partitioned (CHIPS: kept per embedding
site, unusable for cross-site tracking). CSRF is covered by the Origin check and the JSON-only body.
"""
from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from channels.chat_api import MAX_BODY
from channels.deps import ChannelDeps
from dialogue.engine import ClinicUnavailable, EngineReply
from dialogue.ports import Clinic
from dialogue.staff_turns import staff_messages
from dialogue.states import BookingState
from voice_agent.web.body_limit import body_limit
from voice_agent.web.context import clinic_id_var
from voice_agent.web.errors import ApiError
from voice_agent.web.safe_input import read_json_object

log = logging.getLogger("channels.webchat")
STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "va_webchat"
MAX_MESSAGE = 2000


# ---------------------------------------------------------------- helpers

def _serializer(deps: ChannelDeps) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(deps.settings.secret_key, salt="webchat-session")


async def _clinic(deps: ChannelDeps, request: Request, *, json_errors: bool = True) -> Clinic:
    slug = request.path_params["slug"]
    clinic = await deps.clinics.by_slug(slug) if len(slug) <= 100 else None
    if clinic is not None and clinic.status == "ACTIVE":
        clinic_id_var.set(clinic.id)   # for this request's log lines (reset by RequestContextMiddleware)
    else:
        if json_errors:
            raise ApiError(404, "not_found", "No clinic chat here.")
        return None  # type: ignore[return-value]
    return clinic


def _origin_of(url: str) -> str:
    p = urlparse(url)
    return f"{p.scheme}://{p.netloc}".lower()


def _allowed_origins(clinic: Clinic) -> list[str]:
    found = clinic.settings.get("allowed_origins") or []
    return [o.rstrip("/").lower() for o in found if isinstance(o, str) and o.startswith(("http://", "https://"))]


def _check_origin(deps: ChannelDeps, request: Request, clinic: Clinic) -> None:
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers always send Origin on POST; only non-browser clients omit it (they can forge it anyway).
        if request.headers.get("sec-fetch-site") in (None, "same-origin", "none"):
            return
        raise ApiError(403, "origin_not_allowed", "This chat can only be used from the clinic's own pages.")
    origin = origin.rstrip("/").lower()
    own = {_origin_of(deps.settings.public_base_url),
           f"{request.url.scheme}://{request.headers.get('host', '')}".lower()}
    if origin in own or origin in _allowed_origins(clinic):
        return
    log.warning("web chat POST from a disallowed origin", extra={"event": "webchat_bad_origin", "channel": "web"})
    raise ApiError(403, "origin_not_allowed", "This chat can only be used from the clinic's own pages.")


async def _rate_limit(deps: ChannelDeps, request: Request, clinic: Clinic) -> None:
    settings, limiter = deps.settings, deps.limiter
    ip = request.client.host if request.client else "unknown"
    ip_ref = hmac.new(settings.secret_key.encode(), f"ip:{ip}".encode(), hashlib.sha256).hexdigest()[:32]
    for key, limit in ((f"webchat:ip:{ip_ref}", settings.rate_limit_requests),
                       (f"webchat:clinic:{clinic.id}", settings.webchat_clinic_rate_limit)):
        decision = await limiter.check(key, limit)
        if decision is not None and not decision.allowed:
            raise ApiError(429, "rate_limited",
                           f"Too many messages. Please wait {decision.retry_after} seconds and try again.",
                           headers={"Retry-After": str(decision.retry_after)})


def _session_id(deps: ChannelDeps, request: Request, clinic: Clinic) -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(deps).loads(raw, max_age=deps.settings.redis_session_ttl + 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != clinic.id or not isinstance(data.get("s"), str):
        return None
    return data["s"]


def _set_cookie(deps: ChannelDeps, request: Request, response: Response, clinic: Clinic, session_id: str) -> None:
    settings = deps.settings
    https = settings.public_base_url.startswith("https://")
    embedded = request.headers.get("x-webchat-embed") == "1"
    value = _serializer(deps).dumps({"s": session_id, "c": clinic.id})
    cross_site = embedded and https
    response.set_cookie(COOKIE, value, max_age=settings.redis_session_ttl, path=f"/webchat/{clinic.slug}",
                        httponly=True, secure=https, samesite="none" if cross_site else "lax")
    if cross_site:   # http.cookies learns "Partitioned" only in Python 3.14: append it by hand
        name, header = response.raw_headers[-1]
        assert name == b"set-cookie"
        response.raw_headers[-1] = (name, header + b"; Partitioned")


_PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]{1,40})>")
_PLACEHOLDER_NAMES = {"PERSON": "name", "DATE_OF_BIRTH": "date of birth", "PHONE_NUMBER": "phone number",
                      "EMAIL_ADDRESS": "email address"}


def _readable(text: str) -> str:
    """History turns are stored redacted ("<PERSON>"); show the patient a plain note instead."""
    return _PLACEHOLDER.sub(
        lambda m: f"[{_PLACEHOLDER_NAMES.get(m.group(1), m.group(1).lower().replace('_', ' '))} hidden]", text)


def _slots_json(slots: list[dict[str, str]] | None) -> list[dict[str, str]]:
    return [{"provider_name": s["provider_name"], "start": s["start"], "end": s["end"]} for s in slots or []]


def _reply_json(reply: EngineReply) -> dict[str, Any]:
    return {"message": reply.message, "state": reply.state.value, "available_slots": _slots_json(reply.available_slots),
            "booked": reply.state == BookingState.BOOKED, "end": reply.end_conversation}


# ---------------------------------------------------------------- JSON endpoints

async def history(deps: ChannelDeps, request: Request) -> JSONResponse:
    """The conversation so far (as the engine keeps it: redacted, the last turns) for a reload."""
    clinic = await _clinic(deps, request)
    engine = deps.engine
    session_id = _session_id(deps, request, clinic)
    # Read before the history: a staff reply landing in between is shown twice, never lost.
    staff_seen = (await staff_messages(engine, clinic.id, session_id) or [{"at": ""}])[-1]["at"] if session_id else ""
    past = await engine.history(clinic.id, session_id) if session_id else None
    if past is None:
        return JSONResponse({"messages": [], "available_slots": [], "state": None, "staff_seen": ""},
                            headers={"Cache-Control": "no-store"})
    return JSONResponse({
        "messages": [{"role": role, "text": _readable(text)} for role, text in past.turns],
        "available_slots": _slots_json(past.available_slots or []),
        "state": past.state.value, "staff_seen": staff_seen}, headers={"Cache-Control": "no-store"})


async def staff(deps: ChannelDeps, request: Request) -> JSONResponse:
    """Replies typed by the front desk after a handoff, newer than `?after=` (the page polls this)."""
    clinic = await _clinic(deps, request)
    session_id = _session_id(deps, request, clinic)
    after = request.query_params.get("after") or None
    if after is not None and len(after) > 40:
        raise ApiError(400, "validation_error", "after must be a timestamp seen before.", extra={"field": "after"})
    found = await staff_messages(deps.engine, clinic.id, session_id, after) if session_id else []
    return JSONResponse({"messages": found}, headers={"Cache-Control": "no-store"})


async def start(deps: ChannelDeps, request: Request) -> JSONResponse:
    """Open the conversation: the engine's greeting, and the session cookie."""
    clinic = await _clinic(deps, request)
    _check_origin(deps, request, clinic)
    await _rate_limit(deps, request, clinic)
    engine = deps.engine
    try:
        reply = await engine.greet(clinic.id, "web", session_id=_session_id(deps, request, clinic))
    except ClinicUnavailable:
        raise ApiError(404, "not_found", "No clinic chat here.") from None
    response = JSONResponse(_reply_json(reply), headers={"Cache-Control": "no-store"})
    _set_cookie(deps, request, response, clinic, reply.session_id)
    return response


async def messages(deps: ChannelDeps, request: Request) -> JSONResponse:
    clinic = await _clinic(deps, request)
    _check_origin(deps, request, clinic)
    await _rate_limit(deps, request, clinic)
    body = await read_json_object(request)
    message = body.get("message")
    if not isinstance(message, str) or not message.strip() or len(message) > MAX_MESSAGE:
        raise ApiError(400, "validation_error", f"message must be a string of 1 to {MAX_MESSAGE} characters.",
                       extra={"field": "message"})
    engine = deps.engine
    try:
        reply = await engine.process(clinic.id, "web", message, session_id=_session_id(deps, request, clinic))
    except ClinicUnavailable:
        raise ApiError(404, "not_found", "No clinic chat here.") from None
    response = JSONResponse(_reply_json(reply), headers={"Cache-Control": "no-store"})
    _set_cookie(deps, request, response, clinic, reply.session_id)
    return response


# ---------------------------------------------------------------- page and embed script

def _frame_ancestors(clinic: Clinic) -> str:
    return " ".join(["'self'", *_allowed_origins(clinic)])


async def page(deps: ChannelDeps, request: Request) -> Response:
    clinic = await _clinic(deps, request, json_errors=False)
    if clinic is None:
        return HTMLResponse("<!doctype html><title>Not found</title><p>No clinic chat here.</p>", status_code=404)
    template = (STATIC / "webchat.html").read_text()
    values = {"clinic_name": clinic.name, "slug": clinic.slug, "timezone": clinic.timezone,
              "embed": "1" if request.query_params.get("embed") == "1" else "0",
              "phone": clinic.settings.get("front_desk_phone") or clinic.phone or ""}
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", html.escape(value, quote=True))
    csp = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
           f"base-uri 'none'; form-action 'self'; frame-ancestors {_frame_ancestors(clinic)}")
    return HTMLResponse(template, headers={"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff",
                                           "Referrer-Policy": "same-origin", "Cache-Control": "no-store"})


async def embed_js(deps: ChannelDeps, request: Request) -> Response:
    clinic = await _clinic(deps, request, json_errors=False)
    if clinic is None:
        return Response("/* no clinic chat here */", status_code=404, media_type="application/javascript")
    script = (STATIC / "embed.js").read_text()
    script = script.replace("__CLINIC_SLUG__", json.dumps(clinic.slug)).replace(
        "__CLINIC_NAME__", json.dumps(clinic.name))
    return Response(script, media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})


def routes(deps: ChannelDeps) -> list[BaseRoute]:
    return [
        Route("/chat/{slug}", partial(page, deps), methods=["GET"]),
        Route("/chat/{slug}/embed.js", partial(embed_js, deps), methods=["GET"]),
        Route("/webchat/{slug}/history", partial(history, deps), methods=["GET"]),
        Route("/webchat/{slug}/staff", partial(staff, deps), methods=["GET"]),
        Route("/webchat/{slug}/start", partial(start, deps), methods=["POST"]),
        Route("/webchat/{slug}/messages", partial(messages, deps), methods=["POST"],
              middleware=[body_limit(MAX_BODY)]),
        Mount("/webchat/static", app=StaticFiles(directory=STATIC / "assets"), name="webchat_static"),
    ]
