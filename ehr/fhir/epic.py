"""Epic (FHIR R4): Slot search for free time, Appointment create naming the Slot, cancel by a full
`PUT` of the Appointment with `If-Match` (a stale version is 412 Precondition Failed).

Epic also documents the Argonaut scheduling operations (`Appointment/$find`, `$book`, STU3); an
organisation that exposes only those is not served by this adapter yet (docs/ehr.md).
"""
from __future__ import annotations

from typing import Any

from ehr.fhir.adapter import FhirAdapter
from ehr.fhir.client import Versioned, ok_json
from ehr.fhir.created import created_resource
from ehr.fhir.resources import IDEMPOTENCY_SYSTEM, check

SCOPE = "system/Patient.read system/Patient.write system/Practitioner.read system/Schedule.read " \
        "system/Slot.read system/Appointment.read system/Appointment.write"


class EpicAdapter(FhirAdapter):
    vendor = "epic"

    async def create_appointment(self, slot: dict[str, Any], practitioner_id: str, patient_id: str,
                                 reason: str | None, idempotency_key: str | None) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Appointment", "status": "booked",
            "slot": [{"reference": f"Slot/{slot['id']}"}], "start": slot["start"], "end": slot["end"],
            "participant": [
                {"actor": {"reference": f"Patient/{patient_id}"}, "required": "required", "status": "accepted"},
                {"actor": {"reference": f"Practitioner/{practitioner_id}"}, "required": "required",
                 "status": "accepted"}]}
        if reason:
            resource["reasonCode"] = [{"text": reason[:255]}]
        if idempotency_key:
            resource["identifier"] = [{"system": IDEMPOTENCY_SYSTEM, "value": idempotency_key}]
        response = await self.client.request("POST", "Appointment", json=check(resource),
                                             headers={"Prefer": "return=representation"})
        return await created_resource(self.client, response, "Appointment")

    async def cancel_appointment(self, versioned: Versioned, reason: str | None) -> None:
        resource = dict(versioned.resource)
        resource["status"] = "cancelled"
        if reason:
            resource["cancelationReason"] = {"text": reason[:255]}
        headers = {"If-Match": versioned.etag} if versioned.etag else {}
        response = await self.client.request("PUT", f"Appointment/{resource['id']}", json=check(resource),
                                             headers=headers)
        ok_json(response)

