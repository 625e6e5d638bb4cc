"""A Google Calendar API v3 stand-in on loopback, with the rules Google documents:

* `POST /token`: the service-account JWT bearer grant (token_endpoint.py), RS256, aud = token URI,
  exp at most an hour after iat; the token's scope must include `.../auth/calendar`.
* `POST /calendar/v3/freeBusy`: busy intervals of opaque, non-cancelled events; an unknown calendar
  is reported in that calendar's `errors` (`notFound`).
* `events.insert` with a caller-chosen id: base32hex (a–v, 0–9), 5–1024 characters, else 400
  `invalid`; an id used before on that calendar (even by a cancelled event) is 409 `duplicate`.
  Overlapping events are NOT refused (Google does not); `created` is stamped on each.
* `events.get` (cancelled events stay readable), `events.patch` with `If-Match` on the event's ETag
  (412 `conditionNotMet` on a mismatch), `events.list` with timeMin/timeMax (an event ends after
  timeMin and starts before timeMax), `privateExtendedProperty=k=v` filters (all must match),
  `showDeleted`, `maxResults` and `pageToken` paging.
* Errors are Google's JSON: {"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}.
"""
from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.ehr_contract.standins.loopback import Faults
from tests.ehr_contract.standins.token_endpoint import Tokens, google_token_route

SCOPE = "https://www.googleapis.com/auth/calendar"
EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")


def google_error(status: int, reason: str, message: str, domain: str = "global") -> JSONResponse:
    return JSONResponse({"error": {"code": status, "message": message,
                                   "errors": [{"domain": domain, "reason": reason, "message": message}]}},
                        status_code=status)


def when(value: dict[str, Any]) -> datetime:
    if "dateTime" in value:
        return datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
    return datetime.fromisoformat(value["date"]).replace(tzinfo=timezone.utc)


