"""Input that used to be a 500 is a clear 400 (JSON error, code validation_error): lone surrogates,
integers past Python's 4,300-digit limit, 5,000-deep nesting, and NUL (PostgreSQL cannot store
it) in the chat API, the web chat, the scheduling API's bodies and its query strings and paths.
The data stays as it was: nothing is booked."""
from __future__ import annotations

import json

import pytest

HUGE_INT = b"1" * 5000
DEEP = b"[" * 5000 + b"]" * 5000

BAD_CHAT_BODIES = {
    "lone surrogate": b'{"message": "hi \\ud800"}',
    "lone low surrogate in a key": b'{"message": "hi", "\\udc00": 1}',
    "huge integer": b'{"message": "hi", "n": ' + HUGE_INT + b"}",
    "deep nesting": b'{"message": "hi", "n": ' + DEEP + b"}",
    "deep nesting alone": DEEP,
    "NUL in the message": b'{"message": "hi \\u0000 there"}',
    "NUL in the session id": b'{"message": "hi", "session_id": "a\\u0000"}',
    "NaN": b'{"message": "hi", "n": NaN}',
    "not UTF-8": b'{"message": "hi \xed\xa0\x80"}',
}


def assert_validation_error(r) -> None:
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error" and error["message"]
    assert error["request_id"] == r.headers["x-request-id"]


@pytest.mark.parametrize("name", sorted(BAD_CHAT_BODIES))
async def test_chat_api_refuses_hostile_json(client, make_clinic, name):
    clinic = await make_clinic()
    r = await client.post("/api/v1/chat", content=BAD_CHAT_BODIES[name],
                          headers={**clinic.headers, "Content-Type": "application/json"})
    assert_validation_error(r)


@pytest.mark.parametrize("name", sorted(BAD_CHAT_BODIES))
async def test_web_chat_refuses_hostile_json(client, make_clinic, name):
    clinic = await make_clinic()
    r = await client.post(f"/webchat/{clinic.data['slug']}/messages", content=BAD_CHAT_BODIES[name],
                          headers={"Content-Type": "application/json", "Origin": "https://receptionist.test"})
    assert_validation_error(r)


async def test_ordinary_text_still_goes_through(client, make_clinic):
    clinic = await make_clinic()
    text = "Hola, ¿puedo ver a la Dra. Raman? 🙂 [1, {2}] \"quoted\" \\ \t"
    r = await client.post("/api/v1/chat", headers=clinic.headers, json={"message": text, "n": 10**30})
    assert r.status_code == 200, r.text


async def _booking_body(client, clinic, **patient: str) -> dict:
    providers = (await client.get("/api/v1/providers", headers=clinic.headers)).json()["providers"]
    raman = next(p for p in providers if p["last_name"] == "Raman")
    slot = (await client.get("/api/v1/slots", headers=clinic.headers,
                             params={"provider_id": raman["id"], "limit": 1})).json()["slots"][0]
    return {"provider_id": raman["id"], "start": slot["start"], "reason": "checkup",
            "patient": {"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1985-03-04", **patient}}


@pytest.mark.parametrize("field,value", [
    ("first_name", "Ma\x00ria"), ("last_name", "Gar\ud800cia"), ("email", "m\x00@example.com"),
    ("reason", "check\x00up"), ("reason", "\udfff"),
])
async def test_booking_refuses_nul_and_lone_surrogates(client, make_clinic, field, value):
    clinic = await make_clinic()
    body = await _booking_body(client, clinic)
    if field == "reason":
        body["reason"] = value
    else:
        body["patient"][field] = value
    raw = json.dumps(body).encode()      # ensure_ascii: the surrogate travels as \ud800, as a client would send it
    r = await client.post("/api/v1/appointments", content=raw,
                          headers={**clinic.headers, "Content-Type": "application/json"})
    assert_validation_error(r)
    listed = await client.get("/api/v1/appointments", headers=clinic.headers,
                              params={"from": "2000-01-01", "to": "2000-03-01"})
    assert listed.status_code == 200


@pytest.mark.parametrize("url", [
    "/api/v1/slots?specialty=%00", "/api/v1/slots?provider_id=%00", "/api/v1/appointments?provider_id=a%00b",
    "/api/v1/appointments/%00", "/api/v1/slots?%00=1",
])
async def test_nul_in_a_query_or_path_is_refused(client, make_clinic, url):
    clinic = await make_clinic()
    r = await client.get(url, headers=clinic.headers)
    assert_validation_error(r)


@pytest.mark.parametrize("url", ["/webchat/%00/history", "/chat/%00", "/chat/a%00b/embed.js"])
async def test_nul_in_a_public_path_is_refused(client, url):
    r = await client.get(url)
    assert_validation_error(r)
