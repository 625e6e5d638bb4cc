"""EHR webhooks over HTTP: /webhooks/drchrono/{clinic_id} (GET: DrChrono's verification handshake;
POST: deliveries). The checks live in ehr/drchrono/webhooks.py; this route finds the clinic's
webhook secret, refuses forged deliveries (401), answers a replayed delivery id once only (by
`X-drchrono-delivery`, remembered in Redis for a week), and on an appointment event drops the
clinic's cached free time, so a slot taken in DrChrono is not offered by the receptionist.
"""
from __future__ import annotations

import logging
import uuid
from functools import partial

import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ehr.availability_cache import AvailabilityCache
from ehr.drchrono import webhooks as W
from storage.ehr_credentials import EHRCredentialStore

log = logging.getLogger("voice_agent.ehr_webhooks")
SEEN_SECONDS = 7 * 86_400          # DrChrono redelivers for up to 7 hours, and by hand later


class SecretUnreadable(Exception):
    """The clinic's webhook secret cannot be read right now: 503, and DrChrono delivers again later."""


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _secret(store: EHRCredentialStore, clinic_id: str) -> str | None:
    try:
        uuid.UUID(clinic_id)
    except ValueError:
        return None
    try:
        record = await store.clinic_ehr(clinic_id)
    except Exception as exc:      # database down, or a key missing from EHR_CREDENTIALS_KEYS
        log.warning("webhook secret unreadable", extra={"event": "ehr_webhook_secret_unreadable",
                                                        "error_type": type(exc).__name__})
        raise SecretUnreadable() from None
    if record is None or record.provider != "drchrono" or not record.credentials:
        return None
    secret = record.credentials.get("webhook_secret")
    return str(secret) if secret else None


async def verify(store: EHRCredentialStore, request: Request) -> JSONResponse:
    msg = request.query_params.get("msg")
    if not msg:
        return _error(400, "bad_request", "msg is required")
    try:
        secret = await _secret(store, request.path_params["clinic_id"])
    except SecretUnreadable:
        return _error(503, "unavailable", "Try again later.")
    if secret is None:
        return _error(404, "not_found", "No DrChrono webhook for this clinic.")
    return JSONResponse(W.verification_answer(secret, msg))


async def deliver(store: EHRCredentialStore, cache: AvailabilityCache, redis: aioredis.Redis,
                  request: Request) -> JSONResponse:
    clinic_id = request.path_params["clinic_id"]
    body = await request.body()
    try:
        secret = await _secret(store, clinic_id)
    except SecretUnreadable:
        return _error(503, "unavailable", "Try again later.")
    if secret is None:
        return _error(404, "not_found", "No DrChrono webhook for this clinic.")
    if not W.signature_ok(secret, request.headers.get("x-drchrono-signature"), body):
        log.warning("forged or unsigned DrChrono delivery", extra={"event": "ehr_webhook_forged"})
        return _error(401, "bad_signature", "The signature does not match.")
    try:
        delivery = W.parse_delivery(request.headers, body)
    except W.BadDelivery as exc:
        return _error(400, "bad_request", str(exc))
    try:
        first = await redis.set(f"ehr:webhook:drchrono:{clinic_id}:{delivery.delivery_id}", "1",
                                nx=True, ex=SEEN_SECONDS)
    except Exception:     # Redis down: handle it anyway; dropping a cache twice is harmless
        first = True
    if not first:
        return JSONResponse({"status": "duplicate"})
    if delivery.changes_schedule:
        await cache.invalidate(clinic_id)
    log.info("DrChrono delivery", extra={"event": "ehr_webhook", "ehr_event": delivery.event,
                                         "delivery_id": delivery.delivery_id[:64]})
    return JSONResponse({"status": "ok"})


def routes(store: EHRCredentialStore, cache: AvailabilityCache, redis: aioredis.Redis) -> list[BaseRoute]:
    return [Route("/webhooks/drchrono/{clinic_id}", partial(verify, store), methods=["GET"]),
            Route("/webhooks/drchrono/{clinic_id}", partial(deliver, store, cache, redis), methods=["POST"])]
