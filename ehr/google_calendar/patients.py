"""Patients when the calendar is Google Calendar, which is no patient registry.

Each patient is one *transparent* all-day event (it never shows as busy) on the clinic's
`patients_calendar_id`, its identity in the event's private extended properties (visible only to
this app's credentials, not to invitees): folded last name, birth date, E.164 phone. Searches use
the API's `privateExtendedProperty=key=value` filters. The event's id is derived from the person
(folded names + birth date), so creating the same person twice finds the first record (409).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from ehr.names import compact, same_phone
from ehr.errors import NotAllowed, NotFound
from ehr.google_calendar import ids
from ehr.google_calendar.api import CalendarApi, GoogleError
from ehr.phones import normalize_phone
from ehr.types import NewPatient, Patient

KIND = "receptionist-patient"


class CalendarPatients:
    def __init__(self, api: CalendarApi, calendar_id: str, clinic_id: str) -> None:
        self.api, self.calendar_id, self.clinic_id = api, calendar_id, clinic_id

    def _patient(self, event: dict[str, Any]) -> Patient | None:
        props = (event.get("extendedProperties") or {}).get("private") or {}
        if props.get("vap_kind") != KIND or event.get("status") == "cancelled":
            return None
        dob = props.get("vap_dob")
        return Patient(id=event["id"], clinic_id=self.clinic_id, first_name=props.get("vap_first", ""),
                       last_name=props.get("vap_last", ""), date_of_birth=date.fromisoformat(dob) if dob else None,
                       phone=props.get("vap_phone") or None, email=props.get("vap_email") or None)

    async def _search(self, **props: str) -> list[Patient]:
        params = [("privateExtendedProperty", f"{k}={v}") for k, v in props.items()]
        params += [("privateExtendedProperty", f"vap_kind={KIND}"), ("maxResults", "250")]
        found = [self._patient(e) for e in await self.api.list_events(self.calendar_id, params)]
        return [p for p in found if p is not None]

    async def candidates(self, last_name: str, date_of_birth: date) -> list[Patient]:
        if not compact(last_name) or date_of_birth is None:
            return []
        return await self._search(vap_last_key=compact(last_name), vap_dob=date_of_birth.isoformat())

    async def find(self, last_name: str, date_of_birth: date, first_name: str | None,
                   phone: str | None) -> list[Patient]:
        matches = await self.candidates(last_name, date_of_birth)
        if len(matches) > 1 and first_name and compact(first_name):
            matches = [m for m in matches if compact(m.first_name) == compact(first_name)] or matches
        if len(matches) > 1 and phone:
            matches = [m for m in matches if same_phone(m.phone, phone)] or matches
        return matches

    async def by_phone(self, date_of_birth: date, phone: str) -> list[Patient]:
        wanted = normalize_phone(phone) if phone else None
        if date_of_birth is None or not wanted:
            return []
        return [p for p in await self._search(vap_dob=date_of_birth.isoformat(), vap_phone=wanted)
                if same_phone(p.phone, wanted)]

    async def get(self, patient_id: str) -> Patient:
        if not patient_id or not ids.VALID.match(patient_id):
            raise NotFound("no such patient")
        patient = self._patient(await self.api.get_event(self.calendar_id, patient_id))
        if patient is None:
            raise NotFound("no such patient")
        return patient

    async def create(self, patient: NewPatient, nonce: str = "") -> Patient:
        if not patient.first_name.strip() or not patient.last_name.strip():
            raise NotAllowed("a patient needs a first and a last name")
        phone = normalize_phone(patient.phone) if patient.phone else None
        if patient.phone and not phone:
            raise NotAllowed("that is not a phone number")
        dob = patient.date_of_birth.isoformat()
        event_id = ids.patient_id(self.clinic_id, patient.first_name, patient.last_name, dob, nonce)
        private = {"vap_kind": KIND, "vap_first": patient.first_name.strip(), "vap_last": patient.last_name.strip(),
                   "vap_last_key": compact(patient.last_name), "vap_dob": dob, "vap_phone": phone or "",
                   "vap_email": patient.email or ""}
        event = {"id": event_id, "summary": "Patient record", "transparency": "transparent", "visibility": "private",
                 "start": {"date": "2000-01-01"}, "end": {"date": "2000-01-02"},
                 "extendedProperties": {"private": private}}
        try:
            created = await self.api.insert_event(self.calendar_id, event)
        except GoogleError as exc:
            if exc.status == 409:   # this person's record exists (or a retry of this very insert)
                return await self.get(event_id)
            raise NotAllowed("Google Calendar refused the patient record") from None
        made = self._patient(created)
        if made is None:
            raise NotAllowed("Google Calendar stored something other than the patient record")
        return made

    async def find_or_create(self, patient: NewPatient) -> tuple[Patient, bool]:
        candidates = await self.candidates(patient.last_name, patient.date_of_birth)
        confirmed = [c for c in candidates if compact(c.first_name) == compact(patient.first_name)]
        if len(confirmed) > 1 and patient.phone:
            confirmed = [c for c in confirmed if same_phone(c.phone, patient.phone)] or confirmed
        if confirmed:
            return confirmed[0], False
        return await self.create(patient), True
