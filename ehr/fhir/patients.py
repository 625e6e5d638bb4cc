"""Patients in a FHIR EHR: search by family + birthdate (given narrows), by phone, and create.

The EHR's name search is looser than ours (Epic and Oracle Health match prefixes, some ignore
accents), so every hit is compared again with the built-in calendar's folding rules: a caller's
"garcia" is the record "García", never "Garcias".
"""
from __future__ import annotations

from datetime import date

from ehr.names import compact, same_phone
from ehr.errors import NotAllowed, NotFound, Unavailable
from ehr.fhir.client import FhirClient, FhirError, ok_json
from ehr.fhir.created import created_resource
from ehr.fhir.resources import check, patient_in, patient_out
from ehr.types import NewPatient, Patient


class FhirPatients:
    def __init__(self, client: FhirClient, clinic_id: str) -> None:
        self.client = client
        self.clinic_id = clinic_id

    async def candidates(self, last_name: str, date_of_birth: date) -> list[Patient]:
        if not last_name or not compact(last_name) or date_of_birth is None:
            return []
        found = await self.client.search("Patient", [("family", last_name.strip()),
                                                     ("birthdate", date_of_birth.isoformat())])
        people = [patient_in(r, self.clinic_id) for r in found if r.get("active", True) is not False]
        return [p for p in people if compact(p.last_name) == compact(last_name) and p.date_of_birth == date_of_birth]

    async def find(self, last_name: str, date_of_birth: date, first_name: str | None,
                   phone: str | None) -> list[Patient]:
        matches = await self.candidates(last_name, date_of_birth)
        if len(matches) > 1 and first_name and compact(first_name):
            matches = [m for m in matches if compact(m.first_name) == compact(first_name)] or matches
        if len(matches) > 1 and phone:
            matches = [m for m in matches if same_phone(m.phone, phone)] or matches
        return matches

    async def by_phone(self, date_of_birth: date, phone: str) -> list[Patient]:
        if date_of_birth is None or not phone:
            return []
        found = await self.client.search("Patient", [("birthdate", date_of_birth.isoformat()), ("phone", phone)])
        return [p for p in (patient_in(r, self.clinic_id) for r in found) if same_phone(p.phone, phone)]

    async def get(self, patient_id: str) -> Patient:
        if not patient_id:
            raise NotFound("no such patient")
        versioned = await self.client.read("Patient", patient_id)
        return patient_in(versioned.resource, self.clinic_id)

    async def create(self, patient: NewPatient) -> Patient:
        if not patient.first_name.strip() or not patient.last_name.strip():
            raise NotAllowed("a patient needs a first and a last name")
        response = await self.client.request("POST", "Patient", json=patient_out(patient),
                                             headers={"Prefer": "return=representation"})
        try:
            ok_json(response)
        except FhirError as exc:
            if exc.status in (400, 422):
                raise NotAllowed("the EHR refused the new patient record") from None
            raise Unavailable(f"the EHR answered {exc.status} creating a patient") from None
        return patient_in(check(await created_resource(self.client, response, "Patient")), self.clinic_id)

    async def find_or_create(self, patient: NewPatient) -> tuple[Patient, bool]:
        """Same folded last name, birth date and first name is the same person (phone decides among
        several); a phone alone never merges two people."""
        candidates = await self.candidates(patient.last_name, patient.date_of_birth)
        confirmed = [c for c in candidates if compact(c.first_name) == compact(patient.first_name)]
        if len(confirmed) > 1 and patient.phone:
            confirmed = [c for c in confirmed if same_phone(c.phone, patient.phone)] or confirmed
        if confirmed:
            return confirmed[0], False
        return await self.create(patient), True
