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

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import ehr
from ehr.builtin.base import MAX_RANGE_DAYS
from ehr.builtin.calendar import slot_for
from ehr.builtin.patients import normalize_phone
from ehr.errors import IdempotencyConflict, NotAllowed, NotFound, SlotTaken, Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import PART_OF_DAY_BOUNDS, ClinicRef, NewPatient, Patient, Provider, SlotCriteria
from voice_agent.body_limit import body_limit
from voice_agent.context import get_current_clinic
from voice_agent.errors import ApiError
from voice_agent.safe_input import read_json_object

DEFAULT_DAYS = 14
DEFAULT_SLOT_LIMIT = 100
MAX_SLOT_LIMIT = 500
NEXT_SLOTS = 3
MAX_BODY = 64 * 1024
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_PLUS_OFFSET = re.compile(r"^(.*T[\d:.]+) (\d{2}:?\d{2})$")


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


def _refused(message: str, code: str) -> ApiError:
    """422: the request matches the description, but a rule of the calendar refuses it (a range too
    long, a birth date in the future). 400 is kept for requests the description itself rules out."""
    return ApiError(422, code, message)


def _bad(message: str, code: str = "bad_request") -> ApiError:
    return ApiError(400, code, message)


def _not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found.")


# ---------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Bound:
    instant: datetime          # aware
    is_date: bool


def _parse_datetime(raw: str, field: str, zone: ZoneInfo | None) -> datetime:
    """ISO 8601 date-time. Without an offset: clinic-local when `zone` is given, else a 400."""
    text = raw.strip()
    match = _PLUS_OFFSET.match(text)   # "+05:00" arrives as " 05:00" from an unencoded query string
    if match:
        text = f"{match.group(1)}+{match.group(2)}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(f"{field} must be an ISO 8601 date-time, got {raw[:40]!r}.") from None
    if value.tzinfo is None:
        if zone is None:
            raise _bad(f"{field} must carry a UTC offset, e.g. 2027-03-09T09:00:00-06:00.")
        value = value.replace(tzinfo=zone)
    if not 1900 <= value.year <= 9000:
        # Well-formed, but the calendar cannot hold it (year 1 in the clinic's zone overflows).
        raise _refused(f"{field} must be between the years 1900 and 9000.", "bad_request")
    return value


