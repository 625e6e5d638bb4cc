"""The EHR registry: which adapter serves a clinic (its `ehr_provider`), and how production wraps it.

`FACTORIES` maps an `ehr_provider` name (ehr.registry.EHR_PROVIDERS) to a factory
`(ehr.registry.FactoryContext) -> EHRAdapter` (sync or async). To add an EHR, add one entry here.
The built-in calendar needs no factory: it is the process's shared `BuiltinCalendar`, the default.
Every adapter is wrapped by `wrap_adapter` in `ehr.resilient.ResilientEHR` (deadline, breaker,
availability cache) with the policy `policy_for(name, settings)` gives. `ClinicAdapters` is the
`ehr.router.Resolver` the app's `ClinicRouter` asks for a clinic's adapter.
"""
from __future__ import annotations

import inspect
import logging
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any, Callable, Mapping

import httpx

from ehr import drchrono
from ehr.availability_cache import AvailabilityCache
from ehr.breaker import BreakerBoard, BreakerPolicy
from ehr.errors import EHRError, Unavailable
from ehr.fhir.factories import make_cerner, make_epic
from ehr.google_calendar.factory import make_google
from ehr.protocol import EHRAdapter
from ehr.registry import AdapterFactory, FactoryContext
from ehr.resilient import ResiliencePolicy, ResilientEHR
from ehr.types import ClinicRef
from storage.ehr_credentials import ClinicEHR, EHRCredentialStore

log = logging.getLogger("voice_agent.ehr")

FACTORIES: dict[str, AdapterFactory] = {
    "drchrono": drchrono.build,
    "epic": make_epic,
    "cerner": make_cerner,
    "google": make_google,
}
ADAPTER_SECONDS = 60.0          # a clinic's adapter is rebuilt from its stored record this often


def policy_for(name: str, settings: Any = None) -> ResiliencePolicy:
    """The built-in calendar: errors mapped only. Its pool already bounds every wait (storage/db.py:
    connect, check and query deadlines) and fails fast while PostgreSQL is down, and it is the source
    of truth, so it gets no extra deadline (a busy pool may rightly queue a booking), no breaker and no
    cache. Vendors: deadline, breaker and cache, from settings."""
    timeout = float(getattr(settings, "ehr_call_timeout", 8.0) or 8.0)
    if name == "builtin":
        return ResiliencePolicy(call_timeout=None, cache_ttl=0, use_breaker=False)
    return ResiliencePolicy(call_timeout=timeout, cache_ttl=float(getattr(settings, "ehr_availability_ttl", 20.0)),
                            use_breaker=True)


def breakers_for(settings: Any = None) -> BreakerBoard:
    return BreakerBoard(BreakerPolicy(failure_threshold=int(getattr(settings, "ehr_breaker_failures", 5)),
                                      cooldown=float(getattr(settings, "ehr_breaker_cooldown", 30.0))))


def wrap_adapter(name: str, adapter: EHRAdapter, *, policy: ResiliencePolicy | None = None,
                 breakers: BreakerBoard | None = None, cache: AvailabilityCache | None = None,
                 settings: Any = None) -> ResilientEHR:
    return ResilientEHR(adapter, ehr_name=name, breakers=breakers if breakers is not None else breakers_for(settings),
                        cache=cache, policy=policy or policy_for(name, settings))


def factories() -> Mapping[str, AdapterFactory]:
    return FACTORIES


async def build_adapter(name: str, ctx: FactoryContext) -> EHRAdapter:
    """The raw adapter of `name` for one clinic (not yet wrapped); KeyError for an unknown name."""
    made = FACTORIES[name](ctx)
    return await made if inspect.isawaitable(made) else made


def context_for(record: ClinicEHR, *, http: httpx.AsyncClient, store: EHRCredentialStore,
                now: Callable[[], datetime], settings: Any = None) -> FactoryContext:
    return FactoryContext(clinic=ClinicRef(record.clinic_id, record.timezone, record.name),
                          credentials=record.credentials or {}, options=record.options,
                          business_hours=record.business_hours, http=http, credentials_sink=store, now=now,
                          settings=settings)


class ClinicAdapters:
    """Resolver: the clinic's wrapped adapter, rebuilt from its stored record every ADAPTER_SECONDS
    (an operator's `voice-agent clinic set-ehr` takes effect within a minute); at most `max_clinics`
    kept. The built-in calendar (no `ehr_provider`) is `default`."""

    def __init__(self, store: EHRCredentialStore, default: EHRAdapter, *, http: httpx.AsyncClient,
                 breakers: BreakerBoard, cache: AvailabilityCache | None, now: Callable[[], datetime],
                 settings: Any = None, monotonic: Callable[[], float] = time.monotonic, max_clinics: int = 2000) -> None:
        self.store, self.default, self.http, self.breakers, self.cache = store, default, http, breakers, cache
        self.now, self.settings, self._mono, self._max = now, settings, monotonic, max_clinics
        self._adapters: OrderedDict[str, tuple[float, EHRAdapter]] = OrderedDict()

    async def adapter_for(self, clinic: ClinicRef) -> EHRAdapter:
        hit = self._adapters.get(clinic.id)
        if hit is not None and self._mono() - hit[0] < ADAPTER_SECONDS:
            return hit[1]
        try:
            record = await self.store.clinic_ehr(clinic.id)
        except EHRError:
            raise
        except Exception as exc:      # the database (or the keyring) cannot tell us: no calendar now
            if hit is not None:
                return hit[1]
            log.warning("clinic EHR record unavailable", extra={"event": "ehr_record_unavailable",
                                                                 "error_type": type(exc).__name__})
            raise Unavailable("the clinic's calendar settings cannot be read right now") from exc
        adapter = self.default if record is None or record.provider == "builtin" else await self._build(record)
        self._adapters[clinic.id] = (self._mono(), adapter)
        self._adapters.move_to_end(clinic.id)
        while len(self._adapters) > self._max:
            self._adapters.popitem(last=False)
        return adapter

    async def _build(self, record: ClinicEHR) -> EHRAdapter:
        if record.provider not in FACTORIES:
            raise Unavailable(f"the {record.provider} adapter is not part of this build")
        ctx = context_for(record, http=self.http, store=self.store, now=self.now, settings=self.settings)
        raw = await build_adapter(record.provider, ctx)
        return wrap_adapter(record.provider, raw, breakers=self.breakers, cache=self.cache, settings=self.settings)

    def forget(self, clinic_id: str) -> None:
        self._adapters.pop(clinic_id, None)
