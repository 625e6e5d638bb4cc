"""`voice-agent serve` believes X-Forwarded-For only from TRUSTED_PROXIES: by default a forged
header does not give a web-chat client a fresh per-IP limit on every request; behind a trusted
proxy the forwarded address is the one limited."""
from __future__ import annotations

import uuid

import httpx
import pytest

from tests.foundation.served import Served


def forged() -> str:
    n = uuid.uuid4().int
    return f"198.51.{n % 250}.{(n >> 8) % 250}"


async def _starts(server: Served, slug: str, forwarded_for: list[str]) -> list[int]:
    codes = []
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as c:
        for address in forwarded_for:
            r = await c.post(f"/webchat/{slug}/start", json={},
                             headers={"Origin": "https://receptionist.test", "X-Forwarded-For": address})
            codes.append(r.status_code)
    return codes


@pytest.fixture(scope="module")
def untrusting(test_env, database):
    served = Served({**test_env, "RATE_LIMIT_REQUESTS": "2"})
    yield served
    served.stop()


@pytest.fixture(scope="module")
def behind_proxy(test_env, database):
    served = Served({**test_env, "RATE_LIMIT_REQUESTS": "2", "TRUSTED_PROXIES": "127.0.0.0/8, ::1"})
    yield served
    served.stop()


async def test_by_default_a_forged_forwarded_for_does_not_escape_the_limit(untrusting, make_clinic):
    clinic = await make_clinic()
    codes = await _starts(untrusting, clinic.data["slug"], [forged() for _ in range(3)])
    assert 429 in codes, codes          # all three count against the socket's address: 2 a minute


async def test_behind_a_trusted_proxy_the_forwarded_address_is_limited(behind_proxy, make_clinic):
    clinic = await make_clinic()
    assert await _starts(behind_proxy, clinic.data["slug"], [forged() for _ in range(3)]) == [200, 200, 200]
    one = forged()
    assert await _starts(behind_proxy, clinic.data["slug"], [one, one, one]) == [200, 200, 429]
    spoofed = [f"{forged()}, {one}" for _ in range(2)]   # what the client wrote is left of what the proxy saw
    assert await _starts(behind_proxy, clinic.data["slug"], spoofed) == [429, 429]
