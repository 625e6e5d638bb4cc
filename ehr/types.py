"""Calendar value types shared by every EHR adapter and the dialogue core."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

MAX_RANGE_DAYS = 92                      # a search never looks further than this (every adapter, the REST API)
PartOfDay = Literal["morning", "afternoon", "evening"]
# morning < 12:00 <= afternoon < 17:00 <= evening
PART_OF_DAY_BOUNDS: dict[str, tuple[time, time]] = {
    "morning": (time(0, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time(23, 59, 59)),
}


@dataclass(frozen=True)
class ClinicRef:
    """What an adapter needs to know about the clinic it serves."""
    id: str
    timezone: str
    name: str = ""


@dataclass(frozen=True)
class Provider:
    id: str
    clinic_id: str
    first_name: str
    last_name: str
    title: str | None
    specialty: str | None
    default_appointment_duration: int
    accepting_new_patients: bool

    @property
    def display_name(self) -> str:
        return f"{self.title} {self.first_name} {self.last_name}".strip() if self.title else \
            f"{self.first_name} {self.last_name}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "first_name": self.first_name, "last_name": self.last_name, "title": self.title,
                "specialty": self.specialty, "name": self.display_name,
                "default_appointment_duration": self.default_appointment_duration,
                "accepting_new_patients": self.accepting_new_patients}


@dataclass(frozen=True)
class TimeSlot:
    """A bookable interval. start/end are aware datetimes in the clinic's zone."""
    provider_id: str
    provider_name: str
    start: datetime
    end: datetime

    def to_json(self) -> dict[str, str]:
        """The chat API's `available_slots` item: ISO 8601 with the clinic's UTC offset."""
        return {"provider_id": self.provider_id, "provider_name": self.provider_name,
                "start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> "TimeSlot":
        return cls(data["provider_id"], data["provider_name"], datetime.fromisoformat(data["start"]),
                   datetime.fromisoformat(data["end"]))


@dataclass(frozen=True)
class SlotCriteria:
    clinic: ClinicRef
    provider_ids: tuple[str, ...] = ()        # empty: every provider of the clinic (after specialty)
    specialty: str | None = None
    date_from: date | None = None             # clinic-local dates, inclusive
    date_to: date | None = None
    part_of_day: PartOfDay | None = None
    earliest_time: time | None = None         # clinic-local
    latest_time: time | None = None
    weekdays: tuple[int, ...] = ()            # 0 = Monday
    limit: int = 6
    spread_days: bool = True                  # at most a few per day, so options cover several days
    exclude_starts: tuple[datetime, ...] = ()
    not_before: datetime | None = None        # aware instant: no slot starts earlier (e.g. "after 3 pm today")
    not_after: datetime | None = None         # aware instant: no slot ends later


@dataclass(frozen=True)
class Patient:
    id: str
    clinic_id: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class NewPatient:
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Appointment:
    id: str
    clinic_id: str
    provider_id: str
    provider_name: str
    patient_id: str
    start: datetime
    end: datetime
    status: str
    reason: str | None = None
    booked_via: str = "api"
    is_new_patient_visit: bool = False
    rescheduled_from_id: str | None = None
    cancelled_at: datetime | None = None
    cancellation_reason: str | None = None
    cancelled_by: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "provider_id": self.provider_id, "provider_name": self.provider_name,
                "patient_id": self.patient_id, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "status": self.status.lower(), "reason": self.reason, "booked_via": self.booked_via,
                "is_new_patient_visit": self.is_new_patient_visit,
                "rescheduled_from_id": self.rescheduled_from_id,
                "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
                "cancellation_reason": self.cancellation_reason, "cancelled_by": self.cancelled_by}


def slot_for(provider: Provider, start: datetime) -> TimeSlot:
    """The slot a provider's default duration makes of `start`."""
    return TimeSlot(provider.id, provider.display_name, start,
                    start + timedelta(minutes=provider.default_appointment_duration))
