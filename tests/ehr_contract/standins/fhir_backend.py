"""A FHIR vendor backend for the contract suite: the vendor's stand-in on loopback, an adapter built
the way production builds it (`voice_agent.ehr_registry` factory + `wrap_adapter`)."""
from __future__ import annotations

import contextlib
import uuid
from typing import AsyncIterator, Callable

from ehr.registry import FactoryContext
from ehr.types import ClinicRef, Patient
from tests.ehr_contract.harness import CLINIC_NAME, CLINIC_TZ, MARIA, WEEK, ForeignIds, fixed_clock
from tests.ehr_contract.standins.fhir_server import FhirStandin
from tests.ehr_contract.standins.keys import key_pair
from tests.ehr_contract.standins.loopback import serve
from tests.ehr_contract.standins.vendor_backend import VendorBackend, vendor_http, wrapped
from voice_agent.ehr_registry import build_adapter


class NoSink:
    """FHIR and Google credentials never change on their own: nothing to store."""

    async def save(self, clinic_id, credentials) -> None:
        return None

    async def load(self, clinic_id):
        return None


def options(standin: FhirStandin, client_id: str) -> dict:
    """The clinic's `ehr_options` (not secret)."""
    ids = standin.world.ids
    return {"base_url": standin.base_url, "token_url": standin.token_url, "client_id": client_id,
            "kid": "contract-key-1",
            "providers": [{"practitioner_id": ids["rivera"], "specialty": "Family Medicine", "duration_minutes": 30},
                          {"practitioner_id": ids["okafor"], "specialty": "Cardiology", "duration_minutes": 20}]}


@contextlib.asynccontextmanager
async def fhir_backend(name: str, make: Callable[[str], FhirStandin], client_id: str,
                       secrets: dict | None = None, **http_kw) -> AsyncIterator[VendorBackend]:
    """`secrets`: the sealed credentials to use instead of the key pair (e.g. a client secret)."""
    private, public = key_pair(name)
    standin = make(public)
    async with serve(standin.app()) as root:
        standin.root = root
        clinic = ClinicRef(str(uuid.uuid4()), CLINIC_TZ, CLINIC_NAME)
        async with vendor_http(**http_kw) as http:
            inner = await build_adapter(name, FactoryContext(
                clinic=clinic, credentials=secrets or {"private_key_pem": private}, options=options(standin, client_id),
                business_hours=WEEK, http=http, credentials_sink=NoSink(), now=fixed_clock))
            ids = standin.world.ids
            maria = Patient(standin.world.maria_id, clinic.id, MARIA.first_name, MARIA.last_name,
                            MARIA.date_of_birth, MARIA.phone)
            yield VendorBackend(name, wrapped(name, inner), clinic,
                                {"rivera": ids["rivera"], "okafor": ids["okafor"]}, maria,
                                ForeignIds(standin.world.foreign_appointment_id, standin.world.foreign_patient_id,
                                           ids["other"]), standin.faults, inner, standin)

