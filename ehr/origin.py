"""Whether a URL a vendor hands back (a next-page link) is on the vendor's own address: the bearer
token goes with the request, so a link to another host, or to plain http, is not followed."""
from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def on_origin(url: str, base_url: str) -> bool:
    """Same scheme, host and port as `base_url` (a relative URL is resolved against it by the caller)."""
    try:
        a, b = urlsplit(url), urlsplit(base_url)
        a_port, b_port = a.port or _DEFAULT_PORTS.get(a.scheme), b.port or _DEFAULT_PORTS.get(b.scheme)
    except ValueError:            # a port that is not a number
        return False
    return (a.scheme, (a.hostname or "").lower(), a_port) == (b.scheme, (b.hostname or "").lower(), b_port)
