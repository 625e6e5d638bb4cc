"""Factories the composition root registers for `ehr_provider` "epic" and "cerner"."""
from __future__ import annotations

from ehr.fhir import cerner, epic
from ehr.fhir.settings import FhirSettings
from ehr.registry import FactoryContext


def make_epic(ctx: FactoryContext) -> epic.EpicAdapter:
    return epic.EpicAdapter(FhirSettings.from_config(ctx.credentials, epic.SCOPE), ctx.clinic.id, ctx.http,
                            now=ctx.now)


def make_cerner(ctx: FactoryContext) -> cerner.CernerAdapter:
    return cerner.CernerAdapter(FhirSettings.from_config(ctx.credentials, cerner.SCOPE), ctx.clinic.id, ctx.http,
                                now=ctx.now)
