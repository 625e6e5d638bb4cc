"""Whose address is the client's: forwarded headers count only when a trusted proxy sent them.

The web chat's per-IP limit, and the count of failed API keys, key on the client's address. The
server used to believe X-Forwarded-For from anyone (uvicorn with forwarded_allow_ips="*" takes its
leftmost entry), so a client chose its own address on every request and was never limited.

Now the socket's peer must be one of TRUSTED_PROXIES (IPs or CIDRs; none by default). Only then:
- the client is the address in CLIENT_IP_HEADER when that is set (a header the proxy overwrites,
  such as Fly's Fly-Client-IP), else the rightmost X-Forwarded-For entry that is not itself a
  trusted proxy (each proxy appends the address it saw, so entries left of that are the client's
  to invent);
- X-Forwarded-Proto sets the scheme.
Anything unparseable leaves the peer's address in place.
"""
from __future__ import annotations

import ipaddress
from typing import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str | None) -> IPAddress | None:
    try:
        return ipaddress.ip_address((text or "").strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, app: ASGIApp, trusted: Sequence[str] = (), client_ip_header: str | None = None) -> None:
        self.app = app
        self.networks = tuple(ipaddress.ip_network(t, strict=False) for t in trusted)
        self.header = client_ip_header.lower().encode("latin-1") if client_ip_header else None

    def _trusted(self, address: IPAddress | None) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def _forwarded_client(self, headers: list[tuple[bytes, bytes]]) -> str | None:
        if self.header is not None:
            value = next((v for k, v in headers if k == self.header), None)
            address = parse_address(value.decode("latin-1") if value is not None else None)
            return str(address) if address is not None else None
        chain = ",".join(v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for")
        for entry in reversed([e for e in chain.split(",") if e.strip()]):
            address = parse_address(entry)
            if address is None:
                return None
            if not self._trusted(address):
                return str(address)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self._trusted(parse_address(client[0])):
            headers = scope["headers"]
            forwarded = self._forwarded_client(headers)
            if forwarded is not None:
                scope["client"] = (forwarded, 0)
            proto = next((v.decode("latin-1").strip().lower() for k, v in headers if k == b"x-forwarded-proto"), None)
            if proto in ("http", "https"):
                scope["scheme"] = proto.replace("http", "ws") if scope["type"] == "websocket" else proto
        await self.app(scope, receive, send)
