"""Google Calendar in the contract suite: standins/google.py on loopback; one calendar per provider,
patients on a registry calendar, Maria and her visit seeded the way the adapter writes them, and a
calendar of another clinic (the `foreign` ids) that this clinic's configuration does not name."""
from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from typing import AsyncIterator

from ehr.google_calendar import ids
from ehr.google_calendar.patients import KIND
from ehr.registry import FactoryContext
from ehr.types import ClinicRef, Patient
from tests.ehr_contract.harness import (CLINIC_NAME, CLINIC_TZ, MARIA, MARIA_APPOINTMENT_END, MARIA_APPOINTMENT_REASON,
                                        MARIA_APPOINTMENT_START, PROVIDERS, WEEK, ForeignIds, fixed_clock)
from tests.ehr_contract.standins.fhir_backend import NoSink
from tests.ehr_contract.standins.google import GoogleStandin
from tests.ehr_contract.standins.keys import key_pair
from tests.ehr_contract.standins.loopback import serve
from tests.ehr_contract.standins.vendor_backend import VendorBackend, vendor_http, wrapped
from voice_agent.ehr_registry import build_adapter

ACCOUNT = "receptionist@contract-clinic.iam.gserviceaccount.com"
CALENDARS = {"rivera": "c_rivera@group.calendar.google.com", "okafor": "c_okafor@group.calendar.google.com"}
PATIENTS = "c_patients@group.calendar.google.com"
OTHER = "c_other_clinic@group.calendar.google.com"



def seed(standin: GoogleStandin, clinic_id: str) -> tuple[str, str, str]:
    maria = ids.patient_id(clinic_id, MARIA.first_name, MARIA.last_name, MARIA.date_of_birth.isoformat())
    standin.add(PATIENTS, {"id": maria, "summary": "Patient record", "transparency": "transparent",
                           "start": {"date": "2000-01-01"}, "end": {"date": "2000-01-02"},
                           "extendedProperties": {"private": {
                               "vap_kind": KIND, "vap_first": MARIA.first_name, "vap_last": MARIA.last_name,
                               "vap_last_key": "garcia", "vap_dob": MARIA.date_of_birth.isoformat(),
                               "vap_phone": MARIA.phone}}})
    visit = {"summary": "Patient visit", "start": {"dateTime": MARIA_APPOINTMENT_START.isoformat(), "timeZone": CLINIC_TZ},
             "end": {"dateTime": MARIA_APPOINTMENT_END.isoformat(), "timeZone": CLINIC_TZ}}
    standin.add(CALENDARS["rivera"], {**visit, "id": ids.event_id(clinic_id, "seed"), "extendedProperties": {
        "private": {"vap_patient_id": maria, "vap_reason": MARIA_APPOINTMENT_REASON}}})
    foreign_patient = ids.patient_id("other-clinic", "Hanna", "Keller", "1970-01-02")
    foreign = ids.event_id("other-clinic", "seed")
    standin.add(OTHER, {**visit, "id": foreign, "extendedProperties": {"private": {"vap_patient_id": foreign_patient}}})
    # a staff block (no patient): busy time that is never an appointment
    block = MARIA_APPOINTMENT_START + timedelta(days=7)
    standin.add(CALENDARS["okafor"], {"id": "staffmeeting01", "summary": "Team meeting",
                                      "start": {"dateTime": block.isoformat()},
                                      "end": {"dateTime": (block + timedelta(hours=1)).isoformat()}})
    return maria, foreign, foreign_patient


def service_account(standin: GoogleStandin, private_pem: str) -> dict:
    """The sealed `ehr_credentials`: the JSON key file Google issues (shape of fixtures/ehr/google)."""
    return {"service_account": {"type": "service_account", "project_id": "contract-clinic",
                                "private_key_id": "contract-key-1", "private_key": private_pem,
                                "client_email": ACCOUNT, "client_id": "100000000000000000001",
                                "token_uri": standin.token_url}}


def options(standin: GoogleStandin) -> dict:
    """The clinic's `ehr_options` (not secret); its hours come from the clinic record."""
    return {"api_base": standin.api_base, "patients_calendar_id": PATIENTS,
            "providers": [{"id": p.key, "calendar_id": CALENDARS[p.key], "first_name": p.first_name,
                           "last_name": p.last_name, "title": p.title, "specialty": p.specialty,
                           "duration_minutes": p.duration, "accepting_new_patients": p.accepting_new_patients,
                           "schedule": WEEK} for p in PROVIDERS]}


@contextlib.asynccontextmanager
async def make_backend(ctx, **http_kw) -> AsyncIterator[VendorBackend]:
    private, public = key_pair("google")
    standin = GoogleStandin({ACCOUNT: public}, {c: {} for c in (*CALENDARS.values(), PATIENTS, OTHER)})
    clinic = ClinicRef(str(uuid.uuid4()), CLINIC_TZ, CLINIC_NAME)
    maria_id, foreign_appointment, foreign_patient = seed(standin, clinic.id)
    async with serve(standin.app()) as root:
        standin.root = root
        async with vendor_http(**http_kw) as http:
            inner = await build_adapter("google", FactoryContext(
                clinic=clinic, credentials=service_account(standin, private), options=options(standin),
                business_hours=WEEK, http=http, credentials_sink=NoSink(), now=fixed_clock))
            maria = Patient(maria_id, clinic.id, MARIA.first_name, MARIA.last_name, MARIA.date_of_birth, MARIA.phone)
            yield VendorBackend("google", wrapped("google", inner), clinic,
                                {"rivera": "rivera", "okafor": "okafor"}, maria,
                                ForeignIds(foreign_appointment, foreign_patient, "other"), standin.faults, inner, standin)
