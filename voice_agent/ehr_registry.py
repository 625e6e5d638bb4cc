"""The EHR registry: which adapter serves a clinic (its `ehr_provider`), and how production wraps it.

`FACTORIES` maps an `ehr_provider` name (ehr.registry.EHR_PROVIDERS) to a factory
`(ehr.registry.FactoryContext) -> EHRAdapter` (sync or async). To add an EHR, add one entry here.
The built-in calendar needs no factory: it is the shared `BuiltinCalendar` of the process.
Every adapter is wrapped by `wrap_adapter` in `ehr.resilient.ResilientEHR` (deadline, breaker,
availability cache), with the policy `policy_for(name, settings)` gives.
"""
from __future__ import annotations

import inspect
from typing import Any, Mapping

from ehr.availability_cache import AvailabilityCache
from ehr.breaker import BreakerBoard
from ehr.protocol import EHRAdapter
from ehr import drchrono
from ehr.registry import AdapterFactory, FactoryContext
from ehr.resilient import ResiliencePolicy, ResilientEHR

FACTORIES: dict[str, AdapterFactory] = {
    "drchrono": drchrono.build,
}


def policy_for(name: str, settings: Any = None) -> ResiliencePolicy:
    """The built-in calendar: a deadline only (its pool already fails fast and it is the source of
    truth, so neither a breaker nor a cache). Vendors: deadline, breaker and cache, from settings."""
    timeout = float(getattr(settings, "ehr_call_timeout", 8.0) or 8.0)
    if name == "builtin":
        return ResiliencePolicy(call_timeout=timeout, cache_ttl=0, use_breaker=False)
    return ResiliencePolicy(call_timeout=timeout,
                            cache_ttl=float(getattr(settings, "ehr_availability_ttl", 20.0)),
                            use_breaker=True)


def wrap_adapter(name: str, adapter: EHRAdapter, *, policy: ResiliencePolicy | None = None,
                 breakers: BreakerBoard | None = None, cache: AvailabilityCache | None = None,
                 settings: Any = None) -> ResilientEHR:
    return ResilientEHR(adapter, ehr_name=name, breakers=breakers if breakers is not None else BreakerBoard(),
                        cache=cache, policy=policy or policy_for(name, settings))


def factories() -> Mapping[str, AdapterFactory]:
    return FACTORIES


async def build_adapter(name: str, ctx: FactoryContext) -> EHRAdapter:
    """The raw adapter of `name` for one clinic (not yet wrapped); KeyError for an unknown name."""
    made = FACTORIES[name](ctx)
    return await made if inspect.isawaitable(made) else made
