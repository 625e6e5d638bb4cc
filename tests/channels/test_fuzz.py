"""Fuzzing the two bodies strangers can send us: the chat API's JSON and the SMS webhook's form
(signed, so it gets past the signature into the engine). Whatever comes, the answer is never a 5xx.
Derandomized, so a run is repeatable; every example is a real request against PostgreSQL and Redis."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest_asyncio
from hypothesis import HealthCheck, given, settings, strategies as st

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

any_text = st.text(alphabet=st.characters(codec=None), max_size=60)           # surrogates and NUL included
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text | st.sampled_from(
    ["\ud800", "\x00", "I'd like to book with Dr. Raman next Tuesday", "yes", "1", "cancel"])
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(any_text, inner, max_size=4), max_leaves=12)
chat_objects = st.fixed_dictionaries({"message": json_values}, optional={"session_id": json_values}) | st.dictionaries(
    any_text, json_values, max_size=4)


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()              # ensure_ascii: surrogates travel as \\ud800 escapes


RAW = [b"[" * 5000, b'{"message": ' * 3000, b'{"message": "hi", "n": ' + b"9" * 5000 + b"}", b"\xed\xa0\x80",
       b'{"message": "\\ud83d"}', b"", b"null"]
chat_bodies = chat_objects.map(_encode) | json_values.map(_encode) | st.binary(max_size=200) | st.sampled_from(RAW)


@pytest_asyncio.fixture
async def chat_clinic(make_clinic):
    return await make_clinic(tier="unlimited")


@FUZZ
@given(body=chat_bodies)
async def test_chat_api_never_answers_5xx(client, chat_clinic, body):
    headers = {**chat_clinic.headers, "Content-Type": "application/json"}
    r = await client.post("/api/v1/chat", content=body, headers=headers)
    assert r.status_code < 500, (body[:200], r.text)
    if r.status_code >= 400:
        assert r.json()["error"]["code"]


storable_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)   # a form is UTF-8 on the wire
NASTY = ["", " ", "\x00", "a\x00b", "x" * 5000, "9" * 5000, "-1", "%00", "\ufeff", "<Response>&amp;</Message>",
         "\u202e", "💉" * 400, "STOP", "C", "HELP", "start", "SM" + "0" * 32 + "\x00", "+1312\x00"]
FIELDS = ["To", "From", "Body", "MessageSid", "SmsSid", "NumMedia", "AccountSid", "MessageStatus", "SmsStatus",
          "ErrorCode", "MediaUrl0", "MediaContentType0"]
CLINIC = "{clinic}"                 # replaced by the clinic's own number when the form is sent


def field(*plausible: str) -> st.SearchStrategy[str]:
    return st.sampled_from(plausible) | st.sampled_from(NASTY) | storable_text


@st.composite
def forms(draw) -> dict[str, str]:
    form = {"To": draw(st.just(CLINIC) | field(CLINIC + "\x00", "+1")),
            "From": draw(st.sampled_from(["+13125550123", CLINIC]) | field("+15555550100", "3125550123")),
            "MessageSid": draw(st.uuids().map(lambda u: "SM" + u.hex) | field("SM1")),
            "Body": draw(field("I'd like to book with Dr. Raman next Tuesday morning", "1", "yes", "cancel")),
            "NumMedia": draw(field("0", "1", "10"))}
    if draw(st.booleans()):
        form["MessageStatus"] = draw(field("delivered", "failed", "sent"))
    form.update(draw(st.dictionaries(st.sampled_from(FIELDS) | storable_text, field("0", "delivered"), max_size=3)))
    return form


@pytest_asyncio.fixture
async def sms_driver(sms):
    return await sms(NOW)


@FUZZ
@given(form=forms(), path=st.sampled_from(["/webhooks/twilio/sms", "/webhooks/twilio/sms/status"]))
async def test_sms_webhook_never_answers_5xx(sms_driver, form, path):
    d = sms_driver
    form = {k.replace(CLINIC, d.phone): v.replace(CLINIC, d.phone) for k, v in form.items()}
    headers = {"X-Twilio-Signature": d.sign(path, form), "Content-Type": "application/x-www-form-urlencoded"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=d.app), base_url="https://receptionist.test") as c:
        r = await c.post(path, content=urlencode(form).encode(), headers=headers)
    assert r.status_code < 500, (path, form, r.text)
