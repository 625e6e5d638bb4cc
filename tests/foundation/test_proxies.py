"""Which address the app takes for the client's (voice_agent/web/proxies.py), and the deployment's own
value: fly.toml trusts Fly's proxy and reads the Fly-Client-IP header it overwrites."""
from __future__ import annotations

import tomllib
from typing import Any

import pytest

from tests.conftest import ROOT
from voice_agent.web.proxies import TrustedProxyMiddleware
from voice_agent.web.settings import SettingsError, load_settings


async def seen(middleware_kwargs: dict[str, Any], peer: str, headers: dict[str, str],
               kind: str = "http") -> tuple[str, str]:
    """(client host, scheme) as the app behind the middleware sees them."""
    got: dict[str, Any] = {}

    async def app(scope, receive, send):
        got.update(client=scope["client"][0], scheme=scope["scheme"])

    scope = {"type": kind, "client": (peer, 4000), "scheme": "ws" if kind == "websocket" else "http",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    await TrustedProxyMiddleware(app, **middleware_kwargs)(scope, None, None)
    return got["client"], got["scheme"]


async def test_nothing_is_trusted_by_default():
    assert await seen({}, "203.0.113.9", {"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"}) == (
        "203.0.113.9", "http")


async def test_a_trusted_proxy_gives_the_rightmost_untrusted_forwarded_address():
    proxy = {"trusted": ["10.0.0.0/8"]}
    assert await seen(proxy, "10.1.2.3", {"X-Forwarded-For": "198.51.100.1"}) == ("198.51.100.1", "http")
    # the client wrote 6.6.6.6; the proxy appended what it saw; an inner proxy (10.9.9.9) appended its own
    assert (await seen(proxy, "10.1.2.3", {"X-Forwarded-For": "6.6.6.6, 198.51.100.1, 10.9.9.9"}))[0] == "198.51.100.1"
    assert await seen(proxy, "10.1.2.3", {"X-Forwarded-Proto": "https"}) == ("10.1.2.3", "https")
    assert await seen(proxy, "10.1.2.3", {"X-Forwarded-Proto": "https"}, kind="websocket") == ("10.1.2.3", "wss")
    assert (await seen(proxy, "10.1.2.3", {"X-Forwarded-For": "not-an-ip"}))[0] == "10.1.2.3"
    assert (await seen(proxy, "10.1.2.3", {"X-Forwarded-For": "10.4.4.4"}))[0] == "10.1.2.3"     # all proxies
    assert (await seen(proxy, "203.0.113.9", {"X-Forwarded-For": "198.51.100.1"}))[0] == "203.0.113.9"


def fly_env() -> dict[str, str]:
    return tomllib.loads((ROOT / "fly.toml").read_text())["env"]


async def test_the_fly_deployment_trusts_fly_proxy_and_its_client_ip_header():
    env = fly_env()
    settings = load_settings({k: v for k, v in env.items() if k in ("TRUSTED_PROXIES", "CLIENT_IP_HEADER")},
                             env_file=None)
    proxy = {"trusted": settings.trusted_proxies, "client_ip_header": settings.client_ip_header}
    # Fly's proxy connects from its private network and overwrites Fly-Client-IP; its X-Forwarded-For
    # ends with the app's own public address, which is why the header is used and not the chain.
    fly_headers = {"Fly-Client-IP": "198.51.100.1", "X-Forwarded-For": "6.6.6.6, 198.51.100.1, 66.241.124.5",
                   "X-Forwarded-Proto": "https"}
    assert await seen(proxy, "172.16.3.2", fly_headers) == ("198.51.100.1", "https")
    assert (await seen(proxy, "203.0.113.9", fly_headers))[0] == "203.0.113.9"    # not through Fly: ignored


@pytest.mark.parametrize("env,name", [({"TRUSTED_PROXIES": "10.0.0.0/8, nonsense"}, "TRUSTED_PROXIES"),
                                      ({"CLIENT_IP_HEADER": "Fly Client IP"}, "CLIENT_IP_HEADER")])
def test_bad_proxy_settings_are_named(env, name):
    with pytest.raises(SettingsError, match=name):
        load_settings(env, env_file=None)
