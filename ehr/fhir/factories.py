"""Factories the composition root registers for `ehr_provider` "epic" and "cerner".

The clinic's `ehr_options` (not secret) hold `base_url`, `token_url`, `client_id`, `kid`, `scope`
and the `providers` roster; its sealed `ehr_credentials` hold `private_key_pem` (SMART Backend
Services) or, for an Oracle Health system account without a key pair, `client_secret`.
See docs/ehr_vendors.md."""
from __future__ import annotations

from ehr.errors import AuthFailed
from ehr.fhir import cerner, epic
from ehr.fhir.settings import FhirSettings
from ehr.registry import FactoryContext


def _settings(ctx: FactoryContext, scope: str) -> FhirSettings:
    try:
        return FhirSettings.from_config({**(ctx.options or {}), **(ctx.credentials or {})}, scope)
    except (KeyError, ValueError, TypeError) as exc:
        missing = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise AuthFailed(f"the clinic's EHR settings are incomplete ({missing})") from None


def make_epic(ctx: FactoryContext) -> epic.EpicAdapter:
    return epic.EpicAdapter(_settings(ctx, epic.SCOPE), ctx.clinic.id, ctx.http, now=ctx.now)


def make_cerner(ctx: FactoryContext) -> cerner.CernerAdapter:
    return cerner.CernerAdapter(_settings(ctx, cerner.SCOPE), ctx.clinic.id, ctx.http, now=ctx.now)
