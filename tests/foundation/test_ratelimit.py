"""Rate limits per clinic: headers, 429 with Retry-After, atomic under concurrency, fail-open."""
from __future__ import annotations

import asyncio

import httpx

from storage.redis_client import open_redis
from voice_agent.app import create_app
from voice_agent.services import Services


async def test_free_tier_eleventh_request_is_429(client, make_clinic):
    clinic = await make_clinic(tier="free")
    for i in range(10):
        r = await client.get("/api/v1/clinic", headers=clinic.headers)
        assert r.status_code == 200, i
        assert r.headers["x-ratelimit-limit"] == "10"
        assert r.headers["x-ratelimit-remaining"] == str(9 - i)
        assert int(r.headers["x-ratelimit-reset"]) > 0
    r = await client.get("/api/v1/clinic", headers=clinic.headers)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["retry-after"]) <= 60


async def test_concurrent_requests_never_exceed_limit(client, make_clinic):
    clinic = await make_clinic(tier="free")
    responses = await asyncio.gather(*(client.get("/api/v1/clinic", headers=clinic.headers) for _ in range(50)))
    codes = [r.status_code for r in responses]
    assert codes.count(200) == 10
    assert codes.count(429) == 40


async def test_redis_down_requests_still_succeed(settings, pool, make_clinic):
    clinic = await make_clinic(tier="free")
    dead = open_redis("redis://127.0.0.1:1/0")  # nothing listens there
    app = create_app(settings, Services.build(settings, pool, dead))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as c:
        for _ in range(15):  # beyond the free tier's 10: the limiter fails open
            r = await c.get("/api/v1/clinic", headers=clinic.headers)
            assert r.status_code == 200
            assert "x-ratelimit-limit" not in r.headers
    await dead.aclose()
