"""Oracle Health / Cerner Millennium (FHIR R4), following its documented write rules:

* Appointment create: `status` booked, `slot` a list of exactly one Slot reference, `participant`
  exactly one Patient with status `accepted` and no `type` (the practitioner, location and times
  come from the Slot). A Slot that is no longer free is refused (422); the Slot is then read to
  tell "someone else took it" (SlotTaken) from any other refusal.
* Updates are JSON Patch (`application/json-patch+json`) with `If-Match`: a wrong version is
  409 Conflict, a missing If-Match 412 Precondition Failed.
"""
from __future__ import annotations

from typing import Any

from ehr.fhir.adapter import FhirAdapter
from ehr.fhir.client import FhirError, Outcome, Versioned, ok_json
from ehr.fhir.created import created_resource
from ehr.fhir.resources import IDEMPOTENCY_SYSTEM, check
from ehr.http_retry import IDEMPOTENCY_HEADER

SCOPE = "system/Patient.read system/Patient.write system/Practitioner.read system/Schedule.read " \
        "system/Slot.read system/Appointment.read system/Appointment.write"
JSON_PATCH = "application/json-patch+json"


class CernerAdapter(FhirAdapter):
    vendor = "cerner"

    async def create_appointment(self, slot: dict[str, Any], practitioner_id: str, patient_id: str,
                                 reason: str | None, idempotency_key: str | None) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Appointment", "status": "booked",
            "slot": [{"reference": f"Slot/{slot['id']}"}],
            "participant": [{"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"}]}
        if reason:
            resource["reasonCode"] = [{"text": reason[:255]}]
        if idempotency_key:
            resource["identifier"] = [{"system": IDEMPOTENCY_SYSTEM, "value": idempotency_key}]
        response = await self.client.request("POST", "Appointment", json=check(resource))
        if response.status_code == 422:
            refusal = FhirError(422, Outcome.of(_body(response)))
            current = await self.client.read("Slot", str(slot["id"]))
            if current.resource.get("status") != "free":
                raise FhirError(409, refusal.outcome)
            raise refusal
        return await created_resource(self.client, response, "Appointment")

    async def cancel_appointment(self, versioned: Versioned, reason: str | None) -> None:
        patch = [{"op": "replace", "path": "/status", "value": "cancelled"}]
        headers = {"If-Match": versioned.etag, IDEMPOTENCY_HEADER: "1"} if versioned.etag else {}
        response = await self.client.request("PATCH", f"Appointment/{versioned.resource['id']}", json=patch,
                                             headers=headers, content_type=JSON_PATCH)
        ok_json(response)

    def slot_params(self, practitioner_id, start, end) -> list[tuple[str, str]]:
        """Oracle Health's Slot search returns only free slots and takes no status parameter."""
        return [p for p in super().slot_params(practitioner_id, start, end) if p[0] != "status"]

    def stale_version(self, exc: FhirError) -> bool:
        return exc.status in (409, 412)


def _body(response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}
