"""What the vendor backends (backend_epic.py, backend_cerner.py, backend_google.py) share: the
`Backend` record, and the httpx client production gives an adapter (retrying transport) with
timeouts short enough for the contract's outage bound."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import httpx

from ehr.availability_cache import MemoryAvailabilityCache
from ehr.http_retry import RetryingTransport, RetryPolicy
from ehr.protocol import EHRAdapter
from ehr.resilient import ResiliencePolicy
from ehr.types import ClinicRef, Patient
from tests.ehr_contract.harness import ForeignIds
from tests.ehr_contract.standins.loopback import Faults
from voice_agent.ehr_registry import wrap_adapter

CALL_TIMEOUT = 3.0
# As production wraps a vendor: deadline, breaker and availability cache (tests/ehr_contract/harness.py).
POLICY = ResiliencePolicy(call_timeout=CALL_TIMEOUT, cache_ttl=20.0, use_breaker=True)


def wrapped(name: str, inner: EHRAdapter) -> EHRAdapter:
    return wrap_adapter(name, inner, policy=POLICY, cache=MemoryAvailabilityCache())


def vendor_http(attempt_timeout: float = 1.0, budget: float = 2.5, sleep=None) -> httpx.AsyncClient:
    """The client the composition root would pass, tuned for tests (short attempts, short waits)."""
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=2.0,
                         attempt_timeout=attempt_timeout, budget=budget)
    kwargs = {"sleep": sleep} if sleep is not None else {}
    return httpx.AsyncClient(transport=RetryingTransport(httpx.AsyncHTTPTransport(), policy, **kwargs),
                             timeout=httpx.Timeout(attempt_timeout + 0.5))


@dataclass
class VendorBackend:
    name: str
    adapter: EHRAdapter
    clinic: ClinicRef
    provider_ids: dict[str, str]
    maria: Patient
    foreign: ForeignIds | None
    faults: Faults
    inner: Any = None          # the unwrapped adapter (fault tests look at its token source)
    standin: Any = None

    def outage(self, kind: Literal["down", "timeout"]):
        return self.faults.outage(kind)
