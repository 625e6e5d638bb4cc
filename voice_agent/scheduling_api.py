"""Staff-facing scheduling REST API under /api/v1 (API key + tenant + rate limit via the mount).

Thin: parse and validate the request, call the clinic's EHR adapter, answer JSON. Errors use the
standard body; an id of another clinic (or a malformed one) is a 404, never a 403.

    GET  /providers                               {"providers": [...]}
    GET  /slots?provider_id=&specialty=&from=&to=&part_of_day=&weekdays=&limit=&spread=
    GET  /appointments?from=&to=&provider_id=      {"appointments": [...]}
    GET  /appointments/{id}
    POST /appointments                            201, Idempotency-Key honoured
    POST /appointments/{id}/cancel                {reason?}
    POST /appointments/{id}/reschedule            {start, provider_id?}, Idempotency-Key honoured
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import ehr
from ehr.builtin.calendar import slot_for
from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken, Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import PART_OF_DAY_BOUNDS, ClinicRef, NewPatient, Patient, Provider, SlotCriteria
from voice_agent.body_limit import body_limit
from voice_agent.context import get_current_clinic
from voice_agent.errors import ApiError
from voice_agent.safe_input import read_json_object
from voice_agent.scheduling_params import (
    DEFAULT_DAYS, bad, date_range, idempotency_key, new_patient, not_found, parse_datetime, text_field, uuid_param)

DEFAULT_SLOT_LIMIT = 100
MAX_SLOT_LIMIT = 500
NEXT_SLOTS = 3
MAX_BODY = 64 * 1024
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def get_calendar(request: Request) -> EHRAdapter:
    """The app's one adapter (`services.extras["ehr"]`), created from the pool on first use."""
    return ehr.adapter_for(request.app.state.services)


def _clinic() -> ClinicRef:
    ctx = get_current_clinic()
    return ClinicRef(ctx.id, ctx.timezone, ctx.name)