def utc(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class GoogleStandin:
    accounts: dict[str, str]                                       # client e-mail -> public key PEM
    calendars: dict[str, dict[str, dict[str, Any]]]                # calendar id -> event id -> event
    tokens: Tokens = field(default_factory=lambda: Tokens(lifetime_s=3599))
    faults: Faults = field(default_factory=Faults)
    root: str = ""
    page_size: int = 50
    clock: itertools.count = field(default_factory=lambda: itertools.count(1))
    received: list[dict[str, Any]] = field(default_factory=list)

    @property
    def token_url(self) -> str:
        return self.root + "/token"

    @property
    def api_base(self) -> str:
        return self.root + "/calendar/v3"

    def stamp(self, event: dict[str, Any]) -> None:
        tick = next(self.clock)
        event["etag"] = f'"{3181161784712000 + tick}"'
        event["updated"] = f"2026-12-01T14:00:{tick % 60:02d}.{tick:06d}Z"

    def add(self, calendar_id: str, event: dict[str, Any]) -> dict[str, Any]:
        tick = next(self.clock)
        event = {"kind": "calendar#event", "status": "confirmed", **event,
                 "created": f"2026-12-01T14:00:00.{tick:06d}Z"}
        self.stamp(event)
        self.calendars[calendar_id][event["id"]] = event
        return event

    def app(self) -> Starlette:
        token = google_token_route(self.tokens, self.accounts, lambda request: self.token_url)
        return Starlette(routes=[
            Route("/token", self._guard(token, auth=False), methods=["POST"]),
            Route("/calendar/v3/freeBusy", self._guard(self.free_busy), methods=["POST"]),
            Route("/calendar/v3/calendars/{cal}/events", self._guard(self.events), methods=["GET", "POST"]),
            Route("/calendar/v3/calendars/{cal}/events/{eid}", self._guard(self.event), methods=["GET", "PATCH"])])

    def _guard(self, handler, auth: bool = True):
        async def guarded(request: Request) -> Response:
            blocked = await self.faults.gate(request, lambda s, t: google_error(
                s, "rateLimitExceeded" if s == 429 else "backendError", t, "usageLimits" if s == 429 else "global"))
            if blocked is not None:
                return blocked
            if auth:
                why = self.tokens.check(request.headers.get("Authorization"))
                if why:
                    return google_error(401, "authError", "Request had invalid authentication credentials.")
                if SCOPE not in self.tokens.scope_of(request.headers.get("Authorization")):
                    return google_error(403, "insufficientPermissions",
                                        "Request had insufficient authentication scopes.")
            return await handler(request)
        return guarded

    async def _body(self, request: Request) -> Any:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return None
        self.received.append({"method": request.method, "path": request.url.path, "body": body})
        return body

    async def free_busy(self, request: Request) -> Response:
        body = await self._body(request)
        if not isinstance(body, dict) or "timeMin" not in body or "timeMax" not in body:
            return google_error(400, "badRequest", "Missing timeMin or timeMax.")
        lo = datetime.fromisoformat(body["timeMin"].replace("Z", "+00:00"))
        hi = datetime.fromisoformat(body["timeMax"].replace("Z", "+00:00"))
        out: dict[str, Any] = {}
        for item in body.get("items") or []:
            cid = item.get("id")
            if cid not in self.calendars:
                out[cid] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            busy = sorted((when(e["start"]), when(e["end"])) for e in self.calendars[cid].values()
                          if e.get("status") != "cancelled" and e.get("transparency", "opaque") == "opaque"
                          and when(e["start"]) < hi and when(e["end"]) > lo)
            out[cid] = {"busy": [{"start": utc(max(a, lo)), "end": utc(min(b, hi))} for a, b in busy]}
        return JSONResponse({"kind": "calendar#freeBusy", "timeMin": body["timeMin"], "timeMax": body["timeMax"],
                             "calendars": out})

    async def events(self, request: Request) -> Response:
        cid = request.path_params["cal"]
        if cid not in self.calendars:
            return google_error(404, "notFound", "Not Found")
        if request.method == "POST":
            return await self.insert(request, cid)
        q = request.query_params
        wanted = [p.split("=", 1) for p in q.getlist("privateExtendedProperty")]
        lo = datetime.fromisoformat(q["timeMin"].replace("Z", "+00:00")) if q.get("timeMin") else None
        hi = datetime.fromisoformat(q["timeMax"].replace("Z", "+00:00")) if q.get("timeMax") else None
        show_deleted = q.get("showDeleted") == "true"
        found = []
        for e in self.calendars[cid].values():
            private = (e.get("extendedProperties") or {}).get("private") or {}
            if any(len(w) != 2 or private.get(w[0]) != w[1] for w in wanted):
                continue
            if e.get("status") == "cancelled" and not show_deleted:
                continue
            if (lo and when(e["end"]) <= lo) or (hi and when(e["start"]) >= hi):
                continue
            found.append(e)
        found.sort(key=lambda e: (when(e["start"]), e["id"]))
        size = min(int(q.get("maxResults") or 250), self.page_size)
        offset = int(q.get("pageToken") or 0)
        page = {"kind": "calendar#events", "items": found[offset: offset + size]}
        if offset + size < len(found):
            page["nextPageToken"] = str(offset + size)
        return JSONResponse(page)

    async def insert(self, request: Request, cid: str) -> Response:
        event = await self._body(request)
        if not isinstance(event, dict):
            return google_error(400, "parseError", "Parse Error")
        eid = event.get("id")
        if eid is not None and not EVENT_ID.match(str(eid)):
            return google_error(400, "invalid", "Invalid resource id value.")
        for side in ("start", "end"):
            if not isinstance(event.get(side), dict) or not ({"dateTime", "date"} & set(event[side])):
                return google_error(400, "required", f"Missing {side} time.")
        if when(event["end"]) < when(event["start"]):
            return google_error(400, "timeRangeEmpty", "The specified time range is empty.")
        if eid in self.calendars[cid]:
            return google_error(409, "duplicate", "The requested identifier already exists.")
        return JSONResponse(self.add(cid, {**event, "id": eid or f"gen{next(self.clock):08d}"}))

    async def event(self, request: Request) -> Response:
        cid, eid = request.path_params["cal"], request.path_params["eid"]
        current = self.calendars.get(cid, {}).get(eid)
        if current is None:
            return google_error(404, "notFound", "Not Found")
        if request.method == "GET":
            return JSONResponse(current)
        if_match = request.headers.get("If-Match")
        if if_match and if_match != current["etag"]:
            return google_error(412, "conditionNotMet", "Precondition Failed")
        patch = await self._body(request)
        if not isinstance(patch, dict):
            return google_error(400, "parseError", "Parse Error")
        for key, value in patch.items():
            if key == "extendedProperties":   # patch merges inside extendedProperties.private
                private = current.setdefault("extendedProperties", {}).setdefault("private", {})
                private.update((value or {}).get("private") or {})
            elif key not in ("id", "created", "etag"):
                current[key] = value
        self.stamp(current)
        return JSONResponse(current)
