"""Each mismatch schemathesis found, pinned on its own so a regression names itself."""
from __future__ import annotations


async def test_a_wrong_method_on_appointments_lists_both_real_ones(client, make_clinic):
    clinic = await make_clinic()
    r = await client.request("OPTIONS", "/api/v1/appointments", headers=clinic.headers)
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}


async def test_an_empty_provider_filter_is_refused_not_ignored(client, make_clinic):
    clinic = await make_clinic()
    r = await client.get("/api/v1/appointments", headers=clinic.headers, params={"provider_id": ""})
    assert r.status_code == 400 and "UUID" in r.json()["error"]["message"]


async def test_the_description_states_the_limits_the_api_enforces(client):
    spec = (await client.get("/openapi.json")).json()
    slots = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/slots"]["get"]["parameters"]}
    assert (slots["limit"]["minimum"], slots["limit"]["maximum"]) == (1, 500)
    chat = spec["paths"]["/api/v1/chat"]["post"]["responses"]
    assert "415" in chat                                   # a body that is not JSON
    session_id = spec["components"]["schemas"]["ChatRequest"]["properties"]["session_id"]
    assert "null" in session_id["type"]                    # a first message sends null
