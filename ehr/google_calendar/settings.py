"""A clinic's Google Calendar configuration: the service account, the clinic's hours, and one calendar
per provider (Google Calendar knows no practitioners, visit lengths or specialties, so they are here)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ehr.bearer import SigningKey

SCOPE = "https://www.googleapis.com/auth/calendar"
API_BASE = "https://www.googleapis.com/calendar/v3"
TOKEN_URI = "https://oauth2.googleapis.com/token"


@dataclass(frozen=True)
class CalendarProvider:
    id: str                       # our provider id (defaults to the calendar id)
    calendar_id: str
    first_name: str
    last_name: str
    title: str | None
    specialty: str | None
    duration_minutes: int
    accepting_new_patients: bool
    schedule: Mapping[str, Any]   # {"mon": [["09:00","12:00"], ...], ...} clinic-local

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> "CalendarProvider":
        return cls(id=str(raw.get("id") or raw["calendar_id"]), calendar_id=str(raw["calendar_id"]),
                   first_name=str(raw.get("first_name", "")), last_name=str(raw.get("last_name", "")),
                   title=raw.get("title"), specialty=raw.get("specialty"),
                   duration_minutes=int(raw.get("duration_minutes", 30)),
                   accepting_new_patients=bool(raw.get("accepting_new_patients", True)),
                   schedule=raw.get("schedule") or {})


@dataclass(frozen=True)
class GoogleSettings:
    client_email: str
    key: SigningKey
    token_uri: str
    api_base: str
    providers: tuple[CalendarProvider, ...]
    patients_calendar_id: str         # where patient records live (transparent events; see docs/ehr.md)
    business_hours: Mapping[str, Any]
    subject: str | None = None        # a Workspace user to act as (domain-wide delegation), if any
    lead_minutes: int = 60

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "GoogleSettings":
        account = config["service_account"]    # the JSON key file Google issues, as a mapping
        providers = tuple(CalendarProvider.of(p) for p in config.get("providers") or ())
        if not providers:
            raise ValueError("the Google Calendar configuration lists no providers")
        return cls(client_email=str(account["client_email"]),
                   key=SigningKey(str(account["private_key"]), account.get("private_key_id")),
                   token_uri=str(account.get("token_uri") or TOKEN_URI),
                   api_base=str(config.get("api_base") or API_BASE).rstrip("/"), providers=providers,
                   patients_calendar_id=str(config["patients_calendar_id"]),
                   business_hours=config.get("business_hours") or {}, subject=config.get("subject"),
                   lead_minutes=int(config.get("lead_minutes", 60)))
