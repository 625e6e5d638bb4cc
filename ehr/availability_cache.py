"""A short cache of availability answers (find_slots / next_slots) per clinic.

A vendor's calendar is slow and rate-limited, and a conversation asks for free time several times
in a minute. Answers are kept `ttl` seconds at most and dropped for the whole clinic on any write
through the receptionist (book, cancel, reschedule) and on an EHR webhook saying the schedule
changed. `storage.ehr_cache.RedisAvailabilityCache` is the production one (shared by every process:
a webhook received by one worker clears it for all); `MemoryAvailabilityCache` serves tests and a
single process.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Protocol


class AvailabilityCache(Protocol):
    async def get(self, clinic_id: str, key: str) -> str | None: ...

    async def put(self, clinic_id: str, key: str, value: str, ttl: float) -> None: ...

    async def invalidate(self, clinic_id: str) -> None:
        """Forget every cached answer of this clinic."""


class MemoryAvailabilityCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 5000) -> None:
        self._clock, self._max = clock, max_entries
        self._items: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()

    async def get(self, clinic_id: str, key: str) -> str | None:
        hit = self._items.get((clinic_id, key))
        if hit is None or hit[0] <= self._clock():
            return None
        return hit[1]

    async def put(self, clinic_id: str, key: str, value: str, ttl: float) -> None:
        self._items[(clinic_id, key)] = (self._clock() + ttl, value)
        self._items.move_to_end((clinic_id, key))
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    async def invalidate(self, clinic_id: str) -> None:
        for k in [k for k in self._items if k[0] == clinic_id]:
            del self._items[k]
