"""Factories the composition root registers for `ehr_provider` "epic" and "cerner".

The clinic's `ehr_options` (not secret) hold `base_url`, `token_url`, `client_id`, `kid`, `scope`
and the `providers` roster; its sealed `ehr_credentials` hold `private_key_pem` (and may hold
`client_id`/`kid` too). See docs/ehr.md."""
from __future__ import annotations

from ehr.fhir import cerner, epic
from ehr.fhir.settings import FhirSettings
from ehr.registry import FactoryContext


def _settings(ctx: FactoryContext, scope: str) -> FhirSettings:
    return FhirSettings.from_config({**(ctx.options or {}), **(ctx.credentials or {})}, scope)


def make_epic(ctx: FactoryContext) -> epic.EpicAdapter:
    return epic.EpicAdapter(_settings(ctx, epic.SCOPE), ctx.clinic.id, ctx.http, now=ctx.now)


def make_cerner(ctx: FactoryContext) -> cerner.CernerAdapter:
    return cerner.CernerAdapter(_settings(ctx, cerner.SCOPE), ctx.clinic.id, ctx.http, now=ctx.now)
