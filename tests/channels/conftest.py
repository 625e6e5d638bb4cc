"""Drivers for the text channels: signed Twilio webhooks against an app on a fixed clock, with the
Twilio REST client's HTTP layer replaced by a recorder (twilio uses `requests`, not httpx)."""
from __future__ import annotations

import dataclasses
import itertools
import json
import threading
import time
import uuid
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import pytest_asyncio
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator

from ehr.builtin.calendar import BuiltinCalendar
from voice_agent.app import create_app
from voice_agent.services import Services

ACCOUNT_SID = "AC" + "0" * 32
from tests.phones import unique_clinic_phone  # noqa: E402,F401 (one counter for the whole run)


class RecordingTwilioHttp(HttpClient):
    """The SDK's HttpClient seam: records every REST call and answers like Twilio's Messages API."""

    def __init__(self) -> None:
        super().__init__(logger=None, is_async=False)  # type: ignore[arg-type]
        self.requests: list[dict[str, Any]] = []
        self.fail_with: int | None = None
        self.delay = 0.0                 # seconds Twilio takes to answer (the SDK call blocks a worker thread)
        self._lock = threading.Lock()

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        with self._lock:
            self.requests.append({"method": method, "uri": uri, "data": dict(data or {}), "auth": auth})
        time.sleep(self.delay)
        if self.fail_with:
            return TwilioResponse(self.fail_with, json.dumps({"code": 21610, "message": "unsubscribed",
                                                              "status": self.fail_with}))
        sid = "SM" + uuid.uuid4().hex
        return TwilioResponse(201, json.dumps({"sid": sid, "status": "queued", "account_sid": ACCOUNT_SID,
                                               "to": (data or {}).get("To"), "from": (data or {}).get("From"),
                                               "body": (data or {}).get("Body")}))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["uri"].endswith("/Messages.json")]


class SmsDriver:
    def __init__(self, app, clinic, pool, settings, twilio: RecordingTwilioHttp, services: Services) -> None:
        self.app, self.clinic, self.pool, self.settings = app, clinic, pool, settings
        self.twilio, self.services = twilio, services
        self.phone = clinic.data["phone"]
        self.patient = "+13125550123"

    def sign(self, path: str, params: dict[str, str], token: str | None = None) -> str:
        return RequestValidator(token or self.settings.twilio_auth_token).compute_signature(
            self.settings.public_base_url + path, params)

    async def post(self, path: str, params: dict[str, str], *, signature: str | None = None,
                   signed: bool = True) -> httpx.Response:
        headers = {}
        if signed:
            headers["X-Twilio-Signature"] = signature or self.sign(path, params)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                     base_url="https://receptionist.test") as c:
            return await c.post(path, data=params, headers=headers)

    def params(self, body: str, *, sender: str | None = None, sid: str | None = None,
               num_media: int = 0) -> dict[str, str]:
        params = {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID,
                  "From": sender or self.patient, "To": self.phone, "Body": body, "NumMedia": str(num_media),
                  "NumSegments": "1", "FromCountry": "US", "ToCountry": "US"}
        for i in range(num_media):
            params[f"MediaUrl{i}"] = f"https://api.twilio.com/media/ME{i}"
            params[f"MediaContentType{i}"] = "image/jpeg"
        return params

    async def text(self, body: str, **kwargs: Any) -> str | None:
        """Send one signed inbound SMS; the reply text, or None for an empty <Response/>."""
        r = await self.post("/webhooks/twilio/sms", self.params(body, **kwargs))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/xml")
        return reply_text(r.text)

    async def sent(self) -> list[dict[str, Any]]:
        """The texts sent through Twilio's REST API, once the engine has sent what it owes
        (confirmations go out after the reply)."""
        await self.services.engine.drain()
        return self.twilio.messages

    async def appointments(self) -> list[dict[str, Any]]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT a.id::text AS id, a.status::text AS status, a.scheduled_start, a.booked_via,
                          pt.last_name, pt.phone
                   FROM appointments a JOIN patients pt ON pt.id = a.patient_id
                   WHERE a.clinic_id = %s AND a.booked_via <> 'import' ORDER BY a.created_at""", (self.clinic.id,))
            return await cur.fetchall()

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(sql, (self.clinic.id, *args))
            return await cur.fetchall()


def reply_text(xml: str) -> str | None:
    root = ElementTree.fromstring(xml)
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 1, xml
    return messages[0].text if messages else None


@pytest.fixture
def sms(make_clinic, settings, pool, redis):
    async def make(now: datetime, **overrides: Any) -> SmsDriver:
        overrides.setdefault("phone", unique_clinic_phone())
        clinic = await make_clinic(**overrides)
        configured = dataclasses.replace(settings, twilio_account_sid=ACCOUNT_SID)
        twilio = RecordingTwilioHttp()
        services = Services.build(configured, pool, redis, ehr=BuiltinCalendar(pool, now=lambda: now),
                                  twilio_http=twilio)
        engine = services.engine
        engine.now = lambda: now
        return SmsDriver(create_app(configured, services), clinic, pool, configured, twilio, services)
    return make


def build_app(settings, pool, redis, now: datetime, **settings_overrides: Any):
    """An app whose engine and calendar run on a fixed clock (the `chat(now)` pattern)."""
    configured = dataclasses.replace(settings, **settings_overrides)
    services = Services.build(configured, pool, redis, ehr=BuiltinCalendar(pool, now=lambda: now))
    engine = services.engine
    engine.now = lambda: now
    return create_app(configured, services), services


class WebDriver:
    """The web chat's own endpoints, as the page calls them (cookie jar, Origin header)."""

    def __init__(self, app, clinic, pool, origin: str = "https://receptionist.test", services=None) -> None:
        self.app, self.clinic, self.pool, self.origin, self.services = app, clinic, pool, origin, services
        self.slug = clinic.data["slug"]
        self.ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(self.ip, 50000)),
                                        base_url="https://receptionist.test")

    async def post(self, path: str, payload: dict | None = None, *, origin: str | None = "default",
                   headers: dict[str, str] | None = None) -> httpx.Response:
        h = {"Content-Type": "application/json", **(headers or {})}
        if origin == "default":
            h["Origin"] = self.origin
        elif origin is not None:
            h["Origin"] = origin
        return await self.client.post(f"/webchat/{self.slug}{path}", json=payload or {}, headers=h)

    async def say(self, text: str) -> dict[str, Any]:
        r = await self.post("/messages", {"message": text})
        assert r.status_code == 200, r.text
        return r.json()

    async def history(self) -> dict[str, Any]:
        r = await self.client.get(f"/webchat/{self.slug}/history")
        assert r.status_code == 200, r.text
        return r.json()


@pytest_asyncio.fixture
async def webchat(make_clinic, settings, pool, redis):
    drivers: list[WebDriver] = []

    async def make(now: datetime, *, clinic_overrides: dict | None = None, **settings_overrides: Any) -> WebDriver:
        clinic = await make_clinic(**(clinic_overrides or {}))
        app, services = build_app(settings, pool, redis, now, **settings_overrides)
        driver = WebDriver(app, clinic, pool, services=services)
        drivers.append(driver)
        return driver

    yield make
    for d in drivers:
        await d.client.aclose()
