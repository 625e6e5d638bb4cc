"""Guessing API keys is limited: failed key attempts are counted per client address in Redis and,
past AUTH_FAILURE_LIMIT (20) in AUTH_FAILURE_WINDOW (15 minutes), that address gets 429 with
Retry-After, even with a right key, until the window ends. Other addresses are not affected.
And X-Tenant-ID is a UUID however it is written: upper case is the same clinic."""
from __future__ import annotations

import uuid

import httpx


def address() -> str:
    n = uuid.uuid4().int
    return f"192.0.{n % 250}.{(n >> 8) % 250}"


def client_from(app, ip: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 4000)),
                             base_url="https://receptionist.test")


async def test_invalid_keys_from_one_address_are_limited(app, make_clinic, settings):
    clinic = await make_clinic()
    async with client_from(app, address()) as guesser, client_from(app, address()) as bystander:
        for i in range(20):
            key = "ar_live_" + uuid.uuid4().hex + "A" * 11 if i % 2 else "not-a-key"
            r = await guesser.get("/api/v1/clinic", headers={"X-API-Key": key, "X-Tenant-ID": clinic.id})
            assert r.status_code == 403 and r.json()["error"]["code"] == "invalid_api_key", (i, r.text)
        r = await guesser.get("/api/v1/clinic", headers={"X-API-Key": "ar_live_" + "B" * 43, "X-Tenant-ID": clinic.id})
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert 800 <= int(r.headers["retry-after"]) <= 900
        assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
        # during the block a right key is not told apart from a wrong one
        r = await guesser.get("/api/v1/clinic", headers=clinic.headers)
        assert r.status_code == 429
        r = await guesser.post("/api/v1/chat", headers=clinic.headers, json={"message": "hi"})
        assert r.status_code == 429
        assert (await bystander.get("/api/v1/clinic", headers=clinic.headers)).status_code == 200
    assert settings.auth_failure_limit == 20 and settings.auth_failure_window == 900     # the documented defaults


async def test_good_keys_and_missing_keys_are_not_counted(app, make_clinic):
    clinic = await make_clinic(tier="unlimited")
    async with client_from(app, address()) as c:
        for _ in range(25):
            assert (await c.get("/api/v1/clinic", headers=clinic.headers)).status_code == 200
            assert (await c.get("/api/v1/clinic")).status_code == 401
            r = await c.get("/api/v1/clinic", headers={**clinic.headers, "X-Tenant-ID": str(uuid.uuid4())})
            assert r.status_code == 403 and r.json()["error"]["code"] == "tenant_mismatch"
        assert (await c.get("/api/v1/clinic", headers=clinic.headers)).status_code == 200


async def test_an_upper_case_tenant_id_is_the_same_clinic(client, make_clinic):
    clinic = await make_clinic()
    for tenant in (clinic.id.upper(), f" {clinic.id.upper()} ", clinic.id.replace("-", "")):
        r = await client.get("/api/v1/clinic", headers={"X-API-Key": clinic.api_key, "X-Tenant-ID": tenant})
        assert r.status_code == 200 and r.json()["id"] == clinic.id, (tenant, r.text)
    other = await make_clinic()
    r = await client.get("/api/v1/clinic", headers={"X-API-Key": clinic.api_key, "X-Tenant-ID": other.id.upper()})
    assert r.status_code == 403 and r.json()["error"]["code"] == "tenant_mismatch"
