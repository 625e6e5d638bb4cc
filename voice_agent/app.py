"""Assemble the Starlette application: services at start-up, middleware, and every route.

Route modules export `routes` (and optionally `api_routes` for the authenticated /api/v1 mount);
nothing here holds business rules.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from storage.db import open_pool
from storage.redis_client import open_redis
from safety.readiness import load_models
from storage.sessions import SessionRepository
from channels import chat_api, sms, webchat
from channels.voice import media as voice_media, routes as voice_routes
from channels.voice.draining import CallDrain
from voice_agent import clinic_api, health, openapi, scheduling_api
from voice_agent import scheduling_openapi  # noqa: F401 (registers the scheduling paths in /openapi.json)
from voice_agent.auth import AuthMiddleware
from voice_agent.auth_failures import FailedKeyGuard
from voice_agent.body_limit import BodyLimitMiddleware
from voice_agent.errors import EXCEPTION_HANDLERS
from voice_agent.metrics import ACTIVE_SESSIONS, REGISTRY
from voice_agent.proxies import TrustedProxyMiddleware
from voice_agent.ratelimit import RateLimiter, RateLimitMiddleware
from voice_agent.request_context import RequestContextMiddleware
from voice_agent.services import Services
from voice_agent.settings import Settings
from voice_agent.url_guard import NulInUrlMiddleware

log = logging.getLogger("voice_agent")


async def metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    try:   # conversations whose session has not expired; a cheap indexed count
        ACTIVE_SESSIONS.set(await SessionRepository(services.pool, services.redis).count_active())
    except Exception:
        log.warning("active session count unavailable", extra={"event": "metrics_sessions"})
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(openapi.build_spec(request.app.state.services.settings))


async def index(request: Request) -> Response:
    return RedirectResponse("/health", status_code=307)


def api_routes() -> list[BaseRoute]:
    """Routes under /api/v1: API key + tenant + rate limit on every one."""
    return [*clinic_api.routes, *chat_api.routes, *scheduling_api.routes]


def public_routes() -> list[BaseRoute]:
    """Routes that carry their own authentication (Twilio signatures, web-chat cookies)."""
    return [*sms.routes, *webchat.routes, *voice_routes.routes]


async def warm_up(services: Services) -> None:
    """The safety models (crisis classifier, name recogniser; required in production) and the
    recogniser's workers, made ready before the first message or call instead of during it."""
    await asyncio.gather(asyncio.to_thread(load_models, required=services.settings.is_production),
                         voice_media.warm_up(services))


def install_limiters(services: Services) -> None:
    """The per-clinic / per-IP rate limiter and the failed-key guard, once per Services."""
    settings = services.settings
    services.extras.setdefault("rate_limiter", RateLimiter(services.redis, settings.rate_limit_window))
    services.extras.setdefault("auth_failures", FailedKeyGuard(services.redis, settings.secret_key,
                                                               settings.auth_failure_limit,
                                                               settings.auth_failure_window))


def create_app(settings: Settings, services: Services | None = None) -> Starlette:
    """Build the app. Tests may pass ready-made services; otherwise they are opened in the lifespan."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = services is None
        svc = services
        if svc is None:
            # Not waiting: with PostgreSQL down the server still starts, /health/ready says 503
            # naming postgres, and the pool connects by itself once the database is back.
            pool = await open_pool(settings.database_url, max_size=settings.db_pool_max, wait=False)
            svc = Services.build(settings, pool, open_redis(settings.redis_url))
        install_limiters(svc)
        app.state.services = svc
        try:
            await warm_up(svc)
            for hook in svc.extras.get("startup_hooks", []):
                await hook(svc)
            yield
        finally:
            if "engine" in svc.extras:
                await svc.extras["engine"].drain()       # confirmation texts still in flight
            if "voice_decoder_pool" in svc.extras:
                await asyncio.to_thread(svc.extras["voice_decoder_pool"].shutdown)
            for hook in svc.extras.get("shutdown_hooks", []):
                await hook(svc)
            if owned:
                await svc.pool.close()
                await svc.redis.aclose()

    routes: list[BaseRoute] = [
        Route("/", index, methods=["GET"]),
        *health.routes,
        Route("/metrics", metrics, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Mount("/api/v1", routes=api_routes(),
              middleware=[Middleware(AuthMiddleware), Middleware(RateLimitMiddleware)]),
        *public_routes(),
    ]
    middleware = [Middleware(TrustedProxyMiddleware, trusted=settings.trusted_proxies,
                             client_ip_header=settings.client_ip_header),
                  Middleware(RequestContextMiddleware), Middleware(NulInUrlMiddleware), Middleware(BodyLimitMiddleware)]
    if settings.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                     allow_methods=["GET", "POST", "OPTIONS"],
                                     allow_headers=["X-API-Key", "X-Tenant-ID", "X-Request-ID", "Content-Type",
                                                    "Idempotency-Key"]))
    app = Starlette(debug=False, routes=routes, middleware=middleware,
                    exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
    app.state.call_drain = CallDrain()           # live calls; SIGTERM drains them (voice_agent/graceful.py)
    if services is not None:
        install_limiters(services)
        app.state.services = services
    return app
