"""Epic (FHIR R4) in the contract suite: the Epic-style stand-in on loopback (standins/epic.py)."""
from __future__ import annotations

from tests.ehr_contract.standins import epic
from tests.ehr_contract.standins.fhir_backend import fhir_backend


def make_backend(ctx):
    return fhir_backend("epic", epic.make, epic.CLIENT_ID)
