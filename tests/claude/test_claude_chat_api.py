"""The Claude path end to end through POST /api/v1/chat: every Claude outcome is a 200 with a sensible reply.

The engine is the real one (Services.build: sessions, calendar, safety, audit on the test database);
only its understanding is ClaudeUnderstanding.from_settings on a mock Anthropic transport.
"""
from __future__ import annotations

import time

import pytest

from tests.claude.anthropic_mock import AnthropicMock, not_called, recorded
from voice_agent.web.settings import Settings

HEARTS = "I need the person who does hearts"
CAPABILITIES = "I can help you book, cancel or reschedule"



async def lee_id(driver) -> str:
    async with driver.pool.connection() as conn:
        cur = await conn.execute("SELECT id::text AS id FROM providers WHERE clinic_id = %s AND last_name = 'Lee'",
                                 (driver.clinic.id,))
        return (await cur.fetchone())["id"]


async def test_good_tool_call_moves_the_booking_on(claude_chat):
    mock = AnthropicMock(recorded("understanding_good_provider"))
    driver = await claude_chat(mock)
    reply = await driver.say(HEARTS)
    assert reply["collected_data"].get("provider_id") == await lee_id(driver)
    assert reply["state"] == "collect_date" and reply["intent"] == "scheduling"
    assert "what day" in reply["message"].lower()
    assert mock.models == [Settings.claude_intent_model]


@pytest.mark.parametrize("fixture", ["understanding_no_tool_use", "understanding_wrong_types",
                                     "understanding_unknown_provider", "understanding_impossible_date",
                                     "understanding_past_date"])
async def test_malformed_tool_call_is_a_polite_embedded_reply(claude_chat, fixture):
    mock = AnthropicMock(recorded(fixture))
    driver = await claude_chat(mock)
    reply = await driver.say(HEARTS)                       # asserts 200
    assert len(mock.requests) == 1
    assert "provider_id" not in reply["collected_data"] and "date" not in reply["collected_data"]
    assert CAPABILITIES in reply["message"] and reply["state"] == "idle"


async def test_overload_then_fallback_model(claude_chat):
    mock = AnthropicMock(recorded("error_overloaded_529", 529), recorded("understanding_good_provider"))
    driver = await claude_chat(mock)
    reply = await driver.say(HEARTS)
    assert mock.models == [Settings.claude_intent_model, Settings.claude_fallback_model]
    assert reply["collected_data"].get("provider_id") == await lee_id(driver)
    assert reply["state"] == "collect_date"


async def test_both_models_overloaded(claude_chat):
    mock = AnthropicMock(recorded("error_overloaded_529", 529), recorded("error_overloaded_529", 529))
    driver = await claude_chat(mock)
    reply = await driver.say(HEARTS)
    assert len(mock.requests) == 2 and CAPABILITIES in reply["message"]


async def test_timeout_answers_within_budget(claude_chat):
    mock = AnthropicMock(recorded("understanding_good_provider", delay=3.0))
    driver = await claude_chat(mock, timeout=0.2)
    started = time.perf_counter()
    reply = await driver.say(HEARTS)
    elapsed = time.perf_counter() - started
    assert CAPABILITIES in reply["message"]
    assert elapsed < 0.2 + 0.25, elapsed        # the budget plus one ordinary turn on a test database


async def test_confident_turns_do_not_call_claude(claude_chat):
    mock = AnthropicMock(not_called)
    driver = await claude_chat(mock)
    reply = await driver.say("I'd like to book with Dr. Raman next Tuesday at 3")
    assert reply["state"] == "showing_slots" and mock.requests == []


async def test_claude_assisted_booking_end_to_end(claude_chat):
    """Claude fills the provider; the rest is embedded, identity answers never leave; the booking lands."""
    mock = AnthropicMock(recorded("understanding_good_provider"))
    driver = await claude_chat(mock, timeout=5.0)   # not a timeout test: slack for a cold first call
    await driver.say(HEARTS)
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
    assert reply["state"] == "booked" and reply["booking_id"]
    booked = [a for a in await driver.appointments() if a["status"] != "cancelled"]
    assert len(booked) == 1 and booked[0]["provider"] == "Lee" and booked[0]["last_name"] == "Garcia"
    assert len(mock.requests) == 1
    sent = mock.sent_text()
    assert "Garcia" not in sent and "555-0123" not in sent and "1985" not in sent
