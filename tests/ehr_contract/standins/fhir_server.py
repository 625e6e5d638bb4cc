"""A FHIR R4 server stand-in on loopback with the behaviour Epic and Oracle Health document; the
vendor differences are a `Dialect` (epic.py, cerner.py).

Enforced for every vendor: SMART Backend Services tokens (token_endpoint.py) and bearer expiry (401);
Bundle paging (`link[relation=next]`, `_count`); every resource received is validated with
`fhir.resources` R4 models (R4B package, see ehr/fhir/resources.py) plus the code bindings the models
do not check — an invalid one is 400 with an OperationOutcome; ETags on reads and writes and
`If-Match` on updates; one live appointment per Slot (overlap conflicts); 429 with Retry-After and
outages (loopback.Faults).
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlencode

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.ehr_contract.standins.fhir_world import FhirWorld, store_appointment
from tests.ehr_contract.standins.loopback import Faults
from tests.ehr_contract.standins.token_endpoint import SmartClient, Tokens, smart_token_route

FHIR_JSON = "application/fhir+json"
APPOINTMENT_STATUSES = {"proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
                        "entered-in-error", "checked-in", "waitlist"}
PARTICIPATION = {"accepted", "declined", "tentative", "needs-action"}


def outcome(status: int, code: str, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"resourceType": "OperationOutcome",
                         "issue": [{"severity": "error", "code": code, "diagnostics": text}]},
                        status_code=status, media_type=FHIR_JSON, headers=headers)


class Refused(Exception):
    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(text)
        self.response = outcome(status, code, text)


@dataclass
class Dialect:
    name: str
    base_path: str
    token_path: str
    update_method: str                 # "PUT" (Epic) or "PATCH" (Oracle Health, JSON Patch)
    stale_status: int                  # If-Match of an older version: 412 (FHIR, Epic) / 409 (Oracle Health)
    busy_status: int                   # booking a Slot that is not free: 409 (Epic) / 422 (Oracle Health)
    check_create: Callable[[dict[str, Any], FhirWorld], None]
    slot_status_param: bool = True     # Oracle Health's Slot search returns only free slots, no status param
    date_required: bool = False        # Oracle Health: Appointment search by patient/practitioner needs date
    return_body_on_create: bool = True


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def digits(text: str) -> str:
    out = "".join(c for c in text if c.isdigit())
    return out[-10:]


def parse_when(value: str) -> tuple[str, datetime]:
    prefix = value[:2] if value[:2] in ("ge", "gt", "le", "lt", "eq", "ne") else "eq"
    raw = value[2:] if value[:2] == prefix else value
    when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return prefix, when


def matches_dates(value: str, conditions: list[tuple[str, datetime]]) -> bool:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    ops = {"ge": when.__ge__, "gt": when.__gt__, "le": when.__le__, "lt": when.__lt__, "eq": when.__eq__,
           "ne": when.__ne__}
    return all(ops[p](t) for p, t in conditions)


def validate(resource: Any, model) -> dict[str, Any]:
    if not isinstance(resource, dict) or resource.get("resourceType") != model.__name__:
        raise Refused(400, "structure", f"the body must be a {model.__name__} resource")
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Refused(400, "structure", f"invalid {model.__name__}: {'.'.join(map(str, first['loc']))}: "
                                        f"{first['msg']}") from None
    return resource


def validate_appointment(resource: Any) -> dict[str, Any]:
    validate(resource, Appointment)
    if resource.get("status") not in APPOINTMENT_STATUSES:
        raise Refused(400, "code-invalid", "Appointment.status is not a code of AppointmentStatus")
    for p in resource.get("participant") or []:
        if p.get("status") not in PARTICIPATION:
            raise Refused(400, "code-invalid", "Appointment.participant.status is not a ParticipationStatus code")
    return resource


@dataclass
class FhirStandin:
    dialect: Dialect
    world: FhirWorld
    clients: dict[str, SmartClient]
    tokens: Tokens = field(default_factory=Tokens)
    faults: Faults = field(default_factory=Faults)
    page_size: int = 50
    root: str = ""                                     # http://127.0.0.1:PORT, set once serving
    pages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)       # bodies the server parsed
    calls: list[tuple[str, str, int]] = field(default_factory=list)    # (method, path, status) answered

    @property
    def base_url(self) -> str:
        return self.root + self.dialect.base_path

    @property
    def token_url(self) -> str:
        return self.root + self.dialect.token_path

    def touch(self, appointment_id: str) -> None:
        """Someone in the EHR edits the appointment: its version (ETag) moves on."""
        meta = self.world.appointments[appointment_id]["meta"]
        meta["versionId"] = str(int(meta["versionId"]) + 1)

    # ------------------------------------------------------------------ plumbing

    def app(self) -> Starlette:
        b = self.dialect.base_path
        token = smart_token_route(self.tokens, self.clients, lambda request: self.token_url)
        routes = [Route(self.dialect.token_path, self._guard(token, auth=False), methods=["POST"]),
                  Route(b, self._guard(self.get_page), methods=["GET"]),
                  Route(b + "/{type}", self._guard(self.search_or_create), methods=["GET", "POST"]),
                  Route(b + "/{type}/{id}", self._guard(self.read_or_update), methods=["GET", "PUT", "PATCH"])]
        return Starlette(routes=routes)

    def _guard(self, handler, auth: bool = True):
        async def guarded(request: Request) -> Response:
            blocked = await self.faults.gate(request, lambda s, t: outcome(s, "throttled" if s == 429 else "transient", t))
            if blocked is not None:
                return blocked
            if auth:
                why = self.tokens.check(request.headers.get("Authorization"))
                if why:
                    return outcome(401, "login", why,
                                   {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{why}"'})
            try:
                response = await handler(request)
            except Refused as exc:
                response = exc.response
            self.calls.append((request.method, request.url.path, response.status_code))
            return response
        return guarded

    def _resource(self, resource: dict[str, Any], status: int = 200) -> JSONResponse:
        headers = {}
        version = (resource.get("meta") or {}).get("versionId")
        if version:
            headers["ETag"] = f'W/"{version}"'
        return JSONResponse(resource, status_code=status, media_type=FHIR_JSON, headers=headers)

    def _bundle(self, request: Request, kind: str, found: list[dict[str, Any]]) -> JSONResponse:
        count = int(request.query_params.get("_count") or self.page_size)
        count = max(1, min(count, self.page_size))
        key = f"p{len(self.pages) + 1}"
        self.pages[key] = found
        return self._page(key, 0, count)

    def _page(self, key: str, offset: int, count: int) -> JSONResponse:
        found = self.pages[key]
        chunk = found[offset: offset + count]
        links = [{"relation": "self", "url": f"{self.base_url}?{urlencode({'_getpages': key, '_getpagesoffset': offset, '_count': count})}"}]
        if offset + count < len(found):
            links.append({"relation": "next", "url": f"{self.base_url}?" + urlencode(
                {"_getpages": key, "_getpagesoffset": offset + count, "_count": count})})
        return JSONResponse({"resourceType": "Bundle", "type": "searchset", "total": len(found), "link": links,
                             "entry": [{"fullUrl": f"{self.base_url}/{r['resourceType']}/{r['id']}", "resource": r,
                                        "search": {"mode": "match"}} for r in chunk]}, media_type=FHIR_JSON)

    async def get_page(self, request: Request) -> Response:
        key = request.query_params.get("_getpages", "")
        if key not in self.pages:
            return outcome(410, "not-found", "that page is gone")
        return self._page(key, int(request.query_params.get("_getpagesoffset", 0)),
                          int(request.query_params.get("_count", self.page_size)))

    async def _json(self, request: Request) -> Any:
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise Refused(400, "structure", "the body is not JSON") from None
        self.received.append({"method": request.method, "path": request.url.path, "body": body,
                              "content_type": request.headers.get("content-type", "")})
        return body

    # ------------------------------------------------------------------ reads and searches

    def _store(self, kind: str) -> dict[str, dict[str, Any]]:
        stores = {"Patient": self.world.patients, "Practitioner": self.world.practitioners,
                  "Schedule": self.world.schedules, "Slot": self.world.slots, "Appointment": self.world.appointments}
        if kind not in stores:
            raise Refused(404, "not-supported", f"{kind} is not supported")
        return stores[kind]

    async def search_or_create(self, request: Request) -> Response:
        kind = request.path_params["type"]
        if request.method == "POST":
            return await (self.create_patient(request) if kind == "Patient" else
                          self.create_appointment(request) if kind == "Appointment" else
                          _refuse(405, "not-supported", f"{kind} cannot be created here"))
        params = request.query_params
        if kind == "Slot":
            found = self.search_slots(params)
        elif kind == "Patient":
            found = self.search_patients(params)
        elif kind == "Appointment":
            found = self.search_appointments(params)
        else:
            raise Refused(400, "not-supported", f"search on {kind} is not supported")
        return self._bundle(request, kind, found)

    def search_slots(self, params) -> list[dict[str, Any]]:
        actor = params.get("schedule.actor", "")
        if not actor.startswith("Practitioner/"):
            raise Refused(400, "required", "schedule.actor=Practitioner/{id} is required")
        pid = actor.split("/", 1)[1]
        dates = [parse_when(v) for v in params.getlist("start")]
        status = params.get("status") if self.dialect.slot_status_param else "free"
        out = [s for s in self.world.slots.values()
               if self.world.schedule_practitioner(s["schedule"]["reference"]) == pid
               and (status is None or s["status"] == status) and matches_dates(s["start"], dates)]
        return sorted(out, key=lambda s: s["start"])

    def search_patients(self, params) -> list[dict[str, Any]]:
        family, given, birth, phone = (params.get("family"), params.get("given"), params.get("birthdate"),
                                       params.get("phone"))
        if not any((family, given, birth, phone)):
            raise Refused(400, "required", "at least one of family, given, birthdate, phone is required")
        out = []
        for p in self.world.patients.values():
            name = p["name"][0]
            if family and not fold(name.get("family", "")).startswith(fold(family)):
                continue
            if given and not any(fold(g).startswith(fold(given)) for g in name.get("given", [])):
                continue
            if birth and p.get("birthDate") != birth:
                continue
            if phone and not any(t.get("system") == "phone" and digits(t.get("value", "")) == digits(phone)
                                 for t in p.get("telecom", [])):
                continue
            out.append(p)
        return out

    def search_appointments(self, params) -> list[dict[str, Any]]:
        practitioner, patient = params.get("practitioner"), params.get("patient")
        dates = [parse_when(v) for v in params.getlist("date")]
        if not (practitioner or patient):
            raise Refused(400, "required", "practitioner or patient is required")
        if self.dialect.date_required and not dates:
            raise Refused(400, "required", "date is required when searching by patient or practitioner")

        def involves(a: dict[str, Any], kind: str, rid: str) -> bool:
            return any(p["actor"]["reference"] == f"{kind}/{rid}" for p in a["participant"] if p.get("actor"))
        statuses = set(params.get("status", "").split(",")) - {""}
        identifier = params.get("identifier")

        def carries(a: dict[str, Any]) -> bool:
            if not identifier:
                return True
            system, _, value = identifier.rpartition("|")
            return any(i.get("value") == value and (not system or i.get("system") == system)
                       for i in a.get("identifier") or [])
        out = [a for a in self.world.appointments.values()
               if carries(a) and (not practitioner or involves(a, "Practitioner", practitioner.split("/")[-1]))
               and (not patient or involves(a, "Patient", patient.split("/")[-1]))
               and matches_dates(a["start"], dates) and (not statuses or a["status"] in statuses)]
        return sorted(out, key=lambda a: a["start"])

    async def read_or_update(self, request: Request) -> Response:
        kind, rid = request.path_params["type"], request.path_params["id"]
        store = self._store(kind)
        if rid not in store:
            return outcome(404, "not-found", f"{kind}/{rid} is not known")
        if request.method == "GET":
            return self._resource(store[rid])
        if kind != "Appointment" or request.method != self.dialect.update_method:
            return outcome(405, "not-supported", f"{request.method} on {kind} is not supported")
        current = store[rid]
        version = current["meta"]["versionId"]
        if_match = request.headers.get("If-Match")
        if not if_match:
            return outcome(412, "conflict", "If-Match is required to update an Appointment")
        if if_match.strip() not in (f'W/"{version}"', f'"{version}"'):
            return outcome(self.dialect.stale_status, "conflict", "the Appointment has changed (version mismatch)")
        updated = await (self._patched(request, current) if request.method == "PATCH" else self._put(request, current))
        validate_appointment(updated)
        return self._apply_update(current, updated)

    async def _put(self, request: Request, current: dict[str, Any]) -> dict[str, Any]:
        body = validate_appointment(await self._json(request))
        if body.get("id") != current["id"]:
            raise Refused(400, "invalid", "the resource id must match the URL")
        changed = {k for k in set(body) | set(current) if k not in ("meta", "status", "cancelationReason", "text")
                   and body.get(k) != current.get(k)}
        if changed:
            raise Refused(422, "business-rule", f"only status and cancelationReason may change ({sorted(changed)})")
        return body

    async def _patched(self, request: Request, current: dict[str, Any]) -> dict[str, Any]:
        if not request.headers.get("content-type", "").startswith("application/json-patch+json"):
            raise Refused(415, "not-supported", "PATCH takes application/json-patch+json")
        ops = await self._json(request)
        if not isinstance(ops, list) or not ops:
            raise Refused(400, "structure", "a JSON Patch is a non-empty array of operations")
        updated = json.loads(json.dumps(current))
        for op in ops:
            if not isinstance(op, dict) or op.get("op") != "replace" or op.get("path") != "/status":
                raise Refused(422, "not-supported", "only replace /status is supported here")
            updated["status"] = op.get("value")
        return updated

    def _apply_update(self, current: dict[str, Any], updated: dict[str, Any]) -> Response:
        allowed = {("booked", "cancelled"), ("booked", "arrived"), ("booked", "checked-in"), ("proposed", "booked"),
                   ("proposed", "cancelled"), ("arrived", "cancelled"), ("checked-in", "cancelled")}
        if updated["status"] != current["status"] and (current["status"], updated["status"]) not in allowed:
            return outcome(422, "business-rule", f"status cannot go from {current['status']} to {updated['status']}")
        if updated["status"] == "cancelled" and current["status"] != "cancelled":
            for ref in current.get("slot") or []:
                slot = self.world.slots.get(ref["reference"].split("/")[-1])
                if slot is not None:
                    slot["status"] = "free"
        updated["meta"] = {"versionId": str(int(current["meta"]["versionId"]) + 1)}
        self.world.appointments[current["id"]] = updated
        return self._resource(updated)

    # ------------------------------------------------------------------ creates

    async def create_patient(self, request: Request) -> Response:
        body = validate(await self._json(request), Patient)
        pid = self.world.new_id("")
        body = {**body, "id": pid, "meta": {"versionId": "1"}}
        self.world.patients[pid] = body
        return self._created(request, body)

    async def create_appointment(self, request: Request) -> Response:
        body = validate_appointment(await self._json(request))
        if body.get("id"):
            raise Refused(400, "invalid", "a new Appointment must not carry an id")
        self.dialect.check_create(body, self.world)
        slot = self.world.slots[body["slot"][0]["reference"].split("/")[-1]]
        if slot["status"] != "free":
            return outcome(self.dialect.busy_status, "conflict" if self.dialect.busy_status == 409 else "business-rule",
                           "the slot is no longer available")
        patient = next(p["actor"]["reference"].split("/")[-1] for p in body["participant"]
                       if p.get("actor", {}).get("reference", "").startswith("Patient/"))
        reason = (body.get("reasonCode") or [{}])[0].get("text")
        aid = store_appointment(self.world, slot, patient, reason, body.get("identifier"))
        return self._created(request, self.world.appointments[aid])

    def _created(self, request: Request, resource: dict[str, Any]) -> Response:
        location = f"{self.base_url}/{resource['resourceType']}/{resource['id']}/_history/1"
        headers = {"Location": location, "ETag": 'W/"1"'}
        if self.dialect.return_body_on_create and request.headers.get("Prefer") == "return=representation":
            return JSONResponse(resource, status_code=201, media_type=FHIR_JSON, headers=headers)
        return Response(status_code=201, headers=headers)


async def _refuse(status: int, code: str, text: str) -> Response:
    return outcome(status, code, text)
