"""Health endpoints (seed section 10.1): liveness, readiness (PostgreSQL and Redis; 503 "draining"
once SIGTERM asked the process to stop), and details."""
from __future__ import annotations

import asyncio
import hmac
import platform
from functools import partial
from importlib.metadata import version

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from channels.voice.draining import CallDrain
from safety.readiness import model_status
from storage.migrate import current_version
from voice_agent.web.errors import json_error
from voice_agent.services import Services

CHECK_TIMEOUT = 2.0


async def check_postgres(services: Services) -> str | None:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            async with services.pool.connection(timeout=CHECK_TIMEOUT) as conn:
                await conn.execute("SELECT 1")
        return None
    except Exception as exc:
        return type(exc).__name__


async def check_redis(services: Services) -> str | None:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await services.redis.ping()
        return None
    except Exception as exc:
        return type(exc).__name__


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def live(request: Request) -> JSONResponse:
    return JSONResponse({"status": "alive"})


async def ready(services: Services, drain: CallDrain, request: Request) -> JSONResponse:
    if drain.draining:      # SIGTERM: a load balancer should send new work elsewhere
        return json_error(503, "service_unavailable", "Shutting down.", extra={"draining": True})
    pg, rd = await asyncio.gather(check_postgres(services), check_redis(services))
    checks = {"postgres": "ok" if pg is None else "down", "redis": "ok" if rd is None else "down"}
    down = [name for name, state in checks.items() if state != "ok"]
    if down:
        return json_error(503, "service_unavailable", f"Not ready: {', '.join(down)} unreachable.",
                          extra={"checks": checks, "down": down})
    return JSONResponse({"status": "ready", "checks": checks})


def _admin_ok(request: Request, services: Services) -> bool:
    token = services.settings.admin_token
    if not token:
        return False
    auth = request.headers.get("authorization", "")
    presented = auth[7:] if auth.lower().startswith("bearer ") else request.headers.get("x-admin-token", "")
    return hmac.compare_digest(presented.encode(), token.encode())


async def detailed(services: Services, request: Request) -> JSONResponse:
    if not services.settings.admin_token:
        return json_error(403, "admin_disabled", "Set ADMIN_TOKEN to enable detailed health.")
    if not _admin_ok(request, services):
        return json_error(401, "admin_token_required", "A valid admin token is required (Authorization: Bearer).")
    pg, rd = await asyncio.gather(check_postgres(services), check_redis(services))
    migration = None
    if pg is None:
        async with services.pool.connection() as conn:
            migration = await current_version(conn)
    stats = services.pool.get_stats()
    models = {**await asyncio.to_thread(model_status), **services.voice.status()}
    healthy = pg is None and rd is None and all(state == "ok" for state in models.values())
    return JSONResponse({
        "status": "ok" if healthy else "degraded",
        "checks": {"postgres": pg or "ok", "redis": rd or "ok", **models},
        "versions": {"app": version("voice-agent"), "python": platform.python_version(),
                     "starlette": version("starlette"), "psycopg": version("psycopg"), "redis": version("redis")},
        "pool": {k: stats.get(k) for k in ("pool_min", "pool_max", "pool_size", "pool_available", "requests_waiting")},
        "migration_version": migration,
        "app_env": services.settings.app_env,
        "vendors": {"anthropic": bool(services.settings.anthropic_api_key),
                    "deepgram": bool(services.settings.deepgram_api_key),
                    "elevenlabs": bool(services.settings.elevenlabs_api_key),
                    "twilio": bool(services.settings.twilio_auth_token)},
    })


def routes(services: Services, drain: CallDrain) -> list[BaseRoute]:
    """`drain`: this process's calls; once SIGTERM asked it to stop, readiness answers 503 draining."""
    return [
        Route("/health", health, methods=["GET"]),
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", partial(ready, services, drain), methods=["GET"]),
        Route("/health/detailed", partial(detailed, services), methods=["GET"]),
    ]
