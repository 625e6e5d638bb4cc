"""Access tokens obtained with a signed JWT, cached until shortly before they expire.

Two vendors' server-to-server grants share this shape:
* SMART Backend Services (Epic, Oracle Health): `grant_type=client_credentials` with a
  `client_assertion` (RS384, iss = sub = client_id, aud = the token URL, unique jti, exp <= 5 min).
* Google service accounts: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with an
  `assertion` (RS256, iss = the service account's e-mail, scope, aud = the token URL, exp <= 1 h).

The token is reused until `expires_in - margin`; a 401 from the API drops it (`invalidate`) so the
next call fetches a fresh one exactly once. Concurrent callers share one fetch (a lock). The
assertion and the token never reach a log line.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import quote

import httpx
import jwt

from ehr.errors import AuthFailed, ScopeMissing, Unavailable

log = logging.getLogger("ehr.bearer")

DEFAULT_MARGIN_S = 60.0


class AuthRejected(AuthFailed):
    """The EHR refused the credentials (bad key, wrong client id, clock skew, revoked). An outage
    for the conversation (AuthFailed is Unavailable); `voice-agent ehr check` prints it as `auth`."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SigningKey:
    """A private key (PEM) and the id the vendor knows its public half by."""
    private_key_pem: str
    kid: str | None = None


@dataclass
class _Cached:
    token: str
    expires_at: float


class JwtBearer:
    """One credential's token source. `form` builds the token request body from a signed assertion."""

    def __init__(self, http: httpx.AsyncClient, token_url: str, key: SigningKey, *, algorithm: str,
                 claims: Callable[[float], dict[str, Any]], form: Callable[[str], Mapping[str, str]],
                 clock: Callable[[], float] = time.time, margin_s: float = DEFAULT_MARGIN_S) -> None:
        self.http = http
        self.token_url = token_url
        self._key = key
        self._algorithm = algorithm
        self._claims = claims
        self._form = form
        self._clock = clock
        self._margin = margin_s
        self._cached: _Cached | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0   # how many tokens were requested (tests and `ehr check` read it)

    def assertion(self) -> str:
        """A freshly signed JWT (new jti each time)."""
        headers = {"kid": self._key.kid} if self._key.kid else None
        return jwt.encode(self._claims(self._clock()), self._key.private_key_pem, algorithm=self._algorithm,
                          headers=headers)

    async def token(self) -> str:
        cached = self._cached
        if cached is not None and self._clock() < cached.expires_at:
            return cached.token
        async with self._lock:
            cached = self._cached
            if cached is not None and self._clock() < cached.expires_at:
                return cached.token
            self._cached = await self._fetch()
            return self._cached.token

    def invalidate(self, token: str | None = None) -> None:
        """Forget the token (only if it is still `token`, so a racing refresh is not thrown away)."""
        if token is None or (self._cached is not None and self._cached.token == token):
            self._cached = None

    def request(self) -> tuple[dict[str, str], dict[str, str]]:
        """The token request's form and headers."""
        return dict(self._form(self.assertion())), {"Accept": "application/json"}

    async def _fetch(self) -> _Cached:
        self.fetches += 1
        data, headers = self.request()
        try:
            response = await self.http.post(self.token_url, data=data, headers=headers)
        except httpx.HTTPError as exc:
            raise Unavailable("the EHR's token endpoint cannot be reached") from exc
        body = _json(response)
        if body.get("error") == "invalid_scope":
            raise ScopeMissing(f"the EHR did not grant the scopes asked for: {body.get('error_description', '')}")
        if response.status_code in (400, 401, 403):
            reason = str(body.get("error") or response.status_code)
            log.warning("EHR token request refused", extra={"event": "ehr_auth_refused", "reason": reason,
                                                             "status": response.status_code})
            raise AuthRejected("the EHR refused our credentials", reason=f"{reason}: {body.get('error_description', '')}")
        if response.status_code >= 400:
            raise Unavailable(f"the EHR's token endpoint answered {response.status_code}")
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise Unavailable("the EHR's token endpoint answered without an access token")
        try:
            lifetime = float(body.get("expires_in", 300))
        except (TypeError, ValueError):
            lifetime = 300.0
        return _Cached(token, self._clock() + max(lifetime - self._margin, 0.0))


def smart_backend(http: httpx.AsyncClient, token_url: str, client_id: str, key: SigningKey, scope: str, *,
                  clock: Callable[[], float] = time.time, lifetime_s: int = 240) -> JwtBearer:
    """SMART Backend Services (client_credentials with a private_key_jwt client assertion)."""
    lifetime_s = min(lifetime_s, 300)

    def claims(now: float) -> dict[str, Any]:
        return {"iss": client_id, "sub": client_id, "aud": token_url, "jti": uuid.uuid4().hex,
                "iat": int(now), "exp": int(now) + lifetime_s}

    def form(assertion: str) -> dict[str, str]:
        return {"grant_type": "client_credentials", "scope": scope,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion}

    return JwtBearer(http, token_url, key, algorithm="RS384", claims=claims, form=form, clock=clock)


class SecretBearer(JwtBearer):
    """`client_credentials` with a client secret sent as HTTP Basic (`client_secret_basic`): how
    Oracle Health's system accounts commonly authenticate when no key pair is registered."""

    def __init__(self, http: httpx.AsyncClient, token_url: str, client_id: str, client_secret: str, scope: str, *,
                 clock: Callable[[], float] = time.time, margin_s: float = DEFAULT_MARGIN_S) -> None:
        super().__init__(http, token_url, SigningKey(""), algorithm="none", claims=lambda now: {},
                         form=lambda assertion: {}, clock=clock, margin_s=margin_s)
        self._basic = "Basic " + base64.b64encode(
            f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()).decode()
        self._scope = scope

    def assertion(self) -> str:   # no JWT in this grant
        return ""

    def request(self) -> tuple[dict[str, str], dict[str, str]]:
        return ({"grant_type": "client_credentials", "scope": self._scope},
                {"Accept": "application/json", "Authorization": self._basic})


def google_service_account(http: httpx.AsyncClient, token_url: str, client_email: str, key: SigningKey,
                           scope: str, *, subject: str | None = None,
                           clock: Callable[[], float] = time.time) -> JwtBearer:
    """Google's service-account grant (RFC 7523 JWT bearer); `subject` for domain-wide delegation."""

    def claims(now: float) -> dict[str, Any]:
        out = {"iss": client_email, "scope": scope, "aud": token_url, "iat": int(now), "exp": int(now) + 3600}
        if subject:
            out["sub"] = subject
        return out

    def form(assertion: str) -> dict[str, str]:
        return {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}

    return JwtBearer(http, token_url, key, algorithm="RS256", claims=claims, form=form, clock=clock)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
