"""Each clinic's provider list, read from its calendar at most once a minute.

Every turn needs the roster (understanding, safety's allow-list, the reply's provider name), and
a calendar that cannot list its providers must never stand between a patient in crisis and the
help lines: when the calendar does not answer, the last roster seen (however old) is used.
"""
from __future__ import annotations

import logging
import time as clock
from typing import Callable

from dialogue.ports import Clinic
from ehr.errors import Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import ClinicRef, Provider

log = logging.getLogger("dialogue.engine")
ROSTER_SECONDS = 60.0


class RosterCache:
    def __init__(self, calendar: EHRAdapter, *, ttl: float = ROSTER_SECONDS,
                 monotonic: Callable[[], float] = clock.monotonic) -> None:
        self.calendar, self.ttl, self.monotonic = calendar, ttl, monotonic
        self._seen: dict[str, tuple[float, list[Provider]]] = {}

    async def get(self, clinic: Clinic) -> list[Provider]:
        """The roster, from the calendar when the one held is older than the ttl."""
        hit = self._seen.get(clinic.id)
        if hit and self.monotonic() - hit[0] < self.ttl:
            return hit[1]
        providers = await self.calendar.list_providers(ClinicRef(clinic.id, clinic.timezone, clinic.name))
        self._seen[clinic.id] = (self.monotonic(), providers)
        return providers

    async def get_or_last(self, clinic: Clinic) -> tuple[list[Provider], bool]:
        """The roster and whether the calendar answered; when it did not, the last roster seen or none."""
        try:
            return await self.get(clinic), True
        except Exception as exc:
            if not isinstance(exc, Unavailable):
                log.warning("roster unavailable", extra={"event": "roster_unavailable",
                                                         "error_type": type(exc).__name__})
            return self.last(clinic.id), False

    def last(self, clinic_id: str) -> list[Provider]:
        """The last roster seen for the clinic, without asking the calendar (empty if never read)."""
        hit = self._seen.get(clinic_id)
        return hit[1] if hit else []
