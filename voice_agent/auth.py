"""API-key authentication for /api/v1 (seed section 7.3).

401 when X-API-Key is missing; 403 when it is malformed or unknown, when the clinic is not
ACTIVE, or when X-Tenant-ID names another clinic (a UUID in any case or form is the same clinic);
429 for an address past the failed-key limit (voice_agent/auth_failures.py). The lookup result is
cached in Redis for five minutes under `receptionist:v1:auth:{key_hash}`; rotating a key or suspending a clinic deletes
that entry, so the change is seen on the very next request. Redis being down only costs a query.
"""
from __future__ import annotations

import json
import logging
import uuid

from starlette.types import ASGIApp, Receive, Scope, Send

from storage.keys import auth_key
from voice_agent.apikeys import hash_api_key, hashes_match, is_well_formed
from voice_agent.auth_failures import FailedKeyGuard
from voice_agent.context import ClinicContext, reset_current_clinic, set_current_clinic
from voice_agent.errors import json_error
from voice_agent.services import Services

log = logging.getLogger("voice_agent.auth")
AUTH_CACHE_SECONDS = 300


async def resolve_clinic(services: Services, key_hash: str) -> ClinicContext | None:
    try:
        cached = await services.redis.get(auth_key(key_hash))
        if cached:
            return ClinicContext.from_json(json.loads(cached))
    except Exception:  # Redis down: fall through to PostgreSQL.
        log.debug("auth cache unavailable")
    clinic = await services.clinics.by_key_hash(key_hash)
    if clinic is None:
        return None
    context = ClinicContext(
        id=clinic.id, name=clinic.name, slug=clinic.slug, timezone=clinic.timezone, status=clinic.status,
        rate_limit_tier=clinic.rate_limit_tier, rate_limit_rpm=clinic.rate_limit_rpm, key_hash=key_hash,
        ehr_provider=clinic.ehr_provider, settings=clinic.settings,
    )
    try:
        await services.redis.set(auth_key(key_hash), json.dumps(context.to_json()), ex=AUTH_CACHE_SECONDS)
    except Exception:
        log.debug("auth cache unavailable")
    return context


async def forget_key(services: Services, key_hash: str) -> None:
    """Drop a cached lookup at once (key rotated, clinic suspended or reactivated)."""
    await services.redis.delete(auth_key(key_hash))


def canonical_tenant(raw: str) -> str:
    """The clinic id as PostgreSQL writes it (lower-case, hyphenated) when `raw` is a UUID."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return raw


class AuthMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        api_key = headers.get(b"x-api-key", b"").decode("latin-1").strip()
        tenant_id = headers.get(b"x-tenant-id", b"").decode("latin-1").strip()
        if not api_key:
            await json_error(401, "missing_api_key", "The X-API-Key header is required.")(scope, receive, send)
            return
        services: Services = scope["app"].state.services
        guard: FailedKeyGuard = services.extras["auth_failures"]
        address = scope["client"][0] if scope.get("client") else "unknown"
        retry_after = await guard.retry_after(address)
        if retry_after is not None:
            log.info("auth refused", extra={"event": "auth_failures_blocked"})
            await json_error(429, "rate_limited", f"Too many invalid API keys from this address. Try again in "
                             f"{retry_after} seconds.", headers={"Retry-After": str(retry_after)})(scope, receive, send)
            return
        key_hash = hash_api_key(api_key) if is_well_formed(api_key) else None
        clinic = await resolve_clinic(services, key_hash) if key_hash else None
        if clinic is None or not hashes_match(clinic.key_hash, key_hash):
            log.info("auth refused", extra={"event": "auth_unknown_key"})
            await guard.record_failure(address)
            await json_error(403, "invalid_api_key", "The API key is not valid.")(scope, receive, send)
            return
        if clinic.status != "ACTIVE":
            log.info("auth refused", extra={"event": "auth_clinic_inactive"})
            await json_error(403, "clinic_inactive", "This clinic's account is not active.")(scope, receive, send)
            return
        if not tenant_id:
            await json_error(400, "missing_tenant_id", "The X-Tenant-ID header is required.")(scope, receive, send)
            return
        if canonical_tenant(tenant_id) != clinic.id:
            log.info("auth refused", extra={"event": "auth_tenant_mismatch"})
            await json_error(403, "tenant_mismatch", "X-Tenant-ID does not match this API key.")(scope, receive, send)
            return
        scope.setdefault("state", {})["clinic"] = clinic
        token = set_current_clinic(clinic)
        try:
            await self.app(scope, receive, send)
        finally:
            reset_current_clinic(token)
