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

from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken, Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import PART_OF_DAY_BOUNDS, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, slot_for
from voice_agent.web.body_limit import body_limit
from voice_agent.web.context import get_current_clinic
from voice_agent.web.errors import ApiError
from voice_agent.web.safe_input import read_json_object
from voice_agent.scheduling_params import (
    bad, date_range, idempotency_key, new_patient, not_found, parse_datetime, text_field, uuid_param, vendor_id_param)

DEFAULT_SLOT_LIMIT = 100
MAX_SLOT_LIMIT = 500
NEXT_SLOTS = 3
MAX_BODY = 64 * 1024
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clinic() -> ClinicRef:
    ctx = get_current_clinic()
    return ClinicRef(ctx.id, ctx.timezone, ctx.name)


def _zone(clinic: ClinicRef) -> ZoneInfo:
    try:
        return ZoneInfo(clinic.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def _provider(calendar: EHRAdapter, clinic: ClinicRef, provider_id: Any, *, include_inactive: bool) -> Provider:
    on_ehr = get_current_clinic().ehr_provider not in (None, "", "builtin")
    if not isinstance(provider_id, str):
        raise bad("provider_id must be a string." if on_ehr else "provider_id must be a UUID.")
    provider_id = vendor_id_param(provider_id, "provider_id") if on_ehr else uuid_param(provider_id, "provider_id")
    try:
        return await calendar.get_provider(clinic, provider_id, include_inactive=include_inactive)
    except NotFound:
        pass
    raise not_found("Provider")


async def _match_patient(calendar: EHRAdapter, clinic: ClinicRef, new: NewPatient) -> Patient:
    patient, _ = await calendar.find_or_create_patient(clinic, new)
    return patient


async def _slot_taken(calendar: EHRAdapter, clinic: ClinicRef, provider_id: str, after: datetime) -> ApiError:
    try:
        next_slots = await _next_slots(calendar, clinic, provider_id, after)
    except Exception:   # the 409 matters more than the suggestions
        next_slots = []
    return ApiError(409, "slot_taken", "That time is no longer available.",
                    extra={"next_slots": [s.to_json() for s in next_slots]})


async def _next_slots(calendar: EHRAdapter, clinic: ClinicRef, provider_id: str, after: datetime):
    return await calendar.next_slots(clinic, provider_id, after, NEXT_SLOTS)


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


async def list_providers(calendar: EHRAdapter, request: Request) -> JSONResponse:
    clinic = _clinic()
    try:
        providers = await calendar.list_providers(clinic)
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse({"providers": [p.to_json() for p in providers]})


async def find_slots(calendar: EHRAdapter, request: Request) -> JSONResponse:
    clinic = _clinic()
    zone = _zone(clinic)
    q = request.query_params
    now = calendar.now()
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


async def list_appointments(calendar: EHRAdapter, request: Request) -> JSONResponse:
    clinic = _clinic()
    zone = _zone(clinic)
    today = datetime.combine(calendar.now().astimezone(zone).date(), datetime.min.time(), zone)
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


async def get_appointment(calendar: EHRAdapter, request: Request) -> JSONResponse:
    clinic = _clinic()
    try:
        appointment = await calendar.get_appointment(clinic, request.path_params["appointment_id"])
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse(appointment.to_json())


async def book(calendar: EHRAdapter, request: Request) -> JSONResponse:
    clinic = _clinic()
    zone = _zone(clinic)
    key = idempotency_key(request)
    body = await read_json_object(request, json_type=False)
    start_raw = text_field(body, "start", "", required=True, max_len=40)
    start = parse_datetime(start_raw, "start", None)
    reason = text_field(body, "reason", "", required=False, max_len=1000)
    new = new_patient(body, calendar.now().astimezone(zone).date())
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


async def cancel(calendar: EHRAdapter, request: Request) -> JSONResponse:
    clinic = _clinic()
    body = await read_json_object(request, required=False, json_type=False)
    reason = text_field(body, "reason", "", required=False, max_len=1000)
    try:
        appointment = await calendar.cancel(clinic, request.path_params["appointment_id"], reason, "staff")
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse(appointment.to_json())


async def reschedule(calendar: EHRAdapter, request: Request) -> JSONResponse:
    clinic = _clinic()
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


async def appointments(calendar: EHRAdapter, request: Request) -> JSONResponse:
    """GET lists, POST books: one route, so a 405 on /appointments names both in its Allow header."""
    return await (book(calendar, request) if request.method == "POST" else list_appointments(calendar, request))


def routes(calendar: EHRAdapter) -> list[BaseRoute]:
    """Mounted under /api/v1; every handler goes through `calendar` (the EHRAdapter seam) only."""
    limit = [body_limit(MAX_BODY)]
    return [
        Route("/providers", partial(list_providers, calendar), methods=["GET"]),
        Route("/slots", partial(find_slots, calendar), methods=["GET"]),
        Route("/appointments", partial(appointments, calendar), methods=["GET", "POST"], middleware=limit),
        Route("/appointments/{appointment_id}", partial(get_appointment, calendar), methods=["GET"]),
        Route("/appointments/{appointment_id}/cancel", partial(cancel, calendar), methods=["POST"], middleware=limit),
        Route("/appointments/{appointment_id}/reschedule", partial(reschedule, calendar), methods=["POST"],
              middleware=limit),
    ]
