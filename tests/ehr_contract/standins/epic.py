"""An Epic-style FHIR R4 stand-in: base `/api/FHIR/R4`, token `/oauth2/token` (SMART Backend Services,
RS384 client assertion), opaque ids, full-resource `PUT` updates (a stale `If-Match` is 412), a Slot
that is no longer free refused with 409 Conflict.

Create rules: `status` booked, exactly one Slot, `start`/`end` equal to the Slot's, and participants
naming the Patient and the Slot's Practitioner, each `accepted`.
"""
from __future__ import annotations

from typing import Any

from tests.ehr_contract.standins.fhir_server import Dialect, FhirStandin, Refused
from tests.ehr_contract.standins.fhir_world import FhirWorld, seed
from tests.ehr_contract.standins.token_endpoint import SmartClient

CLIENT_ID = "a5bd5b3c-7d1f-4c0e-9d7e-contract-epic"
SCOPES = frozenset({"system/Patient.read", "system/Patient.write", "system/Practitioner.read",
                    "system/Schedule.read", "system/Slot.read", "system/Appointment.read",
                    "system/Appointment.write"})


def check_create(body: dict[str, Any], world: FhirWorld) -> None:
    if body.get("status") != "booked":
        raise Refused(422, "business-rule", "a new Appointment must be booked")
    slots = body.get("slot") or []
    if len(slots) != 1 or slots[0].get("reference", "").split("/")[-1] not in world.slots:
        raise Refused(422, "business-rule", "exactly one known Slot is required")
    slot = world.slots[slots[0]["reference"].split("/")[-1]]
    if body.get("start") != slot["start"] or body.get("end") != slot["end"]:
        raise Refused(422, "business-rule", "start and end must be the Slot's")
    refs = {p.get("actor", {}).get("reference", "") for p in body.get("participant") or []}
    practitioner = world.schedule_practitioner(slot["schedule"]["reference"])
    patients = [r for r in refs if r.startswith("Patient/")]
    if len(patients) != 1 or patients[0].split("/")[-1] not in world.patients:
        raise Refused(422, "business-rule", "exactly one known Patient participant is required")
    if f"Practitioner/{practitioner}" not in refs:
        raise Refused(422, "business-rule", "the Slot's Practitioner must participate")


DIALECT = Dialect(name="epic", base_path="/api/FHIR/R4", token_path="/oauth2/token", update_method="PUT",
                  stale_status=412, busy_status=409, check_create=check_create)


def make(public_key_pem: str, extra_days: tuple = ()) -> FhirStandin:
    ids = {"rivera": "eAnaRivera.0Z", "okafor": "eBenOkafor.1Q", "other": "eOlgaStein.7K"}
    world = seed(ids, lambda pid, n: f"{pid}-s{n}", extra_days)
    return FhirStandin(DIALECT, world, {CLIENT_ID: SmartClient(CLIENT_ID, public_key_pem, SCOPES)})
