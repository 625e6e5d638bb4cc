"""The chat page in a real browser: Debian's headless Chromium driven by Playwright (no browser
download), against uvicorn on 127.0.0.1 (a free port, in this test's event loop) serving an app whose
engine and calendar run on a fixed clock. Greeting → booked by clicking a slot button → reload."""
from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn

from tests.channels.conftest import build_app

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "webchat.png"
NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (install Debian's `chromium` package)")


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):      # leave pytest's signal handlers alone
        yield


@contextlib.asynccontextmanager
async def serve(app_factory):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = app_factory(f"http://127.0.0.1:{port}")
    server = _Server(uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


async def test_webchat_books_in_a_real_browser(make_clinic, settings, pool, redis):
    from playwright.async_api import async_playwright, expect

    clinic = await make_clinic()
    slug = clinic.data["slug"]

    def factory(base_url: str):
        app, _ = build_app(settings, pool, redis, NOW, public_base_url=base_url)
        return app

    async with serve(factory) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 480, "height": 1180}, device_scale_factor=1)
            page = await context.new_page()
            requests, errors = [], []
            page.on("request", lambda req: requests.append(req))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

            await page.goto(f"{base}/chat/{slug}")
            await page.wait_for_selector("body[data-ready=true]")
            clinic_msgs = page.locator("#log .from-clinic")
            await expect(clinic_msgs.first).to_contain_text("How can I help")
            box = page.get_by_label("Your message")
            await expect(box).to_be_focused()                     # focus starts in the message box

            async def say(text: str) -> str:
                before = await clinic_msgs.count()
                await box.fill(text)
                await box.press("Enter")                          # keyboard: Enter sends
                await expect(clinic_msgs).to_have_count(before + 1)
                await expect(box).to_be_focused()
                return await clinic_msgs.last.inner_text()

            reply = await say("I'd like to book with Dr. Raman next Tuesday morning")
            assert "Which one works" in reply, reply
            slots = page.get_by_role("group", name=re.compile("Available times")).get_by_role("button")
            assert await slots.count() >= 2
            first = slots.first
            label = await first.inner_text()
            assert label.startswith("1. ") and "Raman" in label and "8:00" in label, label

            before = await clinic_msgs.count()
            await first.click()                                   # pick the slot by clicking its button
            await expect(clinic_msgs).to_have_count(before + 1)
            await expect(page.locator("#log .from-patient .bubble").last).to_have_text(label)
            await expect(page.locator("#slots")).to_be_hidden()
            await expect(box).to_be_focused()
            assert "name" in (await clinic_msgs.last.inner_text()).lower()

            await say("Maria Garcia")
            await say("03/04/1985")
            await say("312-555-0123")
            reply = await say("annual checkup")
            assert "Shall I book" in reply, reply
            reply = await say("yes")
            assert "all set" in reply.lower(), reply
            await page.screenshot(path=str(SCREENSHOT), full_page=True)

            # No request the page made carried an API key; all stayed on our origin.
            for req in requests:
                headers = await req.all_headers()
                assert not any(k.lower() in ("x-api-key", "x-tenant-id") for k in headers), req.url
                assert req.url.startswith(base), req.url
            posts = [r for r in requests if r.method == "POST"]
            assert len(posts) == 8 and all(f"/webchat/{slug}/" in r.url for r in posts)

            cookies = [c for c in await context.cookies() if c["name"] == "va_webchat"]
            assert len(cookies) == 1
            assert cookies[0]["httpOnly"] is True and cookies[0]["sameSite"] == "Lax"
            assert cookies[0]["path"] == f"/webchat/{slug}"
            assert await page.evaluate("document.cookie") == ""   # invisible to scripts

            # Reload: the conversation is still there (from the server, by the cookie).
            shown = await clinic_msgs.count()
            await page.reload()
            await page.wait_for_selector("body[data-ready=true]")
            await expect(clinic_msgs.last).to_contain_text("all set")
            assert await clinic_msgs.count() >= min(shown, 5)
            assert errors == [], errors
        finally:
            await browser.close()

    async with pool.connection() as conn:
        cur = await conn.execute(
            """SELECT a.status::text AS status, a.booked_via, a.reason, p.last_name AS provider, pt.last_name,
                      a.scheduled_start
               FROM appointments a JOIN providers p ON p.id = a.provider_id JOIN patients pt ON pt.id = a.patient_id
               WHERE a.clinic_id = %s AND a.booked_via = 'web'""", (clinic.id,))
        rows = await cur.fetchall()
    assert len(rows) == 1
    row = rows[0]
    assert (row["status"], row["provider"], row["last_name"], row["reason"]) == \
        ("SCHEDULED", "Raman", "Garcia", "annual checkup")
    assert row["scheduled_start"].isoformat() == "2027-03-09T14:00:00+00:00"
