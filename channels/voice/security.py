"""Media Streams security: the signed stream token and the WebSocket upgrade's signature.

Query strings on a `<Stream url>` do not reach the server, so the TwiML carries a short-lived token
as a `<Parameter>`; it arrives in the `start` message's `customParameters` and binds the stream to
one clinic and one CallSid (itsdangerous, signed with SECRET_KEY). Twilio also signs the upgrade
request (X-Twilio-Signature over the public wss:// URL, no body); when that header is present it
must match. Webhook form signatures are checked by `channels.twilio_auth.verified_form`.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from twilio.request_validator import RequestValidator

TOKEN_SALT = "twilio-media-stream.v1"


@dataclass(frozen=True)
class StreamGrant:
    clinic_id: str
    call_sid: str


class TokenError(Exception):
    """The stream token is missing, forged, expired or bound to another call."""


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def stream_token(secret_key: str, clinic_id: str, call_sid: str) -> str:
    return _serializer(secret_key).dumps({"c": clinic_id, "s": call_sid})


def check_stream_token(secret_key: str, token: object, max_age: int, *, call_sid: str | None,
                       clinic_id: str | None = None) -> StreamGrant:
    if not isinstance(token, str) or not token or len(token) > 1000:
        raise TokenError("missing token")
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError("expired token") from None
    except BadSignature:
        raise TokenError("bad token") from None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or not isinstance(data.get("s"), str):
        raise TokenError("bad token")
    if call_sid is not None and data["s"] != call_sid:
        raise TokenError("token for another call")
    if clinic_id is not None and data["c"] != clinic_id:
        raise TokenError("token for another clinic")
    return StreamGrant(data["c"], data["s"])


def websocket_base(public_base_url: str) -> str:
    """https://host/prefix -> wss://host/prefix (http -> ws for local development)."""
    parts = urlsplit(public_base_url.rstrip("/"))
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path}"


def media_stream_url(public_base_url: str) -> str:
    return websocket_base(public_base_url) + "/webhooks/twilio/media"


def upgrade_signature_ok(auth_token: str | None, public_ws_url: str, signature: str | None) -> bool:
    """True when there is no signature header (it is optional for a stream; the token is what
    authorises it) or it matches; False for a signature that does not match."""
    if signature is None:
        return True
    if not auth_token:
        return False
    return RequestValidator(auth_token).validate(public_ws_url, {}, signature)


def sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    """What Twilio sends as X-Twilio-Signature (used by the caller simulator and tests)."""
    return RequestValidator(auth_token).compute_signature(url, params)
