"""The staff page at /staff: front-desk staff sign in with their own account and work the handoff
queue live — claim, call back (a `tel:` link), close with a note, and reply in writing on web-chat
and SMS handoffs. Staff see only their own clinic; the clinic's API key never reaches a browser.

    GET  /staff                              the page (or the sign-in form)
    POST /staff/login    email, password, csrf          303 → /staff; 401 wrong; 429 locked
    POST /staff/logout   csrf
    GET  /staff/handoffs                     JSON: the clinic's handoffs that are not closed
    GET  /staff/events                       server-sent events: `handoff` with the id, on any change
    POST /staff/handoffs/{id}/claim | close (note) | reply (text), each with csrf

Every POST carries the session's CSRF token (a signed double-submit token before sign-in): missing
or wrong is 403 (JSON when the request asks for JSON). Another clinic's handoff is 404.
"""
from __future__ import annotations

import asyncio
import html
import json
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from storage.handoffs import HandoffStore, claim, close
from voice_agent.staff_auth import COOKIE, LOGIN_CSRF_COOKIE, SESSION_SECONDS, StaffAuth, StaffSession, csrf_ok
from voice_agent.staff_events import KEEPALIVE, MAX_STREAM_SECONDS, HandoffEvents, TooManyStreams
from voice_agent.staff_replies import MAX_REPLY, StaffReplies
from voice_agent.web.body_limit import body_limit
from voice_agent.web.errors import json_error

STATIC = Path(__file__).resolve().parent / "staff_static"
MAX_FORM = 16_384
MAX_NOTE = 2000
LIVE = ("open", "ringing", "connected", "missed", "claimed")
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
           "X-Frame-Options": "DENY",
           "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                      "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"}


@dataclass(frozen=True)
class StaffDeps:
    auth: StaffAuth
    handoffs: HandoffStore
    events: HandoffEvents
    replies: StaffReplies
    clinics: Any
    limiter: Any = None            # storage.rate_limiter.RateLimiter: sign-in attempts per address


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _refuse(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        return json_error(status, code, message, headers=HEADERS)
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>{status}</title><p>{html.escape(message)}</p>"
                        '<p><a href="/staff">Back to the staff page</a></p>', status_code=status, headers=HEADERS)


async def _form(request: Request) -> dict[str, str] | None:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return None
    try:
        return dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return None


def _template(name: str, **values: str) -> str:
    text = (STATIC / name).read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return text


def _login_page(deps: StaffDeps, message: str = "", status: int = 200, email: str = "") -> Response:
    token, cookie = deps.auth.login_token()
    response = HTMLResponse(_template("login.html", csrf=token, message=message, email=email),
                            status_code=status, headers=HEADERS)
    response.set_cookie(LOGIN_CSRF_COOKIE, cookie, max_age=3600, path="/staff", httponly=True,
                        secure=deps.auth.secure, samesite="strict")
    return response


async def page(deps: StaffDeps, request: Request) -> Response:
    session = await deps.auth.current(request.cookies.get(COOKIE))
    if session is None:
        return _login_page(deps)
    clinic = await deps.clinics.by_id(session.clinic_id)
    return HTMLResponse(_template("staff.html", csrf=session.csrf, email=session.email,
                                  clinic=getattr(clinic, "name", "Your clinic")), headers=HEADERS)


LOGINS_PER_MINUTE = 30          # per client address, whatever the account


