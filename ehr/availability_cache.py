"""A short cache of availability answers (find_slots / next_slots) per clinic.

A vendor's calendar is slow and rate-limited, and a conversation asks for free time several times
in a minute. Answers are kept `ttl` seconds at most and dropped for the whole clinic on any write
through the receptionist (book, cancel, reschedule) and on an EHR webhook saying the schedule
changed. Dropping bumps the clinic's *generation*; a reader takes the generation before it asks the
EHR and stores its answer under that generation, so an answer computed before a booking and stored
after it is never read again. `storage.ehr_cache.RedisAvailabilityCache` is the production one
(shared by every process: a webhook received by one worker clears it for all);
`MemoryAvailabilityCache` serves tests and a single process.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Protocol


class AvailabilityCache(Protocol):
    async def generation(self, clinic_id: str) -> str: ...

    async def get(self, clinic_id: str, generation: str, key: str) -> str | None: ...

    async def put(self, clinic_id: str, generation: str, key: str, value: str, ttl: float) -> None: ...

    async def invalidate(self, clinic_id: str) -> None:
        """Forget every cached answer of this clinic."""


class MemoryAvailabilityCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 5000) -> None:
        self._clock, self._max = clock, max_entries
        self._items: OrderedDict[tuple[str, str, str], tuple[float, str]] = OrderedDict()
        self._generations: dict[str, int] = {}

    async def generation(self, clinic_id: str) -> str:
        return str(self._generations.get(clinic_id, 0))

    async def get(self, clinic_id: str, generation: str, key: str) -> str | None:
        hit = self._items.get((clinic_id, generation, key))
        if hit is None or hit[0] <= self._clock():
            return None
        return hit[1]

    async def put(self, clinic_id: str, generation: str, key: str, value: str, ttl: float) -> None:
        k = (clinic_id, generation, key)
        self._items[k] = (self._clock() + ttl, value)
        self._items.move_to_end(k)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    async def invalidate(self, clinic_id: str) -> None:
        self._generations[clinic_id] = self._generations.get(clinic_id, 0) + 1
        for k in [k for k in self._items if k[0] == clinic_id]:
            del self._items[k]
