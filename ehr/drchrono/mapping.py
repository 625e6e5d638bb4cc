"""DrChrono payloads ↔ the seam's types. DrChrono's `scheduled_time` is the practice's local wall time
without an offset ("2026-12-01T10:00:00"); the clinic's zone makes it an instant."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ehr.phones import normalize_phone
from ehr.types import Appointment, Patient, Provider

CANCELLED = {"Cancelled", "Rescheduled"}       # statuses that free the time
KEY_MARK = "receptionist-key:"                 # idempotency key kept in the appointment's notes


@dataclass(frozen=True)
class DrChronoOptions:
    """The clinic's non-secret DrChrono settings (clinic file `ehr_options`)."""
    base_url: str = "https://app.drchrono.com"
    token_url: str | None = None               # default: base_url + /o/token/
    office: int | None = None                  # the office appointments are booked in (first office if unset)
    exam_room: int = 1
    default_duration: int = 30
    durations: Mapping[str, int] = field(default_factory=dict)       # doctor id → minutes
    not_accepting: tuple[str, ...] = ()                              # doctor ids not taking new patients
    doctors: tuple[str, ...] = ()                                    # only these doctors (empty: all)
    title: str = "Dr."
    booking_lead_minutes: int = 60

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> "DrChronoOptions":
        raw = raw or {}
        base = str(raw.get("base_url") or cls.base_url).rstrip("/")
        return cls(base_url=base, token_url=raw.get("token_url") or f"{base}/o/token/",
                   office=int(raw["office"]) if raw.get("office") not in (None, "") else None,
                   exam_room=int(raw.get("exam_room") or 1),
                   default_duration=int(raw.get("default_duration") or 30),
                   durations={str(k): int(v) for k, v in (raw.get("durations") or {}).items()},
                   not_accepting=tuple(str(x) for x in raw.get("not_accepting") or ()),
                   doctors=tuple(str(x) for x in raw.get("doctors") or ()),
                   title=str(raw.get("title") or "Dr."),
                   booking_lead_minutes=int(raw.get("booking_lead_minutes") or 60))


def provider(doc: Mapping[str, Any], clinic_id: str, opts: DrChronoOptions) -> Provider:
    pid = str(doc["id"])
    return Provider(id=pid, clinic_id=clinic_id, first_name=doc.get("first_name") or "",
                    last_name=doc.get("last_name") or "", title=opts.title or None,
                    specialty=doc.get("specialty") or None,
                    default_appointment_duration=opts.durations.get(pid, opts.default_duration),
                    accepting_new_patients=pid not in opts.not_accepting)


def local_naive(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


def parse_local(value: str, zone: ZoneInfo) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.astimezone(zone) if parsed.tzinfo else parsed.replace(tzinfo=zone)


def is_live(appt: Mapping[str, Any]) -> bool:
    return not appt.get("deleted_flag") and (appt.get("status") or "") not in CANCELLED


def busy_interval(appt: Mapping[str, Any], zone: ZoneInfo) -> tuple[int, int]:
    start = parse_local(appt["scheduled_time"], zone)
    return int(start.timestamp()), int((start + timedelta(minutes=int(appt.get("duration") or 0))).timestamp())


def appointment(appt: Mapping[str, Any], clinic_id: str, names: Mapping[str, str], zone: ZoneInfo) -> Appointment:
    start = parse_local(appt["scheduled_time"], zone)
    status = appt.get("status") or ""
    normalised = ("CANCELLED" if status in CANCELLED else "CONFIRMED" if status == "Confirmed"
                  else "COMPLETED" if status == "Complete" else "NO_SHOW" if status == "No Show"
                  else "CHECKED_IN" if status in ("Arrived", "Checked In", "Checked In Online", "In Room",
                                                  "In Session") else "SCHEDULED")
    doctor = str(appt.get("doctor"))
    return Appointment(id=str(appt["id"]), clinic_id=clinic_id, provider_id=doctor,
                       provider_name=names.get(doctor, ""), patient_id=str(appt.get("patient")),
                       start=start, end=start + timedelta(minutes=int(appt.get("duration") or 0)),
                       status=normalised, reason=appt.get("reason") or None, booked_via="ehr")


def patient(p: Mapping[str, Any], clinic_id: str) -> Patient:
    dob = p.get("date_of_birth")
    return Patient(id=str(p["id"]), clinic_id=clinic_id, first_name=p.get("first_name") or "",
                   last_name=p.get("last_name") or "", date_of_birth=date.fromisoformat(dob) if dob else None,
                   phone=normalize_phone(p.get("cell_phone")) or normalize_phone(p.get("home_phone")),
                   email=p.get("email") or None)


def phones(p: Mapping[str, Any]) -> set[str]:
    return {n for n in (normalize_phone(p.get(k)) for k in ("cell_phone", "home_phone", "office_phone")) if n}
