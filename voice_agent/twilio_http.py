"""The Twilio SDK's HTTP client, optionally pointed at another base URL (TWILIO_API_BASE_URL).

The SDK builds absolute `https://<product>.twilio.com/...` URLs itself (api, messaging, video...),
so a stand-in on loopback or an egress proxy can only be reached by rewriting each URL just before
it is sent: same path and query, the configured scheme, host and path prefix.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response


def is_twilio_url(url: str) -> bool:
    """True for the SDK's own endpoints: https on twilio.com or any of its subdomains."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com"))


def rebase(url: str, base_url: str) -> str:
    """`https://api.twilio.com/2010-04-01/...?x=1` -> `<base_url>/2010-04-01/...?x=1`; other URLs unchanged."""
    if not is_twilio_url(url):
        return url
    parts = urlsplit(url)
    return base_url.rstrip("/") + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class RebasedTwilioHttpClient(TwilioHttpClient):
    """`TwilioHttpClient` that sends every twilio.com request to `base_url` instead (auth, body and
    headers untouched; the SDK passes the URL as the second argument of `request`)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return super().request(method, rebase(url, self.base_url), *args, **kwargs)


def http_client(base_url: str | None, timeout: float = 10) -> TwilioHttpClient:
    """The SDK's default client, or the rebased one when a base URL is configured."""
    if base_url:
        return RebasedTwilioHttpClient(base_url, timeout=timeout)
    return TwilioHttpClient(timeout=timeout)
