"""A next-page link on another address is not followed: the bearer token would go with it."""
from __future__ import annotations

import httpx
import pytest

from ehr.drchrono.api import DrChronoApi
from ehr.errors import Unavailable
from ehr.origin import on_origin


@pytest.mark.parametrize("url, same", [
    ("https://drchrono.com/api/appointments?cursor=2", True),
    ("https://DRCHRONO.com:443/api/x", True),
    ("http://drchrono.com/api/x", False),                 # plain http: the token in clear
    ("https://drchrono.com.evil.test/api/x", False),
    ("https://localhost:8080/fhir?_getpages=1", False),   # a proxy's own address
    ("https://drchrono.com:notaport/x", False),
])
def test_on_origin(url, same):
    assert on_origin(url, "https://drchrono.com/api/") is same


class Tokens:
    async def access_token(self) -> str:
        return "secret-bearer"

    async def refresh(self, token: str) -> str:
        return token


async def test_drchrono_paging_stops_at_a_link_to_another_host():
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"data": [{"id": 1}], "next": "http://127.0.0.1:9/steal?cursor=2"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        api = DrChronoApi(http, "https://drchrono.com/api/", Tokens())
        with pytest.raises(Unavailable):
            await api.all("appointments", {"date": "2026-12-01"})
    assert len(seen) == 1 and seen[0].startswith("https://drchrono.com/api/appointments")
