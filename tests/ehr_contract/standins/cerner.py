"""An Oracle Health (Cerner Millennium) style FHIR R4 stand-in: base `/r4/{tenant}`, token
`/tenants/{tenant}/protocols/oauth2/profiles/smart-v1/token`, numeric ids, JSON Patch updates
(`application/json-patch+json`, `If-Match` required: missing is 412, a wrong version 409), Slot
search returning only free slots, Appointment search requiring a date, and the documented create
rules for a booked Appointment: `slot` exactly one reference, `participant` exactly one Patient with
status `accepted` and no `type`. A Slot that is no longer free is refused with 422.
"""
from __future__ import annotations

from typing import Any

from tests.ehr_contract.standins.fhir_server import Dialect, FhirStandin, Refused
from tests.ehr_contract.standins.fhir_world import FhirWorld, seed
from tests.ehr_contract.standins.token_endpoint import SmartClient

TENANT = "ec2458f2-1e24-41c8-b71b-0e701af7583d"
CLIENT_ID = "0f5c1f0e-contract-cerner"
SCOPES = frozenset({"system/Patient.read", "system/Patient.write", "system/Practitioner.read",
                    "system/Schedule.read", "system/Slot.read", "system/Appointment.read",
                    "system/Appointment.write"})


def check_create(body: dict[str, Any], world: FhirWorld) -> None:
    if body.get("status") != "booked":
        raise Refused(422, "business-rule", "Appointment.status must be booked (or proposed)")
    slots = body.get("slot") or []
    if len(slots) != 1:
        raise Refused(422, "business-rule", "Appointment.slot must be a list containing exactly one reference")
    if slots[0].get("reference", "").split("/")[-1] not in world.slots:
        raise Refused(422, "business-rule", "the Slot does not exist")
    participants = body.get("participant") or []
    if len(participants) != 1:
        raise Refused(422, "business-rule", "Appointment.participant must contain exactly one patient participant")
    only = participants[0]
    ref = only.get("actor", {}).get("reference", "")
    if not ref.startswith("Patient/") or ref.split("/")[-1] not in world.patients:
        raise Refused(422, "business-rule", "Appointment.participant.actor must be a reference to a patient")
    if only.get("status") != "accepted":
        raise Refused(422, "business-rule", "Appointment.participant.status must be accepted")
    if only.get("type"):
        raise Refused(422, "business-rule", "Appointment.participant.type must not be set")


DIALECT = Dialect(name="cerner", base_path=f"/r4/{TENANT}",
                  token_path=f"/tenants/{TENANT}/protocols/oauth2/profiles/smart-v1/token", update_method="PATCH",
                  stale_status=409, busy_status=422, check_create=check_create, slot_status_param=False,
                  date_required=True, return_body_on_create=False)


SYSTEM_ACCOUNT = "7c1d2e3f-contract-system-account"
SYSTEM_SECRET = "made-up-secret-for-tests"


def make(public_key_pem: str, extra_days: tuple = ()) -> FhirStandin:
    """Two registered clients: a backend app with a key pair (SMART Backend Services) and a system
    account with a client secret (HTTP Basic), both ways Oracle Health authenticates services."""
    ids = {"rivera": "4122622", "okafor": "4122630", "other": "4122677"}
    world = seed(ids, lambda pid, n: f"{pid}-21304876-{n}-0", extra_days)
    return FhirStandin(DIALECT, world, {
        CLIENT_ID: SmartClient(CLIENT_ID, public_key_pem, SCOPES),
        SYSTEM_ACCOUNT: SmartClient(SYSTEM_ACCOUNT, "", SCOPES, client_secret=SYSTEM_SECRET)})
