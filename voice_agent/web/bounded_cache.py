"""A small in-process cache with a size limit (least recently used out first) and an age limit.

Process memory may hold only bounded caches (DESIGN): anything keyed by what a request names (a
slug, a phone number) must not grow with the number of different names asked for.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most `max_entries`, each for at most `seconds`."""

    def __init__(self, max_entries: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries, self.seconds, self._clock = max_entries, seconds, clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> tuple[bool, V | None]:
        """(True, value) for a fresh entry, else (False, None); a stale entry is dropped."""
        hit = self._entries.get(key)
        if hit is None:
            return False, None
        if self._clock() - hit[0] >= self.seconds:
            del self._entries[key]
            return False, None
        self._entries.move_to_end(key)
        return True, hit[1]

    def put(self, key: K, value: V) -> None:
        self._entries[key] = (self._clock(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def discard(self, key: K) -> None:
        self._entries.pop(key, None)
