"""Request bodies are limited while they stream: an endless chunked body to any POST route is
refused with 413 after at most the route's limit has been read, and a Content-Length over the
limit before anything is read. The app is driven with a `receive` that never runs out and counts
what it handed over, so "the server's memory stays flat" is measured, not assumed."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from starlette.routing import Mount, Route

CHUNK = 4096
ENDLESS_CAP = 8 * 1024 * 1024     # a receive() that is drained this far means the app buffers it all

JSON = [(b"content-type", b"application/json")]
FORM = [(b"content-type", b"application/x-www-form-urlencoded"), (b"x-twilio-signature", b"anything")]
CHAT_LIMIT, WEBHOOK_LIMIT, SCHEDULING_LIMIT, HANDOFF_LIMIT, STAFF_LIMIT = 16_384, 65_536, 65_536, 16_384, 16_384
STAFF_FORM = [(b"content-type", b"application/x-www-form-urlencoded")]

# Every POST route, what it needs to reach its body, and its limit (None: the route reads no body).
POST_ROUTES: dict[str, tuple[str, list[tuple[bytes, bytes]], int | None]] = {
    "/api/v1/chat": ("api", JSON, CHAT_LIMIT),
    "/api/v1/appointments": ("api", JSON, SCHEDULING_LIMIT),
    "/api/v1/appointments/{appointment_id}/cancel": ("api", JSON, SCHEDULING_LIMIT),
    "/api/v1/appointments/{appointment_id}/reschedule": ("api", JSON, SCHEDULING_LIMIT),
    "/api/v1/handoffs/{handoff_id}/claim": ("api", JSON, None),
    "/api/v1/handoffs/{handoff_id}/close": ("api", JSON, HANDOFF_LIMIT),
    "/webchat/{slug}/messages": ("web", JSON, CHAT_LIMIT),
    "/staff/login": ("staff", STAFF_FORM, STAFF_LIMIT),
    "/staff/logout": ("staff", STAFF_FORM, None),                 # not signed in: refused before the body
    "/staff/handoffs/{handoff_id}/claim": ("staff", STAFF_FORM, None),
    "/staff/handoffs/{handoff_id}/close": ("staff", STAFF_FORM, None),
    "/staff/handoffs/{handoff_id}/reply": ("staff", STAFF_FORM, None),
    "/webchat/{slug}/start": ("web", JSON, None),
    "/webhooks/drchrono/{clinic_id}": ("drchrono", JSON, WEBHOOK_LIMIT),
    "/webhooks/twilio/sms": ("twilio", FORM, WEBHOOK_LIMIT),
    "/webhooks/twilio/sms/status": ("twilio", FORM, WEBHOOK_LIMIT),
    "/webhooks/twilio/voice": ("twilio", FORM, WEBHOOK_LIMIT),
    "/webhooks/twilio/voice/after": ("twilio", FORM, WEBHOOK_LIMIT),
    "/webhooks/twilio/voice/whisper": ("twilio", FORM, WEBHOOK_LIMIT),
    "/webhooks/twilio/voice/dial-done": ("twilio", FORM, WEBHOOK_LIMIT),
    "/webhooks/twilio/voice/message": ("twilio", FORM, WEBHOOK_LIMIT),
    **{f"/webhooks/twilio/voice/transfer/{leaf}": ("twilio", FORM, WEBHOOK_LIMIT)
       for leaf in ("hold", "whisper", "choice", "desk-status", "conference")},
}


def post_paths(routes: list[Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for route in routes:
        if isinstance(route, Mount):
            found |= post_paths(route.routes, prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or ()):
            found.add(prefix + route.path)
    return found


class Upload:
    """A client that keeps sending: `receive()` yields chunks until the cap, counting them."""

    def __init__(self) -> None:
        self.sent = 0
        self.messages: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if self.sent >= ENDLESS_CAP:
            return {"type": "http.request", "body": b"", "more_body": False}
        self.sent += CHUNK
        return {"type": "http.request", "body": b"a" * CHUNK, "more_body": True}

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return next(m["status"] for m in self.messages if m["type"] == "http.response.start")

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body")


async def stream_endless(app, path: str, headers: list[tuple[bytes, bytes]]) -> Upload:
    upload = Upload()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "https", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"receptionist.test"), *headers],
             "client": (f"10.77.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}", 5000),
             "server": ("receptionist.test", 443)}
    await app(scope, upload.receive, upload.send)
    return upload


@pytest.fixture
async def reach(make_clinic):
    """Headers and a concrete path that get a request past authentication to its body."""
    clinic = await make_clinic()

    def make(template: str, kind: str, extra: list[tuple[bytes, bytes]]) -> tuple[str, list[tuple[bytes, bytes]]]:
        path = template.replace("{slug}", clinic.data["slug"]).replace("{appointment_id}", str(uuid.uuid4())) \
            .replace("{handoff_id}", str(uuid.uuid4()))
        path = path.replace("{clinic_id}", clinic.id)
        headers = list(extra)
        if kind == "api":
            headers += [(b"x-api-key", clinic.api_key.encode()), (b"x-tenant-id", clinic.id.encode())]
        if kind == "web":
            headers += [(b"origin", b"https://receptionist.test")]
        return path, headers
    return make


def test_every_post_route_is_covered(app):
    assert post_paths(app.routes) == set(POST_ROUTES)


@pytest.mark.parametrize("template", sorted(POST_ROUTES))
async def test_endless_chunked_body_is_refused_while_it_streams(app, reach, template):
    kind, extra, limit = POST_ROUTES[template]
    path, headers = reach(template, kind, extra)
    upload = await stream_endless(app, path, headers)
    if limit is None:      # the route never reads a body: nothing of it is taken in
        assert upload.sent == 0 and upload.status < 500
        return
    assert upload.sent <= limit + CHUNK, f"{upload.sent} bytes read for a {limit}-byte limit"
    assert upload.status == 413, upload.body
    assert b'"payload_too_large"' in upload.body and f"at most {limit} bytes".encode() in upload.body


@pytest.mark.parametrize("template", sorted(POST_ROUTES))
async def test_content_length_over_the_limit_is_refused_before_reading(app, reach, template):
    kind, extra, _ = POST_ROUTES[template]
    path, headers = reach(template, kind, extra)
    upload = await stream_endless(app, path, [*headers, (b"content-length", b"600000000")])
    assert upload.status == 413 and b'"payload_too_large"' in upload.body
    assert upload.sent == 0


async def test_a_body_within_the_limit_still_works(client, make_clinic):
    clinic = await make_clinic()
    r = await client.post("/api/v1/chat", headers=clinic.headers, json={"message": "hello " * 2000})
    assert r.status_code == 400 and r.json()["error"]["field"] == "message"   # read whole, judged on content
    r = await client.post("/api/v1/chat", headers={**clinic.headers, "Content-Type": "application/json"},
                          content=b'{"message": "' + b"a" * 17000 + b'"}')
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
