"""The clinic file (JSON) a clinic's engineer imports: validated whole before anything is written.

Every problem is reported with its JSON path (`$.providers[1].schedule.mon[0]`), so one run of
`voice-agent clinic import` lists all of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TIERS = ("free", "standard", "professional", "enterprise", "unlimited")


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _str(obj: dict, key: str, path: str, problems: Problems, *, required: bool = True, max_len: int = 255) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(f"{path}.{key}", "is required")
        return None
    if not isinstance(value, str):
        problems.add(f"{path}.{key}", "must be a string")
        return None
    if len(value) > max_len:
        problems.add(f"{path}.{key}", f"must be at most {max_len} characters")
        return None
    return value.strip()


def _phone(obj: dict, key: str, path: str, problems: Problems, *, required: bool = False) -> str | None:
    raw = _str(obj, key, path, problems, required=required, max_len=50)
    if raw is None:
        return None
    try:
        parsed = phonenumbers.parse(raw, "US")
        if not phonenumbers.is_possible_number(parsed):
            raise phonenumbers.NumberParseException(1, "impossible")
    except phonenumbers.NumberParseException:
        problems.add(f"{path}.{key}", f"is not a phone number: {raw!r}")
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _date(obj: dict, key: str, path: str, problems: Problems, *, required: bool = True) -> date | None:
    raw = _str(obj, key, path, problems, required=required, max_len=10)
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        problems.add(f"{path}.{key}", f"must be a date YYYY-MM-DD, got {raw!r}")
        return None
    if value > date.today():
        problems.add(f"{path}.{key}", "must not be in the future")
    return value


def validate_week(value: Any, path: str, problems: Problems) -> dict[str, list[list[str]]]:
    """A week of opening intervals: {mon..sun: [["HH:MM","HH:MM"], ...]}; missing days are closed."""
    if not isinstance(value, dict):
        problems.add(path, "must be an object with keys mon..sun")
        return {}
    week: dict[str, list[list[str]]] = {}
    for day, intervals in value.items():
        if day not in DAYS:
            problems.add(f"{path}.{day}", f"unknown day (use {', '.join(DAYS)})")
            continue
        if not isinstance(intervals, list):
            problems.add(f"{path}.{day}", "must be a list of [start, end] pairs")
            continue
        good: list[list[str]] = []
        for i, pair in enumerate(intervals):
            where = f"{path}.{day}[{i}]"
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(p, str) and _HHMM.match(p) for p in pair)):
                problems.add(where, 'must be ["HH:MM", "HH:MM"]')
                continue
            if pair[0] >= pair[1]:
                problems.add(where, "start must be before end")
                continue
            good.append(pair)
        good.sort()
        for a, b in zip(good, good[1:]):
            if b[0] < a[1]:
                problems.add(f"{path}.{day}", f"intervals {a} and {b} overlap")
        week[day] = good
    return week


def validate_clinic_file(data: Any, today: date | None = None) -> tuple[dict[str, Any] | None, list[str]]:
    """Return (normalised clinic, []) or (None, problems)."""
    problems = Problems()
    if not isinstance(data, dict):
        return None, ["$: must be a JSON object"]
    out: dict[str, Any] = {}
    out["name"] = _str(data, "name", "$", problems)
    slug = _str(data, "slug", "$", problems, max_len=100)
    if slug is not None and not _SLUG.match(slug):
        problems.add("$.slug", "must be lowercase letters, digits and dashes")
    out["slug"] = slug
    tz = _str(data, "timezone", "$", problems, max_len=50)
    if tz is not None:
        try:
            if tz not in available_timezones():
                raise ZoneInfoNotFoundError(tz)
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            problems.add("$.timezone", f"is not an IANA time zone: {tz!r}")
            tz = None
    out["timezone"] = tz
    out["phone"] = _phone(data, "phone", "$", problems)
    email = _str(data, "email", "$", problems, required=False)
    if email is not None and not _EMAIL.match(email):
        problems.add("$.email", f"is not an email address: {email!r}")
    out["email"] = email
    out["address"] = _str(data, "address", "$", problems, required=False, max_len=1000)
    hours = data.get("default_reminder_hours", 24)
    if not isinstance(hours, int) or isinstance(hours, bool) or not 0 <= hours <= 168:
        problems.add("$.default_reminder_hours", "must be a whole number of hours, 0 (no reminders) to 168")
    out["default_reminder_hours"] = hours
    tier = data.get("tier", "standard")
    if tier not in TIERS:
        problems.add("$.tier", f"must be one of {', '.join(TIERS)}")
    out["tier"] = tier
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        problems.add("$.settings", "must be an object")
        settings = {}
    if "front_desk_phone" in settings:
        settings["front_desk_phone"] = _phone(settings, "front_desk_phone", "$.settings", problems)
    ring = settings.get("transfer_ring_seconds", 25)     # how long a warm transfer rings the front desk
    if not isinstance(ring, int) or isinstance(ring, bool) or not 5 <= ring <= 120:
        problems.add("$.settings.transfer_ring_seconds", "must be a whole number of seconds, 5 to 120")
    if "holidays" in settings:
        settings["holidays"] = _holidays(settings["holidays"], problems)
    out["settings"] = settings
    if "business_hours" not in data:
        problems.add("$.business_hours", "is required")
    out["business_hours"] = validate_week(data.get("business_hours", {}), "$.business_hours", problems)

    providers = data.get("providers", [])
    out["providers"] = []
    last_names: dict[str, int] = {}
    if not isinstance(providers, list):
        problems.add("$.providers", "must be a list")
        providers = []
    for i, p in enumerate(providers):
        path = f"$.providers[{i}]"
        if not isinstance(p, dict):
            problems.add(path, "must be an object")
            continue
        duration = p.get("default_appointment_duration", 30)
        if not isinstance(duration, int) or isinstance(duration, bool) or not 5 <= duration <= 480:
            problems.add(f"{path}.default_appointment_duration", "must be a whole number of minutes, 5 to 480")
        accepting = p.get("accepting_new_patients", True)
        if not isinstance(accepting, bool):
            problems.add(f"{path}.accepting_new_patients", "must be true or false")
        last = _str(p, "last_name", path, problems, max_len=100)
        if last:
            last_names[last.lower()] = last_names.get(last.lower(), 0) + 1
        out["providers"].append({
            "first_name": _str(p, "first_name", path, problems, max_len=100), "last_name": last,
            "title": _str(p, "title", path, problems, required=False, max_len=50),
            "specialty": _str(p, "specialty", path, problems, required=False, max_len=100),
            "default_appointment_duration": duration, "accepting_new_patients": accepting,
            "schedule": validate_week(p.get("schedule", {}), f"{path}.schedule", problems),
        })

    patients = data.get("patients", [])
    out["patients"] = []
    if not isinstance(patients, list):
        problems.add("$.patients", "must be a list")
        patients = []
    for i, p in enumerate(patients):
        path = f"$.patients[{i}]"
        if not isinstance(p, dict):
            problems.add(path, "must be an object")
            continue
        email = _str(p, "email", path, problems, required=False)
        if email is not None and not _EMAIL.match(email):
            problems.add(f"{path}.email", "is not an email address")
        out["patients"].append({
            "first_name": _str(p, "first_name", path, problems, max_len=100),
            "last_name": _str(p, "last_name", path, problems, max_len=100),
            "date_of_birth": _date(p, "date_of_birth", path, problems),
            "phone": _phone(p, "phone", path, problems), "email": email,
        })

    appointments = data.get("appointments", [])
    out["appointments"] = []
    if not isinstance(appointments, list):
        problems.add("$.appointments", "must be a list")
        appointments = []
    for i, a in enumerate(appointments):
        path = f"$.appointments[{i}]"
        if not isinstance(a, dict):
            problems.add(path, "must be an object")
            continue
        provider = _str(a, "provider_last_name", path, problems, max_len=100)
        if provider and last_names.get(provider.lower(), 0) != 1:
            problems.add(f"{path}.provider_last_name",
                         "matches no provider in this file" if provider.lower() not in last_names
                         else "matches several providers")
        patient = a.get("patient")
        ref = None
        if not isinstance(patient, dict):
            problems.add(f"{path}.patient", "must be an object with first_name, last_name, date_of_birth")
        else:
            ref = {"first_name": _str(patient, "first_name", f"{path}.patient", problems),
                   "last_name": _str(patient, "last_name", f"{path}.patient", problems),
                   "date_of_birth": _date(patient, "date_of_birth", f"{path}.patient", problems)}
        start_raw = _str(a, "start", path, problems, max_len=40)
        start = None
        if start_raw:
            try:
                start = datetime.fromisoformat(start_raw)
                if start.tzinfo is None:
                    problems.add(f"{path}.start", "must carry a UTC offset (e.g. 2027-03-09T09:00:00-06:00)")
                    start = None
            except ValueError:
                problems.add(f"{path}.start", f"is not an ISO 8601 date-time: {start_raw!r}")
        duration = a.get("duration_minutes")
        if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)
                                     or not 5 <= duration <= 480):
            problems.add(f"{path}.duration_minutes", "must be a whole number of minutes, 5 to 480")
        out["appointments"].append({"provider_last_name": provider, "patient": ref, "start": start,
                                    "duration_minutes": duration,
                                    "reason": _str(a, "reason", path, problems, required=False, max_len=1000)})
    validate_ehr(data, out, problems)
    if problems.items:
        return None, problems.items
    return out, []


def time_of(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def _holidays(value: Any, problems: Any) -> list[str]:
    """`settings.holidays`: clinic-local dates (YYYY-MM-DD) when the front desk is closed all day."""
    if not isinstance(value, list) or len(value) > 400:
        problems.add("$.settings.holidays", "must be a list of at most 400 dates (YYYY-MM-DD)")
        return []
    days = []
    for i, day in enumerate(value):
        try:
            days.append(date.fromisoformat(day).isoformat() if isinstance(day, str) and len(day) == 10 else None)
        except ValueError:
            days.append(None)
        if days[-1] is None:
            problems.add(f"$.settings.holidays[{i}]", f"is not a date (YYYY-MM-DD): {day!r}")
    return sorted({d for d in days if d})


EHR_PROVIDERS = ("builtin", "drchrono", "epic", "cerner", "google")
# Credential keys each EHR needs (values are never echoed in a problem). Other EHRs: any object.
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "drchrono": ("client_id", "client_secret", "refresh_token"),
    "epic": ("private_key_pem",),
}


def validate_ehr(data: dict, out: dict[str, Any], problems: Problems) -> None:
    """`ehr_provider` (default builtin), `ehr_credentials` (secret; sealed before storage) and
    `ehr_options` (non-secret settings such as DrChrono's office id or visit lengths)."""
    provider = data.get("ehr_provider", "builtin")
    if provider not in EHR_PROVIDERS:
        problems.add("$.ehr_provider", f"must be one of {', '.join(EHR_PROVIDERS)}")
        provider = "builtin"
    out["ehr_provider"] = provider
    out["ehr_credentials"], out["ehr_options"] = validate_ehr_parts(
        provider, data.get("ehr_credentials"), data.get("ehr_options", {}), problems)


def validate_ehr_parts(provider: str, credentials: Any, options: Any,
                       problems: Problems) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    if not isinstance(options, dict):
        problems.add("$.ehr_options", "must be an object")
        options = {}
    if provider == "builtin":
        if credentials:
            problems.add("$.ehr_credentials", "the built-in calendar takes no credentials")
        return None, options
    if not isinstance(credentials, dict):
        problems.add("$.ehr_credentials", f"must be an object with the {provider} credentials")
        return None, options
    for key in REQUIRED_CREDENTIALS.get(provider, ()):
        if not isinstance(credentials.get(key), str) or not credentials[key].strip():
            problems.add(f"$.ehr_credentials.{key}", "is required (a string)")
    for key, value in options.items():
        if key == "base_url" and not (isinstance(value, str) and re.match(r"^https?://[^\s/]+", value)):
            problems.add("$.ehr_options.base_url", "must be an http(s) URL")
        if key == "durations":
            if not isinstance(value, dict) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                      and 5 <= v <= 480 for v in value.values()):
                problems.add("$.ehr_options.durations", "must map provider ids to whole minutes, 5 to 480")
    return credentials, options
