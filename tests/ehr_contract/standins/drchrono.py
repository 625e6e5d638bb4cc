"""A DrChrono REST v4 stand-in on loopback (a real HTTP server in a thread), enforcing the documented
rules the adapter depends on:

- OAuth2 refresh at /o/token/: client id and secret checked; every refresh issues a new access token
  AND a new refresh token and invalidates the old refresh token (rotation); access tokens expire
  (`expires_in`, 48 h by default; `advance()` moves the stand-in's clock).
- Bearer auth on /api/*: missing, unknown or expired → 401; a token without the scope → 403.
- One practice per token: another practice's doctor, patient or appointment is 404.
- Listings paginate: `{"previous", "data", "next"}` with `page_size` (small by default, so every
  listing crosses pages); /api/appointments needs `date`, `date_range` (≤ 190 days) or `since`.
- POST/PATCH of an appointment overlapping a live one of the same doctor → 409 (unless
  `allow_overlapping`); PATCH answers 204; required fields → 400 with DRF-style field errors.
- Faults: `mode = "down"` (503 everywhere), `"timeout"` (requests stall until the fault ends),
  `throttle(n, retry_after)` (the next n requests → 429 with Retry-After).
Answers are built from the recorded shapes in fixtures/ehr/drchrono/.
"""
from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "ehr" / "drchrono"
ALL_SCOPES = "user:read calendar:read calendar:write patients:read patients:write"
LIVE_EXCLUDED = {"Cancelled", "Rescheduled"}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@dataclass
class Practice:
    doctors: dict[str, dict] = field(default_factory=dict)
    offices: dict[str, dict] = field(default_factory=dict)
    patients: dict[str, dict] = field(default_factory=dict)
    appointments: dict[str, dict] = field(default_factory=dict)


