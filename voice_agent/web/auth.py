"""API-key authentication for /api/v1 (seed section 7.3).

401 when X-API-Key is missing; 403 when it is malformed or unknown, when the clinic is not
ACTIVE, or when X-Tenant-ID names another clinic (a UUID in any case or form is the same clinic);
429 for an address past the failed-key limit (storage/auth_failures.py). Which clinic a key is
(storage/key_cache.py) and the failure count are handed in, so this layer needs no storage.
"""
from __future__ import annotations

import logging
import uuid
from typing import Awaitable, Callable, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from voice_agent.web.apikeys import hash_api_key, hashes_match, is_well_formed
from voice_agent.web.context import KeyHolder, reset_current_clinic, set_current_clinic
from voice_agent.web.errors import json_error

log = logging.getLogger("voice_agent.auth")

KeyLookup = Callable[[str], Awaitable[KeyHolder | None]]   # key hash -> its clinic, or None


class FailureGuard(Protocol):
    """Failed keys counted per client address (storage/auth_failures.py)."""

    async def retry_after(self, address: str) -> int | None: ...

    async def record_failure(self, address: str) -> None: ...


def canonical_tenant(raw: str) -> str:
    """The clinic id as PostgreSQL writes it (lower-case, hyphenated) when `raw` is a UUID."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return raw


class AuthMiddleware:
    def __init__(self, app: ASGIApp, lookup: KeyLookup, guard: FailureGuard) -> None:
        self.app, self.lookup, self.guard = app, lookup, guard

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
        guard = self.guard
        address = scope["client"][0] if scope.get("client") else "unknown"
        retry_after = await guard.retry_after(address)
        if retry_after is not None:
            log.info("auth refused", extra={"event": "auth_failures_blocked"})
            await json_error(429, "rate_limited", f"Too many invalid API keys from this address. Try again in "
                             f"{retry_after} seconds.", headers={"Retry-After": str(retry_after)})(scope, receive, send)
            return
        key_hash = hash_api_key(api_key) if is_well_formed(api_key) else None
        holder = await self.lookup(key_hash) if key_hash else None
        if holder is None or not hashes_match(holder.key_hash, key_hash):
            log.info("auth refused", extra={"event": "auth_unknown_key"})
            await guard.record_failure(address)
            await json_error(403, "invalid_api_key", "The API key is not valid.")(scope, receive, send)
            return
        clinic = holder.clinic
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
