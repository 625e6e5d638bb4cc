"""OAuth 2.0 token endpoints as the vendors document them, with the checks a real one makes.

SMART Backend Services (Epic, Oracle Health): `grant_type=client_credentials`,
`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, `client_assertion`
= a JWT signed with the registered key (RS384), `iss` = `sub` = the client id, `aud` = this token
URL, `exp` no more than five minutes ahead, `jti` never seen before (replay), `scope` within the
registered scopes. Failures answer 400 `invalid_client` / `invalid_grant` / `invalid_scope`.

Google service accounts: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, `assertion` =
a JWT (RS256) with `iss` = the service account e-mail, `scope`, `aud` = the token URL, `exp` at
most an hour after `iat`. Failures answer 400 `invalid_grant` (Google's "Invalid JWT Signature.").

Issued tokens are opaque; `Tokens.check(header)` says whether a bearer token is current.
"""
from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qs, unquote
import time
from dataclasses import dataclass, field
from typing import Callable

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


async def read_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (what OAuth token requests are), strictly."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    return {k: v[0] for k, v in parse_qs((await request.body()).decode(), keep_blank_values=True).items()}


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={"Cache-Control": "no-store"})


@dataclass
class Tokens:
    clock: Callable[[], float] = time.time
    lifetime_s: int = 300
    issued: dict[str, float] = field(default_factory=dict)      # token -> expiry
    scopes: dict[str, str] = field(default_factory=dict)        # token -> granted scope
    seen_jti: dict[str, float] = field(default_factory=dict)    # jti -> assertion expiry
    granted: int = 0
    refused: list[str] = field(default_factory=list)

    def issue(self, scope: str) -> JSONResponse:
        token = secrets.token_urlsafe(24)
        self.issued[token] = self.clock() + self.lifetime_s
        self.scopes[token] = scope
        self.granted += 1
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime_s,
                             "scope": scope}, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def check(self, authorization: str | None) -> str | None:
        """None when the bearer token is current, else why not."""
        if not authorization or not authorization.startswith("Bearer "):
            return "missing bearer token"
        expiry = self.issued.get(authorization[7:])
        if expiry is None:
            return "unknown token"
        if self.clock() >= expiry:
            return "token expired"
        return None

    def scope_of(self, authorization: str | None) -> set[str]:
        return set(self.scopes.get((authorization or "")[7:], "").split())

    def expire_all(self) -> None:
        for token in self.issued:
            self.issued[token] = 0.0

    def refuse(self, reason: str, error: str = "invalid_client") -> JSONResponse:
        self.refused.append(reason)
        return oauth_error(error, reason)


@dataclass
class SmartClient:
    client_id: str
    public_key_pem: str
    scopes: frozenset[str]
    client_secret: str | None = None      # a system account authenticating with HTTP Basic instead


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return unquote(user), unquote(password)


def smart_token_route(tokens: Tokens, clients: dict[str, SmartClient], token_url: Callable[[Request], str]):
    async def token(request: Request) -> JSONResponse:
        form = await read_form(request)
        if form.get("grant_type") != "client_credentials":
            return tokens.refuse("grant_type must be client_credentials", "unsupported_grant_type")
        basic = _basic(request)
        if basic is not None:
            client = clients.get(basic[0])
            if client is None or not client.client_secret or not secrets.compare_digest(basic[1], client.client_secret):
                return tokens.refuse("client authentication failed")
            asked = set(str(form.get("scope") or "").split())
            if not asked or not asked <= client.scopes:
                return tokens.refuse("scope not granted to this client", "invalid_scope")
            return tokens.issue(" ".join(sorted(asked)))
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            return tokens.refuse("client_assertion_type must be jwt-bearer")
        assertion = str(form.get("client_assertion") or "")
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return tokens.refuse("client_assertion is not a JWT")
        client = clients.get(str(unverified.get("iss")))
        if client is None or unverified.get("sub") != client.client_id:
            return tokens.refuse("unknown client (iss and sub must be the client id)")
        if header.get("alg") not in ("RS384", "ES384"):
            return tokens.refuse("the assertion must be signed with RS384 or ES384")
        now = tokens.clock()
        try:
            claims = jwt.decode(assertion, client.public_key_pem, algorithms=["RS384"], audience=token_url(request),
                                options={"require": ["exp", "jti", "iss", "sub", "aud"], "verify_exp": False})
        except jwt.InvalidAudienceError:
            return tokens.refuse("aud must be the token endpoint URL")
        except jwt.PyJWTError as exc:
            return tokens.refuse(f"invalid client assertion: {type(exc).__name__}")
        exp = float(claims["exp"])
        if exp <= now:
            return tokens.refuse("client assertion expired")
        if exp > now + 300 + 5:
            return tokens.refuse("exp must be no more than five minutes in the future")
        jti = str(claims["jti"])
        tokens.seen_jti = {k: v for k, v in tokens.seen_jti.items() if v > now}
        if jti in tokens.seen_jti:
            return tokens.refuse("jti was already used (replay)")
        tokens.seen_jti[jti] = exp
        scope = str(form.get("scope") or "")
        asked = set(scope.split())
        if not asked or not asked <= client.scopes:
            return tokens.refuse("scope not granted to this client", "invalid_scope")
        return tokens.issue(scope)
    return token


def google_token_route(tokens: Tokens, accounts: dict[str, str], token_url: Callable[[Request], str]):
    """`accounts`: service-account e-mail → public key PEM."""
    async def token(request: Request) -> JSONResponse:
        form = await read_form(request)
        if form.get("grant_type") != JWT_BEARER_GRANT:
            return tokens.refuse("Invalid grant_type", "unsupported_grant_type")
        assertion = str(form.get("assertion") or "")
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return tokens.refuse("Invalid JWT: not a JWT", "invalid_grant")
        public = accounts.get(str(unverified.get("iss")))
        if public is None:
            return tokens.refuse("Invalid JWT Signature.", "invalid_grant")
        try:
            claims = jwt.decode(assertion, public, algorithms=["RS256"], audience=token_url(request),
                                options={"require": ["exp", "iat", "iss", "aud", "scope"], "verify_exp": False})
        except jwt.InvalidAudienceError:
            return tokens.refuse("Invalid JWT: aud must be the token URI", "invalid_grant")
        except jwt.PyJWTError:
            return tokens.refuse("Invalid JWT Signature.", "invalid_grant")
        now = tokens.clock()
        if float(claims["exp"]) <= now or float(claims["exp"]) - float(claims["iat"]) > 3600:
            return tokens.refuse("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                                 "timeframe. Check your iat and exp values in the JWT claim.", "invalid_grant")
        return tokens.issue(str(claims["scope"]))
    return token