class DrChronoStandIn:
    def __init__(self, *, page_size: int = 2) -> None:
        self.lock = threading.RLock()
        self.practices: dict[str, Practice] = {}
        self.clients: dict[str, str] = {}
        self.refresh_tokens: dict[str, tuple[str, str, str]] = {}     # token → (client, practice, scope)
        self.access_tokens: dict[str, tuple[str, str, float]] = {}    # token → (practice, scope, expires)
        self.offset = 0.0
        self.expires_in = 172800
        self.page_size = page_size
        self.mode = "up"
        self.date_skew = 0.0                     # seconds the stand-in's Date header is off real time
        self._throttle: tuple[int, str] = (0, "1")
        self.log: list[tuple[str, str, int]] = []
        self._ids = itertools.count(1000)
        self.port = _spare_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(routes=[
            Route("/o/token/", self.token, methods=["POST"]),
            Route("/api/doctors", self.list_doctors, methods=["GET"]),
            Route("/api/doctors/{id}", self.get_doctor, methods=["GET"]),
            Route("/api/offices", self.list_offices, methods=["GET"]),
            Route("/api/appointments", self.appointments, methods=["GET", "POST"]),
            Route("/api/appointments/{id}", self.appointment, methods=["GET", "PATCH", "DELETE"]),
            Route("/api/patients", self.patients, methods=["GET", "POST"]),
        ], middleware=[Middleware(BaseHTTPMiddleware, dispatch=self._faults)])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error",
                                                    lifespan="off", date_header=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    # ------------------------------------------------------------------ control (the test's side)

    def start(self) -> "DrChronoStandIn":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the DrChrono stand-in did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.mode = "up"
        self.server.should_exit = True
        self.thread.join(5)

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def throttle(self, count: int, retry_after: str = "1") -> None:
        self._throttle = (count, retry_after)

    def new_id(self) -> str:
        return str(next(self._ids))

    def register_client(self) -> tuple[str, str]:
        cid, secret = f"client-{secrets.token_hex(4)}", secrets.token_hex(16)
        self.clients[cid] = secret
        return cid, secret

    def grant(self, client_id: str, practice: str, scope: str = ALL_SCOPES) -> str:
        """A refresh token, as the authorization-code exchange would have issued it."""
        token = secrets.token_urlsafe(24)
        self.refresh_tokens[token] = (client_id, practice, scope)
        return token

    def add_practice(self, name: str) -> Practice:
        self.practices[name] = Practice()
        return self.practices[name]

    def add_doctor(self, practice: str, first: str, last: str, specialty: str) -> dict:
        doc = {**fixture("doctor"), "id": int(self.new_id()), "first_name": first, "last_name": last,
               "specialty": specialty, "practice_group_name": practice}
        self.practices[practice].doctors[str(doc["id"])] = doc
        return doc

    def add_office(self, practice: str, doctor: int) -> dict:
        office = {**fixture("office"), "id": int(self.new_id()), "doctor": doctor}
        self.practices[practice].offices[str(office["id"])] = office
        return office

    def add_patient(self, practice: str, **fields: Any) -> dict:
        p = {**fixture("patient"), "id": int(self.new_id()), "chart_id": f"CH{self.new_id()}", **fields}
        self.practices[practice].patients[str(p["id"])] = p
        return p

    def add_appointment(self, practice: str, **fields: Any) -> dict:
        """An appointment made in DrChrono itself (by the front desk), not through the API."""
        a = {**fixture("appointment"), "id": self.new_id(), **fields}
        self.practices[practice].appointments[a["id"]] = a
        return a

    # ------------------------------------------------------------------ faults

    async def _faults(self, request: Request, call_next):
        if self.mode == "down":
            return self._answer(request, JSONResponse(fixture("error_unavailable"), 503))
        if self.mode == "timeout":
            while self.mode == "timeout":
                await asyncio.sleep(0.02)
            return self._answer(request, JSONResponse(fixture("error_unavailable"), 503))
        with self.lock:
            count, retry_after = self._throttle
            if count > 0:
                self._throttle = (count - 1, retry_after)
                return self._answer(request, JSONResponse(fixture("error_throttled"), 429,
                                                          headers={"Retry-After": retry_after}))
        return self._answer(request, await call_next(request))

    def _answer(self, request: Request, response: Response) -> Response:
        self.log.append((request.method, request.url.path, response.status_code))
        response.headers["Date"] = formatdate(time.time() + self.date_skew, usegmt=True)
        return response

    # ------------------------------------------------------------------ OAuth

    async def token(self, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return JSONResponse({"error": "invalid_request"}, 400)
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        client, secret = form.get("client_id"), form.get("client_secret")
        if client not in self.clients or not hmac.compare_digest(self.clients[client], str(secret or "")):
            return JSONResponse(fixture("error_invalid_client"), 401)
        if form.get("grant_type") != "refresh_token":
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        with self.lock:
            held = self.refresh_tokens.pop(str(form.get("refresh_token")), None)   # single use: rotation
            if held is None or held[0] != client:
                return JSONResponse(fixture("error_invalid_grant"), 400)
            _, practice, scope = held
            access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            self.access_tokens[access] = (practice, scope, self.now() + self.expires_in)
            self.refresh_tokens[refresh] = (client, practice, scope)
        return JSONResponse({**fixture("token_response"), "access_token": access, "refresh_token": refresh,
                             "expires_in": self.expires_in, "scope": scope})

    def _auth(self, request: Request, scope: str) -> Practice | Response:
        header = request.headers.get("authorization", "")
        held = self.access_tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if held is None or held[2] <= self.now():
            return JSONResponse(fixture("error_unauthenticated"), 401)
        if scope not in held[1].split():
            return JSONResponse(fixture("error_forbidden"), 403)
        return self.practices[held[0]]

    # ------------------------------------------------------------------ listings

    def _page(self, request: Request, items: list[dict]) -> JSONResponse:
        size = int(request.query_params.get("page_size") or self.page_size)
        start = int(request.query_params.get("cursor") or 0)
        params = {k: v for k, v in request.query_params.items() if k not in ("cursor",)}
        body = {**fixture("list_page"), "data": items[start:start + size]}
        if start + size < len(items):
            body["next"] = f"{self.url}{request.url.path}?{urlencode({**params, 'cursor': start + size})}"
        if start > 0:
            body["previous"] = f"{self.url}{request.url.path}?{urlencode({**params, 'cursor': max(0, start - size)})}"
        return JSONResponse(body)

    async def list_doctors(self, request: Request) -> Response:
        practice = self._auth(request, "user:read")
        if isinstance(practice, Response):
            return practice
        return self._page(request, sorted(practice.doctors.values(), key=lambda d: d["id"]))

    async def get_doctor(self, request: Request) -> Response:
        practice = self._auth(request, "user:read")
        if isinstance(practice, Response):
            return practice
        doc = practice.doctors.get(request.path_params["id"])
        return JSONResponse(doc) if doc else JSONResponse(fixture("error_not_found"), 404)

    async def list_offices(self, request: Request) -> Response:
        practice = self._auth(request, "user:read")
        if isinstance(practice, Response):
            return practice
        return self._page(request, sorted(practice.offices.values(), key=lambda d: d["id"]))

    # ------------------------------------------------------------------ appointments

    @staticmethod
    def _span(a: dict) -> tuple[datetime, datetime]:
        start = datetime.fromisoformat(a["scheduled_time"])
        return start, start + timedelta(minutes=int(a.get("duration") or 0))

    def _overlaps(self, practice: Practice, candidate: dict, ignore: str | None = None) -> bool:
        if candidate.get("allow_overlapping"):
            return False
        s, e = self._span(candidate)
        for a in practice.appointments.values():
            if a["id"] == ignore or a.get("deleted_flag") or a.get("status") in LIVE_EXCLUDED:
                continue
            if str(a["doctor"]) != str(candidate["doctor"]):
                continue
            s2, e2 = self._span(a)
            if s < e2 and s2 < e:
                return True
        return False

    async def appointments(self, request: Request) -> Response:
        if request.method == "POST":
            return await self._create_appointment(request)
        practice = self._auth(request, "calendar:read")
        if isinstance(practice, Response):
            return practice
        q = request.query_params
        if not any(q.get(k) for k in ("date", "date_range", "since")):
            return JSONResponse({"detail": "One of date, date_range or since is required."}, 400)
        if q.get("date"):
            first = last = date.fromisoformat(q["date"])
        elif q.get("date_range"):
            a, _, b = q["date_range"].partition("/")
            first, last = date.fromisoformat(a), date.fromisoformat(b)
            if (last - first).days >= 190:
                return JSONResponse({"date_range": ["Max window size 190 days"]}, 400)
        else:
            first, last = date.min, date.max
        items = []
        for a in practice.appointments.values():
            day = datetime.fromisoformat(a["scheduled_time"]).date()
            if not first <= day <= last or (a.get("deleted_flag") and q.get("show_archived") not in ("true", "1")):
                continue
            if any(q.get(k) and str(a.get(k)) != q[k] for k in ("doctor", "patient", "office", "status")):
                continue
            items.append(a)
        items.sort(key=lambda a: (a["scheduled_time"], a["id"]))
        return self._page(request, items)

    async def _create_appointment(self, request: Request) -> Response:
        practice = self._auth(request, "calendar:write")
        if isinstance(practice, Response):
            return practice
        body = await request.json()
        missing = {k: ["This field is required."] for k in ("doctor", "patient", "office", "scheduled_time")
                   if body.get(k) in (None, "")}
        if body.get("duration") in (None, "") and body.get("profile") in (None, ""):
            missing["duration"] = ["This field is required."]
        if missing:
            return JSONResponse(missing, 400)
        if str(body["doctor"]) not in practice.doctors:
            return JSONResponse({"doctor": ["Invalid pk - object does not exist."]}, 400)
        if str(body["patient"]) not in practice.patients:
            return JSONResponse({"patient": ["Invalid pk - object does not exist."]}, 400)
        with self.lock:
            appt = {**fixture("appointment"), **{k: v for k, v in body.items() if k in fixture("appointment")},
                    "id": self.new_id(), "status": body.get("status", ""), "deleted_flag": False}
            if self._overlaps(practice, appt):
                return JSONResponse(fixture("error_overlap"), 409)
            practice.appointments[appt["id"]] = appt
        return JSONResponse(appt, 201)

    async def appointment(self, request: Request) -> Response:
        practice = self._auth(request, "calendar:read" if request.method == "GET" else "calendar:write")
        if isinstance(practice, Response):
            return practice
        appt = practice.appointments.get(request.path_params["id"])
        if appt is None:
            return JSONResponse(fixture("error_not_found"), 404)
        if request.method == "GET":
            return JSONResponse(appt)
        if request.method == "DELETE":
            appt["deleted_flag"] = True
            return Response(status_code=204)
        changes = await request.json()
        with self.lock:
            moved = {**appt, **{k: v for k, v in changes.items() if k in appt}}
            if self._overlaps(practice, moved, ignore=appt["id"]) and moved.get("status") not in LIVE_EXCLUDED:
                return JSONResponse(fixture("error_overlap"), 409)
            appt.update(moved)
        return Response(status_code=204)

    # ------------------------------------------------------------------ patients

    async def patients(self, request: Request) -> Response:
        if request.method == "POST":
            practice = self._auth(request, "patients:write")
            if isinstance(practice, Response):
                return practice
            body = await request.json()
            missing = {k: ["This field is required."] for k in ("gender", "doctor") if not body.get(k)}
            if missing:
                return JSONResponse(missing, 400)
            p = self.add_patient(next(k for k, v in self.practices.items() if v is practice),
                                 **{k: v for k, v in body.items() if k in fixture("patient")})
            return JSONResponse(p, 201)
        practice = self._auth(request, "patients:read")
        if isinstance(practice, Response):
            return practice
        q = request.query_params
        items = [p for p in practice.patients.values()
                 if all(not q.get(k) or str(p.get(k, "")).lower() == q[k].lower()
                        for k in ("first_name", "last_name", "date_of_birth", "email"))]
        return self._page(request, sorted(items, key=lambda p: p["id"]))

    # ------------------------------------------------------------------ webhooks (DrChrono → us)

    @staticmethod
    def delivery(event: str, obj: dict, secret: str, delivery_id: str | None = None,
                 url: str = "https://receptionist.test/") -> tuple[dict[str, str], bytes]:
        """Headers and body of a webhook delivery as DrChrono sends it: `X-drchrono-signature` carries
        the webhook's secret token (the documented form)."""
        body = json.dumps({**fixture("webhook_appointment_modify"), "object": obj,
                           "receiver": {**fixture("webhook_appointment_modify")["receiver"], "url": url}}).encode()
        return ({"X-drchrono-event": event, "X-drchrono-signature": secret,
                 "X-drchrono-delivery": delivery_id or secrets.token_hex(8), "Content-Type": "application/json"}, body)

    @staticmethod
    def verification_answer(secret: str, msg: str) -> str:
        return hmac.new(secret.encode(), msg.encode(), hashlib.sha256).hexdigest()


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_of(value: Any) -> Any:
    return copy.deepcopy(value)
