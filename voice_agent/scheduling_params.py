"""Reading the staff scheduling API's requests: dates and ranges in the clinic's zone, patient
fields, UUIDs, the Idempotency-Key; and the three error answers it gives (400 malformed, 422
refused by a calendar rule, 404). Every function raises `ApiError`; `scheduling_api.py` uses them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request

from ehr.phones import normalize_phone
from ehr.types import MAX_RANGE_DAYS, NewPatient
from voice_agent.web.errors import ApiError

DEFAULT_DAYS = 14
KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
PLUS_OFFSET_RE = re.compile(r"^(.*T[\d:.]+) (\d{2}:?\d{2})$")


def refused(message: str, code: str) -> ApiError:
    """422: the request matches the description, but a rule of the calendar refuses it (a range too
    long, a birth date in the future). 400 is kept for requests the description itself rules out."""
    return ApiError(422, code, message)


def bad(message: str, code: str = "bad_request") -> ApiError:
    return ApiError(400, code, message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found.")


# ---------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Bound:
    instant: datetime          # aware
    is_date: bool


def parse_datetime(raw: str, field: str, zone: ZoneInfo | None) -> datetime:
    """ISO 8601 date-time. Without an offset: clinic-local when `zone` is given, else a 400."""
    text = raw.strip()
    match = PLUS_OFFSET_RE.match(text)   # "+05:00" arrives as " 05:00" from an unencoded query string
    if match:
        text = f"{match.group(1)}+{match.group(2)}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise bad(f"{field} must be an ISO 8601 date-time, got {raw[:40]!r}.") from None
    if value.tzinfo is None:
        if zone is None:
            raise bad(f"{field} must carry a UTC offset, e.g. 2027-03-09T09:00:00-06:00.")
        value = value.replace(tzinfo=zone)
    if not 1900 <= value.year <= 9000:
        # Well-formed, but the calendar cannot hold it (year 1 in the clinic's zone overflows).
        raise refused(f"{field} must be between the years 1900 and 9000.", "bad_request")
    return value


def parse_bound(raw: str | None, field: str, zone: ZoneInfo, *, end: bool) -> Bound | None:
    """`YYYY-MM-DD` (clinic-local; an end date is inclusive) or an ISO date-time."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise bad(f"{field} must be YYYY-MM-DD or an ISO 8601 date-time, got {raw[:40]!r}.") from None
        if end:
            day += timedelta(days=1)
        return Bound(datetime.combine(day, datetime.min.time(), zone), True)
    return Bound(parse_datetime(text, field, zone), False)


def date_range(request: Request, zone: ZoneInfo, default_start: datetime) -> tuple[datetime, datetime, Bound | None,
                                                                               Bound | None]:
    start = parse_bound(request.query_params.get("from"), "from", zone, end=False)
    stop = parse_bound(request.query_params.get("to"), "to", zone, end=True)
    lo = start.instant if start else default_start
    hi = stop.instant if stop else lo + timedelta(days=DEFAULT_DAYS)
    if hi <= lo:
        raise refused("`to` must be after `from`.", "bad_range")
    if hi - lo > timedelta(days=MAX_RANGE_DAYS):
        raise refused(f"The range may cover at most {MAX_RANGE_DAYS} days.", "bad_range")
    return lo, hi, start, stop


def text_field(obj: dict[str, Any], key: str, where: str, *, required: bool, max_len: int) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise bad(f"{where}{key} is required.")
        return None
    if not isinstance(value, str):
        raise bad(f"{where}{key} must be a string.")
    if len(value) > max_len:
        raise bad(f"{where}{key} must be at most {max_len} characters.")
    return value.strip()


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not KEY_RE.match(key):
        raise bad("Idempotency-Key must be 1 to 255 printable characters without spaces.")
    return key


def new_patient(body: dict[str, Any], today: date) -> NewPatient:
    raw = body.get("patient")
    if not isinstance(raw, dict):
        raise bad("patient must be an object with first_name, last_name and date_of_birth.")
    first = text_field(raw, "first_name", "patient.", required=True, max_len=100)
    last = text_field(raw, "last_name", "patient.", required=True, max_len=100)
    dob_raw = text_field(raw, "date_of_birth", "patient.", required=True, max_len=10)
    try:
        dob = date.fromisoformat(dob_raw)
    except ValueError:
        raise bad("patient.date_of_birth must be YYYY-MM-DD.") from None
    if dob > today or dob.year < 1880:
        raise refused("patient.date_of_birth is not a plausible date of birth.", "bad_request")
    phone_raw = text_field(raw, "phone", "patient.", required=False, max_len=50)
    phone = None
    if phone_raw is not None:
        phone = normalize_phone(phone_raw)
        if phone is None:
            raise refused("patient.phone is not a phone number.", "bad_request")
    email = text_field(raw, "email", "patient.", required=False, max_len=255)
    return NewPatient(first_name=first, last_name=last, date_of_birth=dob, phone=phone, email=email)


UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


VENDOR_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


def vendor_id_param(raw: str, field: str) -> str:
    """An id of a clinic on an EHR (DrChrono's are numbers, FHIR's are strings): 1 to 100 letters,
    digits, dots, dashes, underscores or colons, or 400."""
    if not VENDOR_ID_RE.fullmatch(raw):
        raise bad(f"{field} is not an id of this clinic's EHR.")
    return raw


def uuid_param(raw: str, field: str) -> str:
    """The UUID the description promises, lower-cased, or 400: "abc" or "" is a bad request, not a
    provider that happens not to exist (nor, for an empty filter, no filter at all)."""
    if not UUID_RE.fullmatch(raw):
        raise bad(f"{field} must be a UUID (8-4-4-4-12 hex digits).")
    return raw.lower()
