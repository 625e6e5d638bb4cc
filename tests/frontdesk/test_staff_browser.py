"""The front desk in a real browser (Debian's headless Chromium driven by Playwright, no browser
download): a patient on the web chat asks for a person, the handoff appears on the signed-in staff
page within a second (server-sent events from PostgreSQL NOTIFY), and the reply staff type there
reaches the patient's open chat page."""
from __future__ import annotations

import pytest

import time
from datetime import datetime

from tests.channels.conftest import build_app
from tests.channels.test_webchat_browser import ARGS, CHROMIUM, serve
from tests.frontdesk.conftest import PASSWORD, add_staff

pytestmark = pytest.mark.serial        # times what a caller/browser sees: run alone (scripts/test)


NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")      # a Friday morning: the desk is open


async def signed_in_desk(browser, base: str, email: str, errors: list[str]):
    """The staff page, signed in and live; page errors are collected in ``errors``."""
    from playwright.async_api import expect

    desk = await (await browser.new_context()).new_page()
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    await desk.goto(f"{base}/staff")
    await desk.get_by_label("Email").fill(email)
    await desk.get_by_label("Password").fill(PASSWORD)
    await desk.get_by_role("button", name="Sign in").click()
    await desk.wait_for_selector("body[data-ready=true]")
    await expect(desk.locator("#live")).to_have_text("Live.")
    return desk


async def test_web_chat_handoff_reaches_the_staff_page_and_the_reply_reaches_the_patient(
        make_clinic, settings, pool, redis):
    from playwright.async_api import async_playwright, expect

    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)

    def factory(base_url: str):
        app, _ = build_app(settings, pool, redis, NOW, public_base_url=base_url)
        return app

    async with serve(factory) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            errors: list[str] = []
            desk = await signed_in_desk(browser, base, email, errors)
            await expect(desk.locator("#empty")).to_be_visible()

            patient = await (await browser.new_context()).new_page()
            patient.on("pageerror", lambda exc: errors.append(str(exc)))
            await patient.goto(f"{base}/chat/{clinic.data['slug']}")
            await patient.wait_for_selector("body[data-ready=true]")
            clinic_msgs = patient.locator("#log .from-clinic")
            await expect(clinic_msgs.first).to_contain_text("How can I help")
            box = patient.get_by_label("Your message")
            await box.fill("I'd like to book with Dr. Raman next Tuesday morning")
            await box.press("Enter")
            await expect(clinic_msgs).to_have_count(2)
            await box.fill("I want to talk to a real person")
            await box.press("Enter")
            await expect(clinic_msgs).to_have_count(3)
            answered = time.monotonic()

            card = desk.locator("li.handoff[data-channel=webchat]")
            await expect(card).to_have_count(1, timeout=1000)              # within a second, no reload
            appeared = time.monotonic() - answered
            assert appeared < 1.0, appeared
            await expect(card.locator(".summary")).to_contain_text("book an appointment")
            await expect(card.locator(".transcript")).to_contain_text("real person")

            await card.get_by_role("button", name="Claim").click()
            await expect(card.locator(".status")).to_have_text("claimed")
            await card.get_by_label("Reply to the patient").fill("Hi, this is Sam at the front desk. How can I help?")
            await card.get_by_role("button", name="Reply to the patient").click()
            await expect(desk.locator("#live")).to_have_text("Reply sent.")

            staff_msg = patient.locator("#log .from-staff")
            await expect(staff_msg).to_have_count(1, timeout=10_000)     # polled every second
            await expect(staff_msg).to_contain_text("this is Sam at the front desk")

            await card.get_by_label("Close (note)").fill("Answered on chat.")
            await card.get_by_role("button", name="Close").click()
            await expect(desk.locator("li.handoff")).to_have_count(0)
            await expect(desk.locator("#empty")).to_be_visible()

            await patient.reload()                                     # the reply is in the history too
            await patient.wait_for_selector("body[data-ready=true]")
            await expect(patient.locator("#log .from-staff")).to_have_count(1)
            assert errors == [], errors
        finally:
            await browser.close()


async def test_a_reply_being_typed_keeps_its_text_and_focus_when_another_handoff_arrives(
        make_clinic, settings, pool, redis):
    """Staff typing a reply when a second patient asks for a person: the list updates under them and
    the next keys still land in the reply they were writing (the page used to rebuild every card,
    so the focus fell to the page and the rest of the sentence went nowhere)."""
    from playwright.async_api import async_playwright, expect

    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)

    def factory(base_url: str):
        app, _ = build_app(settings, pool, redis, NOW, public_base_url=base_url)
        return app

    async def ask_for_a_person(browser, base: str) -> None:
        page = await (await browser.new_context()).new_page()
        await page.goto(f"{base}/chat/{clinic.data['slug']}")
        await page.wait_for_selector("body[data-ready=true]")
        await page.get_by_label("Your message").fill("I want to talk to a real person")
        await page.get_by_label("Your message").press("Enter")
        await expect(page.locator("#log .from-clinic")).to_have_count(2)

    async with serve(factory) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            desk = await signed_in_desk(browser, base, email, [])

            await ask_for_a_person(browser, base)
            cards = desk.locator("li.handoff")
            await expect(cards).to_have_count(1)
            first = cards.first.get_attribute("data-id")
            reply = desk.locator(f"li.handoff[data-id='{await first}']").get_by_label("Reply to the patient")
            await reply.click()
            await desk.keyboard.type("Hi, this is Sam")

            await ask_for_a_person(browser, base)
            await expect(cards).to_have_count(2)
            await desk.keyboard.type(" at the front desk.")
            await expect(reply).to_have_value("Hi, this is Sam at the front desk.")
            await expect(reply).to_be_focused()
        finally:
            await browser.close()
