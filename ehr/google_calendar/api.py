"""The Calendar API v3 calls the adapter makes, with Google's error JSON read into typed errors.

Errors arrive as `{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}`:
404 `notFound`, 409 `duplicate` (an event id already used), 412 `conditionNotMet` (If-Match), 401
(token), 403/429 `rateLimitExceeded` / `userRateLimitExceeded` (the transport backs off; what is left
is an outage). Network errors and timeouts are `Unavailable`.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence
from urllib.parse import quote

import httpx

from ehr.bearer import AuthRejected, JwtBearer
from ehr.errors import EHRError, NotFound, ScopeMissing, Unavailable
from ehr.http_retry import IDEMPOTENCY_HEADER

RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
MAX_PAGES = 50


class GoogleError(EHRError):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"Google Calendar answered {status} {reason}")
        self.status, self.reason, self.message = status, reason, message


def _error(response: httpx.Response) -> GoogleError:
    try:
        body = response.json().get("error") or {}
    except (ValueError, AttributeError):
        body = {}
    errors = body.get("errors") or [{}]
    return GoogleError(response.status_code, str(errors[0].get("reason", "")), str(body.get("message", ""))[:200])


class CalendarApi:
    def __init__(self, http: httpx.AsyncClient, base: str, bearer: JwtBearer) -> None:
        self.http, self.base, self.bearer = http, base, bearer

    async def call(self, method: str, path: str, *, params: Sequence[tuple[str, str]] | None = None,
                   json: Any = None, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        for attempt in (1, 2):
            token = await self.bearer.token()
            sent = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})}
            try:
                response = await self.http.request(method, self.base + path, params=params, json=json, headers=sent)
            except httpx.TimeoutException as exc:
                raise Unavailable("Google Calendar did not answer in time") from exc
            except httpx.HTTPError as exc:
                raise Unavailable("Google Calendar cannot be reached") from exc
            if response.status_code == 401 and attempt == 1:
                self.bearer.invalidate(token)
                continue
            if response.status_code < 300:
                return response.json() if response.content else {}
            error = _error(response)
            if response.status_code == 401:
                raise AuthRejected("Google Calendar refused our credentials", reason=error.reason)
            if response.status_code == 403 and error.reason not in RATE_REASONS:
                raise ScopeMissing(f"Google Calendar refused access ({error.reason}): share the calendar with the "
                                   "service account, or grant the calendar scope")
            if response.status_code in (403, 429) or response.status_code >= 500:
                raise Unavailable(f"Google Calendar answered {response.status_code} {error.reason}")
            if response.status_code in (404, 410):
                raise NotFound("not found in Google Calendar")
            raise error
        raise AssertionError("unreachable")

    @staticmethod
    def events_path(calendar_id: str, event_id: str | None = None) -> str:
        path = f"/calendars/{quote(calendar_id, safe='')}/events"
        return path + (f"/{quote(event_id, safe='')}" if event_id else "")

    async def free_busy(self, calendar_ids: Sequence[str], time_min: str, time_max: str) -> dict[str, list[dict]]:
        body = await self.call("POST", "/freeBusy", json={"timeMin": time_min, "timeMax": time_max, "timeZone": "UTC",
                                                          "items": [{"id": c} for c in calendar_ids]},
                               headers={IDEMPOTENCY_HEADER: "1"})   # a query: safe to send again
        out = {}
        for cid in calendar_ids:
            entry = (body.get("calendars") or {}).get(cid) or {}
            reasons = {str(e.get("reason")) for e in entry.get("errors") or []}
            if "notFound" in reasons:
                raise ScopeMissing("a provider's calendar is not shared with the service account")
            if reasons:
                raise Unavailable("Google Calendar could not read a provider's calendar")
            out[cid] = entry.get("busy") or []
        return out

    async def list_events(self, calendar_id: str, params: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            page = list(params) + ([("pageToken", token)] if token else [])
            try:
                body = await self.call("GET", self.events_path(calendar_id), params=page)
            except NotFound:
                raise ScopeMissing("a calendar in the configuration is not shared with the service account") from None
            out.extend(body.get("items") or [])
            token = body.get("nextPageToken")
            if not token:
                break
        return out

    async def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return await self.call("GET", self.events_path(calendar_id, event_id))

    async def insert_event(self, calendar_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """Insert with the caller's id: sending it twice can never make two events (409 duplicate)."""
        return await self.call("POST", self.events_path(calendar_id), params=[("sendUpdates", "none")], json=event,
                               headers={IDEMPOTENCY_HEADER: "1"})

    async def patch_event(self, calendar_id: str, event_id: str, patch: dict[str, Any],
                          etag: str | None) -> dict[str, Any]:
        headers = {"If-Match": etag, IDEMPOTENCY_HEADER: "1"} if etag else {}
        return await self.call("PATCH", self.events_path(calendar_id, event_id), params=[("sendUpdates", "none")],
                               json=patch, headers=headers)
