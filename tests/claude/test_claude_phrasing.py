"""ClaudePhrasing against recorded Messages API responses: kept when every fact survives, else the template."""
from __future__ import annotations

import time

import pytest

from dialogue.claude_phrasing import ClaudePhrasing, must_keep, problems
from tests.claude.anthropic_mock import AnthropicMock, not_called, recorded

TEMPLATE = "To confirm: Dr. Priya Raman on Tuesday, March 9th at 9:20 AM for annual checkup. Shall I book it?"
FACTS = {"provider_name": "Dr. Priya Raman", "when": "Tuesday, March 9th at 9:20 AM", "reason": "annual checkup"}
CTX = {"channel": "voice", "clinic_name": "Lakeside Family Clinic"}


def phrasing(mock: AnthropicMock, timeout: float = 1.0) -> ClaudePhrasing:
    return ClaudePhrasing(mock.sdk_client(timeout), "claude-haiku-4-5", timeout)


async def test_a_good_rephrasing_is_kept():
    mock = AnthropicMock(recorded("phrasing_good"))
    out = await phrasing(mock).phrase(TEMPLATE, {k: v for k, v in FACTS.items() if k != "reason"}, CTX)
    assert out.startswith("Great, just to double-check: that's Dr. Priya Raman on Tuesday, March 9th at 9:20 AM")
    request = mock.requests[0]
    assert request["messages"] == [{"role": "user", "content": TEMPLATE}]
    assert "spoken aloud on a phone call" in request["system"] and "no markdown" in request["system"]


@pytest.mark.parametrize("fixture", ["phrasing_changed_time", "phrasing_dropped_provider", "phrasing_markdown",
                                     "phrasing_added_phone"])
async def test_a_rephrasing_that_changes_a_fact_gives_the_template(fixture):
    mock = AnthropicMock(recorded(fixture))
    assert await phrasing(mock).phrase(TEMPLATE, FACTS, CTX) == TEMPLATE


async def test_a_reason_fact_kept_verbatim_in_the_rephrasing():
    # the good fixture says "your annual checkup": fine; a facts value not in the template is not required
    mock = AnthropicMock(recorded("phrasing_good"))
    assert await phrasing(mock).phrase(TEMPLATE, FACTS, CTX) != TEMPLATE


async def test_timeout_gives_the_template_within_budget():
    mock = AnthropicMock(recorded("phrasing_good", delay=2.0))
    started = time.perf_counter()
    out = await phrasing(mock, timeout=0.2).phrase(TEMPLATE, FACTS, CTX)
    assert out == TEMPLATE and time.perf_counter() - started < 0.3


@pytest.mark.parametrize("status", [529, 429, 500, 400])
async def test_api_errors_give_the_template(status):
    mock = AnthropicMock(recorded("error_overloaded_529", status))
    assert await phrasing(mock).phrase(TEMPLATE, FACTS, CTX) == TEMPLATE


async def test_a_tool_use_or_empty_answer_gives_the_template():
    mock = AnthropicMock(recorded("understanding_no_tool_use"), recorded("understanding_good_provider"))
    # a text answer that drops every fact, then a tool call with no text at all
    assert await phrasing(mock).phrase(TEMPLATE, FACTS, CTX) == TEMPLATE
    assert await phrasing(mock).phrase(TEMPLATE, FACTS, CTX) == TEMPLATE


async def test_replies_with_personal_looking_data_are_never_sent():
    mock = AnthropicMock(not_called)
    reply = "I've asked a member of our front desk team to follow up with you. You can also call us at +13125550101."
    assert await phrasing(mock).phrase(reply, {}, {"channel": "web"}) == reply
    assert mock.requests == []


def test_must_keep_finds_times_dates_names_and_numbers():
    keep = must_keep(TEMPLATE, FACTS)
    assert {"9:20 AM", "March 9th", "Tuesday", "Dr. Priya Raman", "annual checkup"} <= keep


@pytest.mark.parametrize("candidate, reason", [
    ("Sure! Dr. Priya Raman, Tuesday, March 9th at 9:20 AM, annual checkup, costs $40. Shall I book it?", "$40"),
    ("Dr. Priya Raman on Tuesday, March 9th at 9:20 AM or Wednesday for annual checkup. Book it?", "Wednesday"),
    ("Dr. Priya Raman on Tuesday, March 9th at 9:20 AM for annual checkup, arrive by 9:05 AM. Book it?", "9:05"),
    ("Dr. Priya Raman on Tuesday, March 9th at 9:20 AM for annual checkup. Book it today?", "today"),
    ("Dr. Priya Raman on Tuesday, March 9th at 9:20 AM for annual checkup.", "question"),
    ("Dr. Priya Raman on Tuesday, March 9th at 9:20 AM for annual checkup. Book it? 🙂", "speakable"),
])
def test_problems_catch_additions(candidate, reason):
    found = problems(TEMPLATE, candidate, FACTS)
    assert found and any(reason in p for p in found), found


def test_may_is_not_a_month():
    template = "May I have the patient's first and last name?"
    assert problems(template, "Could I have the patient's first and last name, please?", {}) == []
