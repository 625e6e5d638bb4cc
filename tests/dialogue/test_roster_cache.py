"""The roster is read at most once a minute, and a calendar that stops answering leaves the last one."""
from __future__ import annotations

import pytest

from dialogue.ports import Clinic
from dialogue.roster_cache import RosterCache
from ehr.errors import Unavailable
from ehr.types import Provider

CLINIC = Clinic(id="c1", name="Lakeside", slug="lakeside", timezone="America/Chicago", status="ACTIVE")


class Calendar:
    def __init__(self) -> None:
        self.calls, self.down = 0, False

    async def list_providers(self, clinic):
        self.calls += 1
        if self.down:
            raise Unavailable("calendar down")
        return [Provider(id=f"p{self.calls}", clinic_id="c1", first_name="Priya", last_name="Raman", title="Dr.",
                         specialty="Cardiology", default_appointment_duration=20, accepting_new_patients=True)]


@pytest.mark.asyncio
async def test_read_once_per_ttl_then_again():
    now = [0.0]
    calendar = Calendar()
    cache = RosterCache(calendar, ttl=60, monotonic=lambda: now[0])
    first = await cache.get(CLINIC)
    now[0] = 59
    assert await cache.get(CLINIC) == first and calendar.calls == 1
    now[0] = 61
    assert (await cache.get(CLINIC))[0].id == "p2"


@pytest.mark.asyncio
async def test_calendar_down_gives_the_last_roster_seen_or_none():
    now = [0.0]
    calendar = Calendar()
    cache = RosterCache(calendar, ttl=60, monotonic=lambda: now[0])
    calendar.down = True
    assert await cache.get_or_last(CLINIC) == ([], False)
    calendar.down = False
    roster, up = await cache.get_or_last(CLINIC)
    assert up and roster[0].last_name == "Raman"
    calendar.down, now[0] = True, 3600
    assert await cache.get_or_last(CLINIC) == (roster, False)
    assert cache.last("another-clinic") == []
