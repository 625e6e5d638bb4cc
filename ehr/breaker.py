"""A circuit breaker per clinic and EHR: a vendor that keeps failing is not asked again for a while.

After `failure_threshold` consecutive failures the breaker opens: for `cooldown` seconds every call
raises `Unavailable` at once (a caller hears "I can't reach the schedule" in milliseconds instead of
after a timeout each turn). Then one probe call is let through (half-open): its success closes the
breaker, its failure opens it for another cool-down. State is per process and bounded (an LRU of
breakers); a breaker is a latency guard, not shared truth, so it does not need Redis.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from ehr.errors import Unavailable

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int = 5
    cooldown: float = 30.0          # seconds open before a probe is let through


class CircuitBreaker:
    def __init__(self, policy: BreakerPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy, self._clock = policy, clock
        self.state = CLOSED
        self.failures = 0
        self._opened_at = 0.0
        self._probe_out = False

    def before_call(self) -> None:
        """Raise Unavailable when open (or when the half-open probe is already out)."""
        if self.state == OPEN:
            if self._clock() - self._opened_at < self.policy.cooldown:
                raise Unavailable("the EHR is not answering (circuit open)")
            self.state, self._probe_out = HALF_OPEN, False
        if self.state == HALF_OPEN:
            if self._probe_out:
                raise Unavailable("the EHR is not answering (circuit half-open, probe in flight)")
            self._probe_out = True

    def success(self) -> None:
        self.state, self.failures, self._probe_out = CLOSED, 0, False

    def failure(self) -> None:
        self.failures += 1
        if self.state == HALF_OPEN or self.failures >= self.policy.failure_threshold:
            self.state, self._opened_at, self._probe_out = OPEN, self._clock(), False

    def release_probe(self) -> None:
        """The probe ended without a verdict (e.g. cancelled): let the next call probe instead."""
        self._probe_out = False


class BreakerBoard:
    """The breakers of one process, keyed by (EHR name, clinic id); at most `max_breakers` kept."""

    def __init__(self, policy: BreakerPolicy | None = None, clock: Callable[[], float] = time.monotonic,
                 max_breakers: int = 10_000) -> None:
        self.policy, self._clock, self._max = policy or BreakerPolicy(), clock, max_breakers
        self._breakers: OrderedDict[tuple[str, str], CircuitBreaker] = OrderedDict()

    def get(self, ehr: str, clinic_id: str) -> CircuitBreaker:
        key = (ehr, clinic_id)
        breaker = self._breakers.get(key)
        if breaker is None:
            breaker = self._breakers[key] = CircuitBreaker(self.policy, self._clock)
            while len(self._breakers) > self._max:
                self._breakers.popitem(last=False)
        else:
            self._breakers.move_to_end(key)
        return breaker
