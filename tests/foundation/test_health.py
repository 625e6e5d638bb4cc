"""Health, metrics and the OpenAPI document."""
from __future__ import annotations

import httpx

from storage.redis_client import open_redis
from tests.conftest import ADMIN_TOKEN
from voice_agent.app import create_app
from voice_agent.services import Services


async def test_ready_ok(client):
    r = await client.get("/health/ready")
    assert r.status_code == 200 and r.json()["checks"] == {"postgres": "ok", "redis": "ok"}
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/health/live")).status_code == 200


async def test_ready_503_names_redis_when_unreachable(settings, pool):
    dead = open_redis("redis://127.0.0.1:1/0")
    app = create_app(settings, Services.build(settings, pool, dead))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as c:
        r = await c.get("/health/ready")
    await dead.aclose()
    assert r.status_code == 503
    body = r.json()
    assert body["error"]["code"] == "service_unavailable"
    assert "redis" in body["error"]["message"] and body["error"]["down"] == ["redis"]


async def test_detailed_requires_admin_token(client):
    assert (await client.get("/health/detailed")).status_code == 401
    r = await client.get("/health/detailed", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    r = await client.get("/health/detailed", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert r.status_code == 200
    body = r.json()
    assert body["migration_version"] >= 1 and body["pool"]["pool_max"] == 40 and "psycopg" in body["versions"]


async def test_metrics_use_route_templates(client, make_clinic):
    clinic = await make_clinic()
    await client.get("/api/v1/clinic", headers=clinic.headers)
    text = (await client.get("/metrics")).text
    assert 'receptionist_requests_total{method="GET",route="/api/v1/clinic",status="200"}' in text
    assert "receptionist_request_duration_seconds_bucket" in text
    assert clinic.id not in text


async def test_unknown_route_is_json_404(client):
    r = await client.get("/no/such/thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_openapi_lists_routes(client):
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    for path in ("/health/ready", "/api/v1/clinic", "/metrics"):
        assert path in spec["paths"]
