"""Fixtures of the EHR tests: the DrChrono stand-in, and a clinic of the app served by it."""
from __future__ import annotations

import pytest

from ehr.types import ClinicRef
from tests.ehr_contract.backend_drchrono import options_for, seed
from tests.ehr_contract.harness import CLINIC_TZ, WEEK
from tests.ehr_contract.standins.drchrono import DrChronoStandIn


@pytest.fixture
def standin():
    s = DrChronoStandIn().start()
    yield s
    s.stop()


@pytest.fixture
async def drchrono_clinic(make_clinic, services, standin):
    """A clinic whose ehr_provider is drchrono (the contract's seeded world in the stand-in), with
    `.ref` (ClinicRef) and `.world` (the stand-in's ids and the credentials)."""
    clinic = await make_clinic(timezone=CLINIC_TZ, business_hours=WEEK, providers=[], patients=[], appointments=[])
    world = seed(standin)
    assert await services.ehr_store.set_ehr(clinic.id, "drchrono", options_for(standin, world), world["credentials"])
    clinic.ref = ClinicRef(clinic.id, CLINIC_TZ, clinic.data["name"])
    clinic.world = world
    return clinic
