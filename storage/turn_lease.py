"""What a turn lock hands its holder, the refusal when it stays taken, and how a waiter paces itself."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Iterator


class TurnBusy(Exception):
    """Another turn of this conversation held its lock for the whole wait."""


@dataclass
class Lease:
    """A held turn lock. `fence` grows with each holder of one conversation (Redis); `lost` is set
    when the lock expired under its holder (renewal failed): its session write is then refused
    by the version check unless nobody else wrote meanwhile."""
    backend: str                 # "redis" or "postgres"
    name: str
    token: str = ""
    fence: int | None = None
    lost: bool = False
    renewal: Any = field(default=None, repr=False)      # the task keeping a Redis lock alive


def pauses(first: float = 0.005, most: float = 0.1) -> Iterator[float]:
    """Growing pauses between tries, with jitter so two waiters do not retry in step."""
    pause = first
    while True:
        yield pause * random.uniform(0.5, 1.0)
        pause = min(most, pause * 2)
