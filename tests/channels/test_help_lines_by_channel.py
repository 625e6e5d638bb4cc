"""Every crisis script reaches the patient with its help lines, verbatim, on the chat API, the web
chat and SMS. The detector is given the assessment to reach each script directly (the scripts'
wording is what is under test here, not detection); the real engine, output check and transport do
the rest. Then the two messages found wrong from the outside, detected for real."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from safety import resources
from safety.crisis import Severity
from safety.pipeline import SafetyPipeline
from tests.channels.conftest import build_app
from tests.safety.test_help_lines import ALL_SCRIPTS, Forced, expected_numbers

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
CHANNELS = ["chat_api", "webchat", "sms"]
HELP_SCRIPTS = [s for s in ALL_SCRIPTS if expected_numbers(*s)]      # all but the gentle LOW line


class ForcedDetector:
    def __init__(self) -> None:
        self.next: Forced | None = None

    def assess_window(self, previous, text: str, *, redacted: str | None = None, raised: int = 0):
        return self.next


async def send(channel: str, *, sms, webchat, make_clinic, settings, pool, redis, text: str,
               detector: ForcedDetector | None = None) -> str:
    """One patient message on a channel; the reply text the patient receives."""
    if channel == "sms":
        driver = await sms(NOW)
        if detector:
            driver.services.engine.safety.inner = SafetyPipeline(crisis=detector)
        return await driver.text(text)
    if channel == "webchat":
        driver = await webchat(NOW)
        if detector:
            driver.services.engine.safety.inner = SafetyPipeline(crisis=detector)
        return (await driver.say(text))["message"]
    clinic = await make_clinic()
    app, services = build_app(settings, pool, redis, NOW)
    if detector:
        services.engine.safety.inner = SafetyPipeline(crisis=detector)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as c:
        r = await c.post("/api/v1/chat", json={"message": text}, headers=clinic.headers)
    assert r.status_code == 200, r.text
    return r.json()["message"]


@pytest.mark.parametrize("lang,cat,sev", HELP_SCRIPTS)
@pytest.mark.parametrize("channel", CHANNELS)
async def test_every_script_reaches_the_patient_on_every_text_channel(channel, lang, cat, sev, sms, webchat,
                                                                      make_clinic, settings, pool, redis):
    detector = ForcedDetector()
    detector.next = Forced(Severity[sev], cat, lang, [cat])
    reply = await send(channel, sms=sms, webchat=webchat, make_clinic=make_clinic, settings=settings, pool=pool,
                       redis=redis, text="(a message)", detector=detector)
    numbers = expected_numbers(lang, cat, sev)
    for number in numbers:
        assert re.search(rf"(?<![\d-]){re.escape(number)}(?![\d-])", reply), (number, reply)
    assert "can't share that information" not in reply and "no puedo compartir" not in reply


@pytest.mark.parametrize("text,lines,absent", [
    ("My 2 year old got into my blood pressure pills and I think he swallowed some",
     [resources.POISON_CONTROL.number, "911"], ["988"]),
    ("My boyfriend hit me last night and he said he'll kill me when he gets home",
     [resources.DV_HOTLINE.number, "911"], []),
    ("I swallowed all of my sleeping tablets an hour ago",
     ["911", resources.POISON_CONTROL.number, "988"], []),
])
@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_reported_messages_get_their_help_lines(channel, text, lines, absent, sms, webchat, make_clinic,
                                                           settings, pool, redis):
    reply = await send(channel, sms=sms, webchat=webchat, make_clinic=make_clinic, settings=settings, pool=pool,
                       redis=redis, text=text)
    for line in lines:
        assert line in reply, (line, reply)
    for line in absent:
        assert line not in reply, (line, reply)
