"""FHIR resources in and out, built and checked with `fhir.resources`.

`fhir.resources` 8.x ships FHIR R5 as its default package plus `R4B` and `STU3` sub-packages; it
has no plain R4 (4.0.1) package. R4B (4.3.0) changed nothing in the resources used here
(Patient, Practitioner, Schedule, Slot, Appointment, Bundle, OperationOutcome) relative to R4, so
the R4B models are the R4 check. They check structure, cardinality and primitive formats; they do
not check code bindings, so the status codes are checked here explicitly.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner as FhirPractitioner
from fhir.resources.R4B.slot import Slot as FhirSlot
from pydantic import ValidationError

from ehr.errors import NotAllowed, Unavailable
from ehr.phones import normalize_phone
from ehr.types import Appointment, NewPatient, Patient

APPOINTMENT_STATUSES = ("proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
                        "entered-in-error", "checked-in", "waitlist")
SLOT_STATUSES = ("busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error")
IDEMPOTENCY_SYSTEM = "urn:voice-agent:idempotency-key"   # Appointment.identifier carrying our key
LIVE = ("proposed", "pending", "booked", "arrived", "checked-in", "waitlist")
_STATUS = {"proposed": "SCHEDULED", "pending": "SCHEDULED", "booked": "SCHEDULED", "waitlist": "SCHEDULED",
           "arrived": "CHECKED_IN", "checked-in": "CHECKED_IN", "fulfilled": "COMPLETED",
           "cancelled": "CANCELLED", "noshow": "NO_SHOW", "entered-in-error": "CANCELLED"}
_MODELS = {"Appointment": FhirAppointment, "Patient": FhirPatient, "Practitioner": FhirPractitioner,
           "Slot": FhirSlot}


def check(resource: dict[str, Any]) -> dict[str, Any]:
    """Validate against the R4 model; what we send must be valid, what we get must be too."""
    model = _MODELS.get(str(resource.get("resourceType")))
    if model is None:
        return resource
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        raise Unavailable(f"the EHR exchanged an invalid {resource.get('resourceType')} resource "
                          f"({exc.error_count()} problems)") from None
    return resource


def ref_id(reference: Any, resource_type: str) -> str | None:
    """'Practitioner/123' (or an absolute URL ending so) → '123'."""
    if not isinstance(reference, dict):
        return None
    ref = str(reference.get("reference") or "")
    parts = ref.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    if len(parts) >= 4 and parts[-4] == resource_type and parts[-2] == "_history":
        return parts[-3]
    return None


def instant(value: Any, zone: ZoneInfo) -> datetime:
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise Unavailable("the EHR sent a time without a UTC offset")
    return parsed.astimezone(zone)


def fhir_instant(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------- patients

def patient_out(patient: NewPatient) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient", "active": True,
        "name": [{"use": "official", "family": patient.last_name.strip(), "given": [patient.first_name.strip()]}],
        "birthDate": patient.date_of_birth.isoformat()}
    telecom = []
    phone = normalize_phone(patient.phone) if patient.phone else None
    if patient.phone and not phone:
        raise NotAllowed("that is not a phone number")
    if phone:
        telecom.append({"system": "phone", "value": phone, "use": "mobile"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    return check(resource)


def patient_in(resource: dict[str, Any], clinic_id: str) -> Patient:
    check(resource)
    names = resource.get("name") or [{}]
    name = next((n for n in names if n.get("use") == "official"), None) or \
        next((n for n in names if n.get("use") == "usual"), None) or names[0]
    given = name.get("given") or [""]
    phone = email = None
    for point in resource.get("telecom") or []:
        if point.get("system") == "phone" and phone is None:
            phone = normalize_phone(point.get("value")) or point.get("value")
        if point.get("system") == "email" and email is None:
            email = point.get("value")
    birth = resource.get("birthDate")
    return Patient(id=str(resource["id"]), clinic_id=clinic_id, first_name=str(given[0]),
                   last_name=str(name.get("family") or ""),
                   date_of_birth=date.fromisoformat(birth) if birth and len(birth) == 10 else None,
                   phone=phone, email=email)


def practitioner_name(resource: dict[str, Any]) -> tuple[str, str, str | None]:
    """(first, last, title) of a Practitioner."""
    check(resource)
    names = resource.get("name") or [{}]
    name = next((n for n in names if n.get("use") == "official"), None) or names[0]
    prefix = name.get("prefix") or []
    return str((name.get("given") or [""])[0]), str(name.get("family") or ""), (str(prefix[0]) if prefix else None)


# ------------------------------------------------------------------------------------ appointments

def appointment_in(resource: dict[str, Any], clinic_id: str, zone: ZoneInfo,
                   names: dict[str, str]) -> Appointment | None:
    """Our view of an Appointment, or None when it has no practitioner of this clinic's roster."""
    check(resource)
    status = str(resource.get("status", ""))
    if status not in APPOINTMENT_STATUSES:
        raise Unavailable("the EHR sent an appointment with an unknown status")
    practitioner = patient = None
    for participant in resource.get("participant") or []:
        actor = participant.get("actor")
        practitioner = practitioner or ref_id(actor, "Practitioner")
        patient = patient or ref_id(actor, "Patient")
    if practitioner is None or practitioner not in names or not resource.get("start"):
        return None
    reasons = resource.get("reasonCode") or []
    cancel = resource.get("cancelationReason") or {}
    return Appointment(
        id=str(resource["id"]), clinic_id=clinic_id, provider_id=practitioner, provider_name=names[practitioner],
        patient_id=patient or "", start=instant(resource["start"], zone), end=instant(resource["end"], zone),
        status=_STATUS[status], reason=(reasons[0].get("text") if reasons else None),
        cancellation_reason=cancel.get("text") if status == "cancelled" else None,
        extra={"fhir_status": status, "slot_ids": [ref_id(s, "Slot") for s in resource.get("slot") or []],
               "idempotency_keys": tuple(i.get("value") for i in resource.get("identifier") or []
                                         if i.get("system") == IDEMPOTENCY_SYSTEM)})
