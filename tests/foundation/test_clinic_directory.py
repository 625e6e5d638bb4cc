"""The clinic directory's in-process cache: a suspension is seen by new requests within a second,
and neither clinics nor names that match no clinic (a slug typed at random, a scan) make a
process grow without bound."""
from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime

import httpx

from storage.clinics import ClinicRepository
from tests.channels.conftest import build_app
from voice_agent.directory import ClinicDirectoryRepository

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")
SUSPENDED_WITHIN_S = 1.5


class CountingClinics(ClinicRepository):
    """The real repository, counting the lookups that reach PostgreSQL."""
    lookups = 0

    async def by_slug(self, slug: str):
        self.lookups += 1
        return await super().by_slug(slug)


async def test_a_suspended_clinics_web_chat_is_gone_within_a_second(make_clinic, settings, pool, redis, services):
    clinic = await make_clinic()
    app, _ = build_app(settings, pool, redis, NOW)
    slug = clinic.data["slug"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://receptionist.test") as c:
        assert (await c.get(f"/chat/{slug}")).status_code == 200
        await services.clinics.set_status(clinic.id, "SUSPENDED")     # what `voice-agent clinic suspend` does
        suspended = time.monotonic()
        while (r := await c.get(f"/chat/{slug}")).status_code == 200 and time.monotonic() - suspended < 40:
            await asyncio.sleep(0.1)
        took = time.monotonic() - suspended
        assert r.status_code == 404, r.text
        assert took < SUSPENDED_WITHIN_S, f"the suspended clinic's chat page was served for {took:.1f} s"
        await services.clinics.set_status(clinic.id, "ACTIVE")
        await asyncio.sleep(SUSPENDED_WITHIN_S)
        assert (await c.get(f"/chat/{slug}")).status_code == 200     # and back on reactivation


async def test_unknown_slugs_are_cached_briefly_and_boundedly(pool):
    clinics = CountingClinics(pool)
    directory = ClinicDirectoryRepository(clinics, max_clinics=10, max_misses=50)
    for _ in range(300):
        assert await directory.by_slug(f"nobody-{uuid.uuid4().hex}") is None
    assert directory.cached_misses() <= 50
    again = "nobody-twice"
    await directory.by_slug(again)
    before = clinics.lookups
    await directory.by_slug(again)                         # asked again within a second: no second query
    assert clinics.lookups == before


async def test_the_clinic_cache_keeps_the_most_recently_used_within_its_limit(make_clinic, pool):
    made = [await make_clinic() for _ in range(5)]
    clinics = CountingClinics(pool)
    directory = ClinicDirectoryRepository(clinics, max_clinics=3, max_misses=10)
    for c in made:
        assert (await directory.by_slug(c.data["slug"])).id == c.id
    assert directory.cached_clinics() <= 3
    before = clinics.lookups
    await directory.by_slug(made[-1].data["slug"])          # recent: from the cache
    assert clinics.lookups == before
    await directory.by_slug(made[0].data["slug"])           # evicted: asked again
    assert clinics.lookups == before + 1
