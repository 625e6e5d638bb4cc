"""DrChrono (REST v4): the adapter, its OAuth token manager and webhook checks."""
from __future__ import annotations

from ehr.drchrono.adapter import DrChronoAdapter
from ehr.drchrono.api import DrChronoApi
from ehr.drchrono.auth import TokenManager
from ehr.drchrono.mapping import DrChronoOptions

__all__ = ["DrChronoAdapter", "DrChronoApi", "DrChronoOptions", "TokenManager", "build"]


def build(ctx) -> DrChronoAdapter:
    """The registry's factory (voice_agent/ehr_registry.py): `ctx` is an `ehr.registry.FactoryContext`."""
    options = DrChronoOptions.parse(ctx.options)
    tokens = TokenManager(ctx.http, options.token_url or f"{options.base_url}/o/token/", ctx.clinic.id,
                          ctx.credentials, ctx.credentials_sink)
    api = DrChronoApi(ctx.http, options.base_url, tokens)
    return DrChronoAdapter(api, ctx.clinic, options, ctx.business_hours, ctx.now,
                           schedules=(ctx.options or {}).get("schedules"))