async def login(deps: StaffDeps, request: Request) -> Response:
    form = await _form(request)
    if form is None or not deps.auth.login_token_ok(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _refuse(request, 403, "csrf_failed", "The sign-in form expired or was not ours. Reload the page and "
                                                    "try again.")
    email, password = form.get("email", "")[:255], form.get("password", "")[:1024]
    address = request.client.host if request.client else "unknown"
    decision = await deps.limiter.check(f"staff-login:{address}", LOGINS_PER_MINUTE) if deps.limiter else None
    if decision is not None and not decision.allowed:
        return _login_page(deps, "Too many sign-in attempts from here. Wait a minute and try again.", 429, email)
    result = await deps.auth.sign_in(email, password)
    if result.locked_until is not None:
        minutes = max(1, round((result.locked_until.timestamp() - time.time()) / 60))
        return _login_page(deps, f"Too many failed sign-ins: this account is locked for {minutes} more "
                                 "minute(s). Ask your clinic's administrator if you need in sooner.", 429, email)
    if result.session is None:
        return _login_page(deps, "Wrong email or password.", 401, email)
    response = RedirectResponse("/staff", status_code=303, headers=HEADERS)
    response.set_cookie(COOKIE, deps.auth.cookie_value(result.session), max_age=SESSION_SECONDS, path="/staff",
                        httponly=True, secure=deps.auth.secure, samesite="strict")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")
    return response


async def _signed_in(deps: StaffDeps, request: Request) -> StaffSession | Response:
    session = await deps.auth.current(request.cookies.get(COOKIE))
    if session is None:
        return _refuse(request, 401, "not_signed_in", "Sign in at /staff first.")
    return session


async def _checked_form(deps: StaffDeps, request: Request) -> tuple[StaffSession, dict[str, str]] | Response:
    session = await _signed_in(deps, request)
    if isinstance(session, Response):
        return session
    form = await _form(request)
    if form is None or not csrf_ok(session, form.get("csrf")):
        return _refuse(request, 403, "csrf_failed", "This form is missing its security token. Reload the page.")
    return session, form


async def logout(deps: StaffDeps, request: Request) -> Response:
    checked = await _checked_form(deps, request)
    if isinstance(checked, Response):
        return checked
    await deps.auth.sign_out(checked[0])
    response = RedirectResponse("/staff", status_code=303, headers=HEADERS)
    response.delete_cookie(COOKIE, path="/staff")
    return response


async def handoffs(deps: StaffDeps, request: Request) -> Response:
    session = await _signed_in(deps, request)
    if isinstance(session, Response):
        return session
    found = await deps.handoffs.list(session.clinic_id, tuple(LIVE))
    return JSONResponse({"handoffs": [h.to_json(full_number=True) for h in found]}, headers=HEADERS)


async def act(deps: StaffDeps, request: Request, action: str) -> Response:
    checked = await _checked_form(deps, request)
    if isinstance(checked, Response):
        return checked
    session, form = checked
    handoff_id = request.path_params["handoff_id"]
    current = await deps.handoffs.get(session.clinic_id, handoff_id)
    if current is None:
        return _refuse(request, 404, "not_found", "Handoff not found.")
    if action == "claim":
        moved = await claim(deps.handoffs, session.clinic_id, handoff_id, session.email)
    elif action == "close":
        moved = await close(deps.handoffs, session.clinic_id, handoff_id, form.get("note", "")[:MAX_NOTE],
                            session.email)
    else:
        text = form.get("text", "").strip()
        if current.status == "closed":        # closed by someone else while this page was open
            return _refuse(request, 409, "conflict", "This handoff is closed; the patient was not texted.")
        if not text or len(text) > MAX_REPLY:
            return _refuse(request, 400, "validation_error", f"Write a reply of 1 to {MAX_REPLY} characters.")
        result = await deps.replies.reply(current, text, session.email)
        if not result.ok:
            return _refuse(request, 409, "reply_failed", result.problem or "The reply could not be delivered.")
        moved = current
    if moved is None:
        return _refuse(request, 409, "conflict", f"This handoff is {current.status}; it cannot be {action}ed now.")
    if action != "reply":
        await deps.replies.audit(moved, f"staff_{action}", session.email)
    if _wants_json(request):
        return JSONResponse(moved.to_json(full_number=True), headers=HEADERS)
    return RedirectResponse("/staff", status_code=303, headers=HEADERS)


async def events(deps: StaffDeps, request: Request) -> Response:
    session = await _signed_in(deps, request)
    if isinstance(session, Response):
        return session
    try:
        subscription = deps.events.subscribe(session.clinic_id)
        queue = await subscription.__aenter__()
    except TooManyStreams:
        return _refuse(request, 429, "too_many_streams", "Too many staff pages are open for this clinic.")

    async def stream() -> AsyncIterator[bytes]:
        ends = time.monotonic() + MAX_STREAM_SECONDS
        yield b"retry: 2000\n: connected\n\n"
        while time.monotonic() < ends:
            try:
                handoff_id = await asyncio.wait_for(queue.get(), KEEPALIVE)
            except asyncio.TimeoutError:
                yield b": keep-alive\n\n"
                continue
            yield f"event: handoff\ndata: {json.dumps({'id': handoff_id})}\n\n".encode()

    async def release() -> None:
        await subscription.__aexit__(None, None, None)

    return _ReleasingStream(stream(), release, media_type="text/event-stream",
                             headers={**HEADERS, "X-Accel-Buffering": "no"})


class _ReleasingStream(StreamingResponse):
    """A stream that gives its slot back however the response ends. A generator's `finally` is not
    enough: a page gone before the first byte cancels the response before the generator starts,
    and a generator that never started never runs its `finally`."""

    def __init__(self, body: AsyncIterator[bytes], release: Callable[[], Awaitable[None]], **kwargs: Any) -> None:
        super().__init__(body, **kwargs)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._release()


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ("staff.js", "staff.css"):
        return Response("not found", status_code=404)
    return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


def routes(deps: StaffDeps) -> list[BaseRoute]:
    limit = [body_limit(MAX_FORM)]
    return [
        Route("/staff", partial(page, deps), methods=["GET"]),
        Route("/staff/login", partial(login, deps), methods=["POST"], middleware=limit),
        Route("/staff/logout", partial(logout, deps), methods=["POST"], middleware=limit),
        Route("/staff/handoffs", partial(handoffs, deps), methods=["GET"]),
        Route("/staff/events", partial(events, deps), methods=["GET"]),
        *[Route(f"/staff/handoffs/{{handoff_id}}/{action}", partial(act, deps, action=action), methods=["POST"],
                middleware=limit) for action in ("claim", "close", "reply")],
        Route("/staff/static/{name}", static, methods=["GET"]),
    ]
