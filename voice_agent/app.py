"""Assemble the Starlette application: services built once, middleware, and every route.

Each route module exports `routes(...)`, a factory of the routes given what they use (the channels
get a `ChannelDeps`, never this package); nothing here holds business rules.
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

from channels import chat_api, sms, webchat
from channels.voice import routes as voice_routes
from channels.voice.draining import CallDrain
from safety.readiness import load_models
from storage.db import new_pool
from storage.redis_client import open_redis
from storage.sessions import SessionRepository
from voice_agent import clinic_api, handoffs_api, health, scheduling_api, staff_page
from voice_agent import handoffs_openapi  # noqa: F401 (registers the handoff paths in /openapi.json)
from voice_agent import scheduling_openapi  # noqa: F401 (registers the scheduling paths in /openapi.json)
from voice_agent.graceful import GracefulShutdown
from voice_agent.services import Services
from voice_agent.staff_events import HandoffEvents
from voice_agent.web import openapi
from voice_agent.web.auth import AuthMiddleware
from voice_agent.web.body_limit import BodyLimitMiddleware
from voice_agent.web.errors import EXCEPTION_HANDLERS
from voice_agent.web.metrics import ACTIVE_SESSIONS, REGISTRY
from voice_agent.web.proxies import TrustedProxyMiddleware
from voice_agent.web.ratelimit import RateLimitMiddleware
from voice_agent.web.request_context import RequestContextMiddleware
from voice_agent.web.settings import Settings
from voice_agent.web.url_guard import NulInUrlMiddleware

log = logging.getLogger("voice_agent")


def metrics_route(services: Services) -> Route:
    async def metrics(request: Request) -> Response:
        try:   # conversations whose session has not expired; a cheap indexed count
            ACTIVE_SESSIONS.set(await SessionRepository(services.pool, services.redis).count_active())
        except Exception:
            log.warning("active session count unavailable", extra={"event": "metrics_sessions"})
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
    return Route("/metrics", metrics, methods=["GET"])


def openapi_route(settings: Settings) -> Route:
    async def openapi_json(request: Request) -> JSONResponse:
        return JSONResponse(openapi.build_spec(settings))
    return Route("/openapi.json", openapi_json, methods=["GET"])


async def index(request: Request) -> Response:
    return RedirectResponse("/health", status_code=307)


def api_routes(services: Services) -> list[BaseRoute]:
    """Routes under /api/v1: API key + tenant + rate limit on every one."""
    return [*clinic_api.routes(services.clinics), *chat_api.routes(services.channel_deps()),
            *scheduling_api.routes(services.ehr), *handoffs_api.routes(services.handoffs)]


def public_routes(services: Services, drain: CallDrain, events: HandoffEvents) -> list[BaseRoute]:
    """Routes that carry their own authentication (Twilio signatures, web-chat cookies, staff sign-in)."""
    deps = services.channel_deps()
    return [*sms.routes(deps), *webchat.routes(deps), *voice_routes.routes(services.voice_deps(drain)),
            *staff_page.routes(services.staff_deps(events))]


async def warm_up(services: Services) -> None:
    """The safety models (crisis classifier, name recogniser; required in production) and the
    recogniser's workers, made ready before the first message or call instead of during it."""
    await asyncio.gather(asyncio.to_thread(load_models, required=services.settings.is_production),
                         services.voice.warm_up())


def server_services(settings: Settings) -> Services:
    """The server's own services: a pool that is opened in the lifespan, and a Redis client."""
    return Services.build(settings, new_pool(settings.database_url, max_size=settings.db_pool_max),
                          open_redis(settings.redis_url))


def create_app(settings: Settings, services: Services | None = None, *, drain: CallDrain | None = None,
               graceful_shutdown: bool = False) -> Starlette:
    """Build the app and its services once. Tests pass ready-made services (and then own them).

    `drain`: this process's live calls (a new one by default), handed to the voice routes and the
    readiness check. `graceful_shutdown`: take over SIGTERM while the app runs, as `voice-agent
    serve` does (voice_agent/graceful.py): refuse new calls, let live ones finish, then stop."""
    owned = services is None
    svc = services if services is not None else server_services(settings)
    calls = drain if drain is not None else CallDrain()
    graceful = GracefulShutdown(calls, settings.shutdown_grace_seconds) if graceful_shutdown else None
    events = HandoffEvents(settings.database_url)      # this process's staff pages hear every instance

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if owned:
            # Not waiting: with PostgreSQL down the server still starts, /health/ready says 503
            # naming postgres, and the pool connects by itself once the database is back.
            await svc.pool.open(wait=False, timeout=svc.pool.timeout)
        try:
            await warm_up(svc)
            await events.start()
            if graceful is not None:
                graceful.install()
            yield
        finally:
            if graceful is not None:
                graceful.uninstall()
            await events.stop()
            await svc.engine.drain()       # confirmation texts still in flight
            await asyncio.to_thread(svc.voice.decoder_pool.shutdown)
            if owned:
                await svc.pool.close()
                await svc.redis.aclose()

    routes: list[BaseRoute] = [
        Route("/", index, methods=["GET"]),
        *health.routes(svc, calls),
        metrics_route(svc),
        openapi_route(settings),
        Mount("/api/v1", routes=api_routes(svc),
              middleware=[Middleware(AuthMiddleware, lookup=svc.clinic_keys.resolve, guard=svc.auth_failures),
                          Middleware(RateLimitMiddleware, limiter=svc.rate_limiter)]),
        *public_routes(svc, calls, events),
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
    return app
