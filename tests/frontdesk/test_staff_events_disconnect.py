"""A staff page that goes away before its event stream sends the first byte (a closed laptop, a
dropped Wi-Fi) gives its stream slot back: otherwise a clinic would soon read "Too many staff
pages are open" with none open."""
from __future__ import annotations

import asyncio

from tests.frontdesk.conftest import add_staff, sign_in
from voice_agent import staff_events


async def _open_events(app, cookie: str) -> int:
    """One GET /staff/events straight through the ASGI app; returns the response status. The
    client is gone (http.disconnect) while the response head is still being sent."""
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
             "method": "GET", "scheme": "https", "path": "/staff/events", "raw_path": b"/staff/events",
             "query_string": b"", "root_path": "", "server": ("receptionist.test", 443),
             "client": ("10.9.8.7", 4000),
             "headers": [(b"host", b"receptionist.test"), (b"cookie", f"staff_session={cookie}".encode())]}
    status: list[int] = []

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
            await asyncio.sleep(0.2)

    await asyncio.wait_for(app(scope, receive, send), 5)
    return status[0]


async def test_pages_that_leave_before_the_first_byte_free_their_slots(staff_client, app, make_clinic, pool,
                                                                        monkeypatch):
    monkeypatch.setattr(staff_events, "PER_CLINIC", 2)
    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)
    c = staff_client()
    await sign_in(c, email)
    cookie = c.cookies.get("staff_session")
    for _ in range(4):
        assert await _open_events(app, cookie) == 200
