"""Claude failing in the middle of a conversation (overloaded 529 on both models, or no answer in the
time budget): the embedded understanding carries the turn, the patient is asked the same question
again in plain words, what was already collected is kept, and the booking still completes."""
from __future__ import annotations

import time

import pytest

from tests.claude.anthropic_mock import AnthropicMock, recorded
from tests.claude.conftest import claude_chat  # noqa: F401  (the fixture: the chat API on a mock Anthropic transport)

HEARTS = "I need the person who does hearts"
UNCLEAR = "hmm well it depends on my shifts really"     # the embedded NLU is unsure: Claude is asked


def overloaded_twice() -> list:
    return [recorded("error_overloaded_529", 529), recorded("error_overloaded_529", 529)]


def too_slow() -> list:
    return [recorded("understanding_good_provider", delay=3.0)]


@pytest.mark.parametrize("fault", [overloaded_twice, too_slow], ids=["529", "timeout"])
async def test_claude_failing_mid_conversation_leaves_the_patient_answered(claude_chat, fault):
    mock = AnthropicMock(recorded("understanding_good_provider"), *fault())
    driver = await claude_chat(mock, timeout=0.5)
    reply = await driver.say(HEARTS)                         # Claude works: it found the cardiologist
    assert reply["state"] == "collect_date", reply
    provider = reply["collected_data"]["provider_id"]

    started = time.perf_counter()
    reply = await driver.say(UNCLEAR)                        # Claude fails on this turn
    elapsed = time.perf_counter() - started
    assert len(mock.requests) == 1 + len(fault()), "Claude was not asked on the unclear turn"
    assert elapsed < 0.5 + 0.5, elapsed                      # the budget, not the SDK's own timeout
    assert reply["state"] == "collect_date" and reply["collected_data"]["provider_id"] == provider
    assert "day" in reply["message"].lower(), reply["message"]   # the same question, asked again

    # The rest is understood locally; the booking lands with the provider Claude found.
    await driver.say("next Tuesday")
    reply = await driver.say("in the afternoon")
    assert reply["state"] == "showing_slots", reply
    await driver.say("1")
    await driver.say("Maria Garcia")
    await driver.say("03/04/1985")
    await driver.say("312-555-0123")
    reply = await driver.say("palpitations")
    assert reply["state"] == "confirm_booking" and "Marcus Lee" in reply["message"], reply
    reply = await driver.say("yes")
    assert reply["state"] == "booked" and reply["booking_id"], reply
