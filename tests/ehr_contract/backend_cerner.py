"""Oracle Health / Cerner Millennium (FHIR R4) in the contract suite: standins/cerner.py on loopback."""
from __future__ import annotations

from tests.ehr_contract.standins import cerner
from tests.ehr_contract.standins.fhir_backend import fhir_backend


def make_backend(ctx):
    return fhir_backend("cerner", cerner.make, cerner.CLIENT_ID)