def _zone(clinic: ClinicRef) -> ZoneInfo:
    try:
        return ZoneInfo(clinic.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _now(calendar: EHRAdapter) -> datetime:
    now = getattr(calendar, "now", None)
    return now() if callable(now) else datetime.now(timezone.utc)


async def _provider(calendar: EHRAdapter, clinic: ClinicRef, provider_id: Any, *, include_inactive: bool) -> Provider:
    if not isinstance(provider_id, str):
        raise bad("provider_id must be a UUID.")
    provider_id = uuid_param(provider_id, "provider_id")
    try:
        get = getattr(calendar, "get_provider", None)
        if get is not None:
            return await get(clinic, provider_id, include_inactive=include_inactive)
        for p in await calendar.list_providers(clinic):
            if p.id == provider_id:
                return p
    except NotFound:
        pass
    raise not_found("Provider")


async def _match_patient(calendar: EHRAdapter, clinic: ClinicRef, new: NewPatient) -> Patient:
    find_or_create = getattr(calendar, "find_or_create_patient", None)
    if find_or_create is not None:
        patient, _ = await find_or_create(clinic, new)
        return patient
    matches = await calendar.find_patients(clinic, new.last_name, new.date_of_birth, new.first_name, new.phone)
    return matches[0] if len(matches) == 1 else await calendar.create_patient(clinic, new)


async def _slot_taken(calendar: EHRAdapter, clinic: ClinicRef, provider_id: str, after: datetime) -> ApiError:
    try:
        next_slots = await _next_slots(calendar, clinic, provider_id, after)
    except Exception:   # the 409 matters more than the suggestions
        next_slots = []
    return ApiError(409, "slot_taken", "That time is no longer available.",
                    extra={"next_slots": [s.to_json() for s in next_slots]})


async def _next_slots(calendar: EHRAdapter, clinic: ClinicRef, provider_id: str, after: datetime):
    helper = getattr(calendar, "next_slots", None)
    if helper is not None:
        return await helper(clinic, provider_id, after, NEXT_SLOTS)
    local = after.astimezone(_zone(clinic))
    return await calendar.find_slots(SlotCriteria(clinic=clinic, provider_ids=(provider_id,), date_from=local.date(),
                                                  date_to=local.date() + timedelta(days=DEFAULT_DAYS - 1),
                                                  not_before=after, limit=NEXT_SLOTS, spread_days=False))


def _ehr_error(exc: Exception) -> ApiError:
    if isinstance(exc, NotFound):
        return not_found(str(exc).removeprefix("no such ").capitalize() or "Resource")
    if isinstance(exc, IdempotencyConflict):
        return ApiError(409, "idempotency_conflict", str(exc) or "Idempotency key reused for a different request.")
    if isinstance(exc, NotAllowed):
        return ApiError(422, "not_allowed", str(exc) or "Not allowed.")
    if isinstance(exc, Unavailable):
        return ApiError(503, "calendar_unavailable", "The calendar is unavailable right now; please retry.",
                        headers={"Retry-After": "5"})
    raise exc


# ---------------------------------------------------------------------- handlers


async def list_providers(request: Request) -> JSONResponse:
    calendar, clinic = get_calendar(request), _clinic()
    try:
        providers = await calendar.list_providers(clinic)
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse({"providers": [p.to_json() for p in providers]})


async def find_slots(request: Request) -> JSONResponse:
    calendar, clinic = get_calendar(request), _clinic()
    zone = _zone(clinic)
    q = request.query_params
    now = _now(calendar)
    lo, hi, start, stop = date_range(request, zone, now)
    # An enum, integer or boolean parameter sent empty is not one of its values: 400, as described.
    part = q.get("part_of_day")
    if part is not None and part not in PART_OF_DAY_BOUNDS:
        raise bad(f"part_of_day must be one of {', '.join(PART_OF_DAY_BOUNDS)}.")
    specialty = q.get("specialty") or None
    if specialty is not None and len(specialty) > 100:
        raise bad("specialty must be at most 100 characters.")
    weekdays: tuple[int, ...] = ()
    if q.get("weekdays"):
        names = q["weekdays"].split(",")
        if any(n not in WEEKDAYS for n in names):
            raise bad("weekdays must be a comma-separated list of mon, tue, wed, thu, fri, sat, sun.")
        weekdays = tuple(sorted({WEEKDAYS.index(n) for n in names}))
    limit = DEFAULT_SLOT_LIMIT
    if "limit" in q:
        try:
            limit = int(q["limit"])
        except ValueError:
            raise bad("limit must be a whole number.") from None
        if not 1 <= limit <= MAX_SLOT_LIMIT:
            raise bad(f"limit must be between 1 and {MAX_SLOT_LIMIT}.")
    spread = q.get("spread", "false").lower()
    if spread not in ("true", "false", "1", "0"):
        raise bad("spread must be true or false.")
    provider_ids: tuple[str, ...] = ()
    if "provider_id" in q:
        provider_ids = ((await _provider(calendar, clinic, q["provider_id"], include_inactive=True)).id,)
    criteria = SlotCriteria(
        clinic=clinic, provider_ids=provider_ids, specialty=specialty,
        date_from=lo.astimezone(zone).date(), date_to=(hi - timedelta(microseconds=1)).astimezone(zone).date(),
        part_of_day=part, weekdays=weekdays, limit=limit, spread_days=spread in ("true", "1"),
        not_before=None if start is not None and start.is_date else lo,
        not_after=None if stop is not None and stop.is_date else hi)
    try:
        slots = await calendar.find_slots(criteria)
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse({"slots": [s.to_json() for s in slots]})


async def list_appointments(request: Request) -> JSONResponse:
    calendar, clinic = get_calendar(request), _clinic()
    zone = _zone(clinic)
    today = datetime.combine(_now(calendar).astimezone(zone).date(), datetime.min.time(), zone)
    lo, hi, _, _ = date_range(request, zone, today)
    provider_id = None
    if "provider_id" in request.query_params:
        provider_id = (await _provider(calendar, clinic, request.query_params["provider_id"],
                                       include_inactive=True)).id
    try:
        appointments = await calendar.list_appointments(clinic, lo, hi, provider_id)
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse({"appointments": [a.to_json() for a in appointments]})


async def get_appointment(request: Request) -> JSONResponse:
    calendar, clinic = get_calendar(request), _clinic()
    try:
        appointment = await calendar.get_appointment(clinic, request.path_params["appointment_id"])
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse(appointment.to_json())


async def book(request: Request) -> JSONResponse:
    calendar, clinic = get_calendar(request), _clinic()
    zone = _zone(clinic)
    key = idempotency_key(request)
    body = await read_json_object(request, json_type=False)
    start_raw = text_field(body, "start", "", required=True, max_len=40)
    start = parse_datetime(start_raw, "start", None)
    reason = text_field(body, "reason", "", required=False, max_len=1000)
    new = new_patient(body, _now(calendar).astimezone(zone).date())
    provider = await _provider(calendar, clinic, body.get("provider_id"), include_inactive=True)
    slot = slot_for(provider, start.astimezone(zone))
    try:
        patient = await _match_patient(calendar, clinic, new)
        appointment = await calendar.book(clinic, slot, patient, reason, key, booked_via="api")
    except SlotTaken:
        raise await _slot_taken(calendar, clinic, provider.id, slot.start) from None
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse(appointment.to_json(), status_code=201)


async def cancel(request: Request) -> JSONResponse:
    calendar, clinic = get_calendar(request), _clinic()
    body = await read_json_object(request, required=False, json_type=False)
    reason = text_field(body, "reason", "", required=False, max_len=1000)
    try:
        appointment = await calendar.cancel(clinic, request.path_params["appointment_id"], reason, "staff")
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse(appointment.to_json())


async def reschedule(request: Request) -> JSONResponse:
    calendar, clinic = get_calendar(request), _clinic()
    zone = _zone(clinic)
    key = idempotency_key(request)
    body = await read_json_object(request, json_type=False)
    start = parse_datetime(text_field(body, "start", "", required=True, max_len=40), "start", None)
    try:
        current = await calendar.get_appointment(clinic, request.path_params["appointment_id"])
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    provider_id = body.get("provider_id", current.provider_id)
    if provider_id is None:
        provider_id = current.provider_id
    provider = await _provider(calendar, clinic, provider_id, include_inactive=True)
    slot = slot_for(provider, start.astimezone(zone))
    try:
        appointment = await calendar.reschedule(clinic, current.id, slot, key, booked_via="api",
                                                cancelled_by="staff")
    except SlotTaken:
        raise await _slot_taken(calendar, clinic, provider.id, slot.start) from None
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse(appointment.to_json(), status_code=201)


async def appointments(request: Request) -> JSONResponse:
    """GET lists, POST books: one route, so a 405 on /appointments names both in its Allow header."""
    return await (book(request) if request.method == "POST" else list_appointments(request))


routes = [
    Route("/providers", list_providers, methods=["GET"]),
    Route("/slots", find_slots, methods=["GET"]),
    Route("/appointments", appointments, methods=["GET", "POST"], middleware=[body_limit(MAX_BODY)]),
    Route("/appointments/{appointment_id}", get_appointment, methods=["GET"]),
    Route("/appointments/{appointment_id}/cancel", cancel, methods=["POST"], middleware=[body_limit(MAX_BODY)]),
    Route("/appointments/{appointment_id}/reschedule", reschedule, methods=["POST"],
          middleware=[body_limit(MAX_BODY)]),
]