def _parse_bound(raw: str | None, field: str, zone: ZoneInfo, *, end: bool) -> Bound | None:
    """`YYYY-MM-DD` (clinic-local; an end date is inclusive) or an ISO date-time."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise _bad(f"{field} must be YYYY-MM-DD or an ISO 8601 date-time, got {raw[:40]!r}.") from None
        if end:
            day += timedelta(days=1)
        return Bound(datetime.combine(day, datetime.min.time(), zone), True)
    return Bound(_parse_datetime(text, field, zone), False)


def _range(request: Request, zone: ZoneInfo, default_start: datetime) -> tuple[datetime, datetime, Bound | None,
                                                                               Bound | None]:
    start = _parse_bound(request.query_params.get("from"), "from", zone, end=False)
    stop = _parse_bound(request.query_params.get("to"), "to", zone, end=True)
    lo = start.instant if start else default_start
    hi = stop.instant if stop else lo + timedelta(days=DEFAULT_DAYS)
    if hi <= lo:
        raise _refused("`to` must be after `from`.", "bad_range")
    if hi - lo > timedelta(days=MAX_RANGE_DAYS):
        raise _refused(f"The range may cover at most {MAX_RANGE_DAYS} days.", "bad_range")
    return lo, hi, start, stop


def _text(obj: dict[str, Any], key: str, where: str, *, required: bool, max_len: int) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _bad(f"{where}{key} is required.")
        return None
    if not isinstance(value, str):
        raise _bad(f"{where}{key} must be a string.")
    if len(value) > max_len:
        raise _bad(f"{where}{key} must be at most {max_len} characters.")
    return value.strip()


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not _KEY.match(key):
        raise _bad("Idempotency-Key must be 1 to 255 printable characters without spaces.")
    return key


def _new_patient(body: dict[str, Any], today: date) -> NewPatient:
    raw = body.get("patient")
    if not isinstance(raw, dict):
        raise _bad("patient must be an object with first_name, last_name and date_of_birth.")
    first = _text(raw, "first_name", "patient.", required=True, max_len=100)
    last = _text(raw, "last_name", "patient.", required=True, max_len=100)
    dob_raw = _text(raw, "date_of_birth", "patient.", required=True, max_len=10)
    try:
        dob = date.fromisoformat(dob_raw)
    except ValueError:
        raise _bad("patient.date_of_birth must be YYYY-MM-DD.") from None
    if dob > today or dob.year < 1880:
        raise _refused("patient.date_of_birth is not a plausible date of birth.", "bad_request")
    phone_raw = _text(raw, "phone", "patient.", required=False, max_len=50)
    phone = None
    if phone_raw is not None:
        phone = normalize_phone(phone_raw)
        if phone is None:
            raise _refused("patient.phone is not a phone number.", "bad_request")
    email = _text(raw, "email", "patient.", required=False, max_len=255)
    return NewPatient(first_name=first, last_name=last, date_of_birth=dob, phone=phone, email=email)


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _uuid(raw: str, field: str) -> str:
    """The UUID the description promises, lower-cased, or 400: "abc" or "" is a bad request, not a
    provider that happens not to exist (nor, for an empty filter, no filter at all)."""
    if not _UUID.fullmatch(raw):
        raise _bad(f"{field} must be a UUID (8-4-4-4-12 hex digits).")
    return raw.lower()


async def _provider(calendar: EHRAdapter, clinic: ClinicRef, provider_id: Any, *, include_inactive: bool) -> Provider:
    if not isinstance(provider_id, str):
        raise _bad("provider_id must be a UUID.")
    provider_id = _uuid(provider_id, "provider_id")
    try:
        get = getattr(calendar, "get_provider", None)
        if get is not None:
            return await get(clinic, provider_id, include_inactive=include_inactive)
        for p in await calendar.list_providers(clinic):
            if p.id == provider_id:
                return p
    except NotFound:
        pass
    raise _not_found("Provider")


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
        return _not_found(str(exc).removeprefix("no such ").capitalize() or "Resource")
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
    lo, hi, start, stop = _range(request, zone, now)
    # An enum, integer or boolean parameter sent empty is not one of its values: 400, as described.
    part = q.get("part_of_day")
    if part is not None and part not in PART_OF_DAY_BOUNDS:
        raise _bad(f"part_of_day must be one of {', '.join(PART_OF_DAY_BOUNDS)}.")
    specialty = q.get("specialty") or None
    if specialty is not None and len(specialty) > 100:
        raise _bad("specialty must be at most 100 characters.")
    weekdays: tuple[int, ...] = ()
    if q.get("weekdays"):
        names = q["weekdays"].split(",")
        if any(n not in WEEKDAYS for n in names):
            raise _bad("weekdays must be a comma-separated list of mon, tue, wed, thu, fri, sat, sun.")
        weekdays = tuple(sorted({WEEKDAYS.index(n) for n in names}))
    limit = DEFAULT_SLOT_LIMIT
    if "limit" in q:
        try:
            limit = int(q["limit"])
        except ValueError:
            raise _bad("limit must be a whole number.") from None
        if not 1 <= limit <= MAX_SLOT_LIMIT:
            raise _bad(f"limit must be between 1 and {MAX_SLOT_LIMIT}.")
    spread = q.get("spread", "false").lower()
    if spread not in ("true", "false", "1", "0"):
        raise _bad("spread must be true or false.")
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
    lo, hi, _, _ = _range(request, zone, today)
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
    key = _idempotency_key(request)
    body = await read_json_object(request, json_type=False)
    start_raw = _text(body, "start", "", required=True, max_len=40)
    start = _parse_datetime(start_raw, "start", None)
    reason = _text(body, "reason", "", required=False, max_len=1000)
    new = _new_patient(body, _now(calendar).astimezone(zone).date())
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
    reason = _text(body, "reason", "", required=False, max_len=1000)
    try:
        appointment = await calendar.cancel(clinic, request.path_params["appointment_id"], reason, "staff")
    except (NotFound, NotAllowed, Unavailable) as exc:
        raise _ehr_error(exc) from None
    return JSONResponse(appointment.to_json())


async def reschedule(request: Request) -> JSONResponse:
    calendar, clinic = get_calendar(request), _clinic()
    zone = _zone(clinic)
    key = _idempotency_key(request)
    body = await read_json_object(request, json_type=False)
    start = _parse_datetime(_text(body, "start", "", required=True, max_len=40), "start", None)
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
