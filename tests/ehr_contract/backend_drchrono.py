"""DrChrono in the contract suite: the adapter built by the production registry against the DrChrono
stand-in on loopback (OAuth with rotation, pagination, 409s), wrapped as production wraps it."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Literal, Mapping

from ehr.availability_cache import MemoryAvailabilityCache
from ehr.http_retry import RetryPolicy, retrying_client
from ehr.protocol import EHRAdapter
from ehr.registry import FactoryContext
from ehr.resilient import ResiliencePolicy
from ehr.types import ClinicRef, Patient
from tests.ehr_contract.harness import (CLINIC_NAME, CLINIC_TZ, MARIA, MARIA_APPOINTMENT_REASON,
                                        MARIA_APPOINTMENT_START, OKAFOR, RIVERA, WEEK, BackendContext, ForeignIds,
                                        fixed_clock)
from tests.ehr_contract.standins.drchrono import DrChronoStandIn
from voice_agent.ehr_registry import build_adapter, wrap_adapter

# Short enough that the outage tests take seconds, long enough for a loaded machine.
TEST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=1.0, attempt_timeout=0.6,
                         budget=1.8)
TEST_RESILIENCE = ResiliencePolicy(call_timeout=2.5, cache_ttl=20.0, use_breaker=True)


@dataclass
class MemorySink:
    """The credentials store, in memory (production: the encrypted clinic record)."""
    saved: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def save(self, clinic_id: str, credentials: Mapping[str, Any]) -> None:
        self.saved[clinic_id] = dict(credentials)

    async def load(self, clinic_id: str) -> Mapping[str, Any] | None:
        return self.saved.get(clinic_id)


@dataclass
class DrChronoBackend:
    name: str
    adapter: EHRAdapter
    clinic: ClinicRef
    provider_ids: dict[str, str]
    maria: Patient
    foreign: ForeignIds | None
    standin: DrChronoStandIn
    sink: MemorySink
    credentials: dict[str, Any]

    @contextlib.asynccontextmanager
    async def outage(self, kind: Literal["down", "timeout"]) -> AsyncIterator[None]:
        self.standin.mode = kind
        try:
            yield
        finally:
            self.standin.mode = "up"


def seed(standin: DrChronoStandIn) -> dict[str, Any]:
    """The seeded world in practice "contract", and a second practice "other" (the foreign ids)."""
    standin.add_practice("contract")
    rivera = standin.add_doctor("contract", RIVERA.first_name, RIVERA.last_name, RIVERA.specialty)
    okafor = standin.add_doctor("contract", OKAFOR.first_name, OKAFOR.last_name, OKAFOR.specialty)
    standin.add_office("contract", rivera["id"])
    maria = standin.add_patient("contract", first_name=MARIA.first_name, last_name=MARIA.last_name,
                                date_of_birth=MARIA.date_of_birth.isoformat(), cell_phone="(555) 555-0101",
                                doctor=rivera["id"])
    standin.add_appointment("contract", doctor=rivera["id"], patient=maria["id"],
                            scheduled_time=MARIA_APPOINTMENT_START.replace(tzinfo=None).isoformat(),
                            duration=RIVERA.duration, reason=MARIA_APPOINTMENT_REASON)
    standin.add_practice("other")
    o_doc = standin.add_doctor("other", "Olga", "Other", "Family Medicine")
    o_pat = standin.add_patient("other", first_name="Oscar", last_name="Other", date_of_birth="1970-01-01",
                                doctor=o_doc["id"])
    o_appt = standin.add_appointment("other", doctor=o_doc["id"], patient=o_pat["id"],
                                     scheduled_time="2026-12-02T09:00:00", duration=30)
    client_id, secret = standin.register_client()
    return {"rivera": str(rivera["id"]), "okafor": str(okafor["id"]), "maria": maria,
            "foreign": ForeignIds(o_appt["id"], str(o_pat["id"]), str(o_doc["id"])),
            "credentials": {"client_id": client_id, "client_secret": secret,
                            "refresh_token": standin.grant(client_id, "contract"),
                            "webhook_secret": "whsec-" + secret[:12]}}


def options_for(standin: DrChronoStandIn, world: dict[str, Any]) -> dict[str, Any]:
    return {"base_url": standin.url, "durations": {world["rivera"]: RIVERA.duration, world["okafor"]: OKAFOR.duration}}


async def adapter_for(standin: DrChronoStandIn, world: dict[str, Any], clinic: ClinicRef, sink: MemorySink,
                      http, *, policy: ResiliencePolicy = TEST_RESILIENCE, cache=None) -> EHRAdapter:
    ctx = FactoryContext(clinic=clinic, credentials=world["credentials"], options=options_for(standin, world),
                         business_hours=WEEK, http=http, credentials_sink=sink, now=fixed_clock)
    raw = await build_adapter("drchrono", ctx)
    return wrap_adapter("drchrono", raw, policy=policy,
                        cache=cache if cache is not None else MemoryAvailabilityCache())


@contextlib.asynccontextmanager
async def make_backend(ctx: BackendContext) -> AsyncIterator[DrChronoBackend]:
    standin = DrChronoStandIn().start()
    try:
        world = seed(standin)
        clinic = ClinicRef("drchrono-contract-clinic", CLINIC_TZ, CLINIC_NAME)
        sink = MemorySink()
        async with retrying_client(policy=TEST_RETRY) as http:
            adapter = await adapter_for(standin, world, clinic, sink, http)
            m = world["maria"]
            maria = Patient(str(m["id"]), clinic.id, MARIA.first_name, MARIA.last_name, MARIA.date_of_birth,
                            MARIA.phone)
            yield DrChronoBackend("drchrono", adapter, clinic, {"rivera": world["rivera"], "okafor": world["okafor"]},
                                  maria, world["foreign"], standin, sink, world["credentials"])
    finally:
        standin.stop()
