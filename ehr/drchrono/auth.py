"""DrChrono OAuth2: access tokens that last 48 hours, refreshed with a refresh token that ROTATES.

Each refresh returns a new refresh token and invalidates the old one, so the new one must be stored
(encrypted, through `CredentialsSink`) before the access token is used; a refresh token kept only in
memory is lost on restart and the practice would have to authorise the app again. Refreshes are
serialised per clinic in this process; another process may have rotated the token meanwhile, so an
`invalid_grant` reloads the stored credentials once and tries their refresh token.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import httpx

from ehr.errors import AuthFailed, Unavailable
from ehr.registry import CredentialsSink

log = logging.getLogger("ehr.drchrono")
EARLY_REFRESH_SECONDS = 300     # refresh this long before the access token expires


@dataclass
class TokenState:
    client_id: str
    client_secret: str
    refresh_token: str
    access_token: str | None = None
    expires_at: float = 0.0     # epoch seconds

    @classmethod
    def from_credentials(cls, creds: Mapping[str, Any]) -> "TokenState":
        missing = [k for k in ("client_id", "client_secret", "refresh_token") if not creds.get(k)]
        if missing:
            raise AuthFailed(f"DrChrono credentials lack {', '.join(missing)}")
        return cls(str(creds["client_id"]), str(creds["client_secret"]), str(creds["refresh_token"]),
                   creds.get("access_token") or None, float(creds.get("access_expires_at") or 0))

    def merged_into(self, creds: Mapping[str, Any]) -> dict[str, Any]:
        return {**creds, "refresh_token": self.refresh_token, "access_token": self.access_token,
                "access_expires_at": self.expires_at}


class TokenManager:
    def __init__(self, http: httpx.AsyncClient, token_url: str, clinic_id: str, credentials: Mapping[str, Any],
                 sink: CredentialsSink, clock: Callable[[], float] = time.time) -> None:
        self.http, self.token_url, self.clinic_id = http, token_url, clinic_id
        self._credentials = dict(credentials)
        self.state = TokenState.from_credentials(credentials)
        self.sink, self._clock = sink, clock
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        if self.state.access_token and self._clock() < self.state.expires_at - EARLY_REFRESH_SECONDS:
            return self.state.access_token
        return await self.refresh(self.state.access_token)

    async def refresh(self, stale: str | None) -> str:
        """A fresh access token. `stale`: the token the caller saw fail (or None); when another task
        already replaced it, that one is used instead of rotating again."""
        async with self._lock:
            current = self.state.access_token
            if current and current != stale and self._clock() < self.state.expires_at - EARLY_REFRESH_SECONDS:
                return current
            try:
                await self._rotate()
            except AuthFailed:
                stored = await self.sink.load(self.clinic_id)
                if not stored or stored.get("refresh_token") in (None, self.state.refresh_token):
                    raise
                self._credentials = dict(stored)       # another process rotated it: use theirs
                self.state = TokenState.from_credentials(stored)
                if self.state.access_token and self._clock() < self.state.expires_at - EARLY_REFRESH_SECONDS:
                    return self.state.access_token
                await self._rotate()
            assert self.state.access_token
            return self.state.access_token

    async def _rotate(self) -> None:
        try:
            response = await self.http.post(self.token_url, data={
                "grant_type": "refresh_token", "refresh_token": self.state.refresh_token,
                "client_id": self.state.client_id, "client_secret": self.state.client_secret})
        except httpx.HTTPError as exc:
            raise Unavailable("DrChrono's token endpoint cannot be reached") from exc
        if response.status_code in (400, 401):
            error = _error_code(response)
            log.warning("DrChrono refused the refresh token", extra={"event": "ehr_auth_failed", "ehr": "drchrono",
                                                                      "error_code": error})
            raise AuthFailed(f"DrChrono refused the credentials ({error}); reconnect the practice")
        if response.status_code >= 400:
            raise Unavailable(f"DrChrono's token endpoint answered {response.status_code}")
        data = response.json()
        if not data.get("access_token") or not data.get("refresh_token"):
            raise Unavailable("DrChrono's token endpoint answered without tokens")
        self.state.access_token = str(data["access_token"])
        self.state.refresh_token = str(data["refresh_token"])
        self.state.expires_at = self._clock() + float(data.get("expires_in") or 0)
        self._credentials = self.state.merged_into(self._credentials)
        try:
            await self.sink.save(self.clinic_id, self._credentials)
        except Exception:   # the rotation already happened at DrChrono: keep going on what we hold
            log.error("the rotated DrChrono refresh token could not be stored",
                      extra={"event": "ehr_credentials_not_saved", "ehr": "drchrono"})


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"http {response.status_code}"
    return str(body.get("error") or body.get("detail") or f"http {response.status_code}")[:60]
