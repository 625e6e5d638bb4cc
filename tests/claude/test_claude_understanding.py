"""ClaudeUnderstanding against recorded Messages API responses at the HTTP layer (httpx2 MockTransport)."""
from __future__ import annotations

import asyncio
import re
import time
from datetime import date

import pytest

from dialogue.claude_understanding import TOOL, basic_redact, validate, InvalidAnswer
from dialogue.nlu.embedded import EmbeddedUnderstanding
from dialogue.nlu.types import Intent
from tests.claude.anthropic_mock import AnthropicMock, not_called, recorded
from tests.claude.conftest import FALLBACK, LEE, PRIMARY, claude, ctx

HEARTS = "I need the person who does hearts"     # the embedded matcher misses it: out_of_scope, 0.6


def embedded(text, c):
    return EmbeddedUnderstanding().understand(text, c)


def test_the_phrase_is_one_the_embedded_path_misses():
    local = embedded(HEARTS, ctx())
    assert local.confidence < 0.7 and local.provider_id is None and local.specialty is None


# (a) a good tool call ---------------------------------------------------------------------------
async def test_good_tool_call_fills_the_provider():
    mock = AnthropicMock(recorded("understanding_good_provider"))
    result = await claude(mock).understand_async(HEARTS, ctx())
    assert result.provider_id == LEE
    assert result.intent == Intent.SCHEDULING and result.confidence == pytest.approx(0.92)
    request = mock.requests[0]
    assert request["model"] == PRIMARY
    assert request["tool_choice"] == {"type": "tool", "name": "record_understanding"}
    assert request["tools"][0]["name"] == TOOL["name"]
    assert request["messages"] == [{"role": "user", "content": HEARTS}]
    assert "2027-03-05 (Friday)" in request["system"] and f"id={LEE}: Dr. Marcus Lee, Cardiology" in request["system"]


async def test_a_filled_expected_slot_counts_as_an_answer():
    mock = AnthropicMock(recorded("understanding_good_provider"))
    result = await claude(mock).understand_async(HEARTS, ctx("provider"))
    assert result.provider_id == LEE and result.answers_expected


# (b) malformed tool calls -----------------------------------------------------------------------
@pytest.mark.parametrize("fixture", ["understanding_no_tool_use", "understanding_wrong_types",
                                     "understanding_unknown_provider", "understanding_impossible_date",
                                     "understanding_past_date"])
async def test_malformed_answer_leaves_the_embedded_result(fixture):
    mock = AnthropicMock(recorded(fixture))
    result = await claude(mock).understand_async(HEARTS, ctx())
    assert len(mock.requests) == 1
    assert result == embedded(HEARTS, ctx())          # exactly the embedded result, nothing of Claude's
    assert result.provider_id is None and result.date is None


@pytest.mark.parametrize("data, field", [
    ({"intent": "book_now", "confidence": 0.9}, "intent"),
    ({"intent": "scheduling", "confidence": 1.5}, "confidence"),
    ({"intent": "scheduling", "confidence": True}, "confidence"),
    ({"intent": "scheduling", "confidence": 0.9, "provider_id": 7}, "provider_id"),
    ({"intent": "scheduling", "confidence": 0.9, "provider_id": ["x"]}, "provider_id"),
    ({"intent": "scheduling", "confidence": 0.9, "specialty": "Neurosurgery"}, "specialty"),
    ({"intent": "scheduling", "confidence": 0.9, "date": "2027-13-01"}, "date"),
    ({"intent": "scheduling", "confidence": 0.9, "date": "20270309"}, "date"),
    ({"intent": "scheduling", "confidence": 0.9, "date": "2029-03-09"}, "date"),     # beyond a year
    ({"intent": "scheduling", "confidence": 0.9, "time": "25:00"}, "time"),
    ({"intent": "scheduling", "confidence": 0.9, "time": "09:20+05:00"}, "time"),
    ({"intent": "scheduling", "confidence": 0.9, "part_of_day": "midnight"}, "part_of_day"),
    ({"intent": "confirmation", "confidence": 0.9, "yes_no": "yes"}, "yes_no"),
    ({"intent": "information", "confidence": 0.9, "info_topic": "parking"}, "info_topic"),
    ("scheduling", "input"),
])
def test_validation_rejects_each_bad_field(data, field):
    with pytest.raises(InvalidAnswer, match=field):
        validate(data, ctx())


def test_validation_accepts_and_types_a_full_answer():
    ok = validate({"intent": "scheduling", "confidence": 1, "provider_id": LEE, "specialty": "cardiology",
                   "date": "2027-03-09", "time": "15:00", "part_of_day": "afternoon", "yes_no": None,
                   "reason": "chest\x00 pain\n follow up", "unknown_extra": 1}, ctx())
    assert ok["date"] == date(2027, 3, 9) and ok["time"].hour == 15 and ok["specialty"] == "Cardiology"
    assert ok["reason"] == "chest pain follow up" and "yes_no" not in ok


async def test_embedded_slots_are_not_overwritten():
    # the embedded path found Orthopedics; Claude's provider may not replace what the patient said
    text = "the knee lady"
    local = embedded(text, ctx())
    assert local.specialty == "Orthopedics" and local.confidence < 0.7
    mock = AnthropicMock(recorded("understanding_good_provider"))
    result = await claude(mock).understand_async(text, ctx())
    # provider_id was empty, so it is filled, and the specialty gives way to the named provider
    assert result.provider_id == LEE and result.specialty is None


# (c) overload and the fallback model ------------------------------------------------------------
async def test_529_on_primary_tries_the_fallback_model():
    mock = AnthropicMock(recorded("error_overloaded_529", 529), recorded("understanding_good_provider"))
    result = await claude(mock).understand_async(HEARTS, ctx())
    assert mock.models == [PRIMARY, FALLBACK]
    assert result.provider_id == LEE


async def test_429_then_529_falls_back_to_embedded():
    mock = AnthropicMock(recorded("error_rate_limit_429", 429), recorded("error_overloaded_529", 529))
    result = await claude(mock).understand_async(HEARTS, ctx())
    assert mock.models == [PRIMARY, FALLBACK]
    assert result == embedded(HEARTS, ctx())


async def test_both_models_overloaded_gives_the_embedded_result():
    mock = AnthropicMock(recorded("error_overloaded_529", 529), recorded("error_overloaded_529", 529))
    result = await claude(mock).understand_async(HEARTS, ctx())
    assert mock.models == [PRIMARY, FALLBACK] and result == embedded(HEARTS, ctx())


async def test_a_client_error_is_not_retried_on_the_fallback():
    mock = AnthropicMock(recorded("error_overloaded_529", 400))
    result = await claude(mock).understand_async(HEARTS, ctx())
    assert mock.models == [PRIMARY] and result == embedded(HEARTS, ctx())


async def test_garbage_body_gives_the_embedded_result():
    import httpx2

    async def garbage(body):
        return httpx2.Response(200, content=b"<html>502 Bad Gateway</html>", headers={"content-type": "text/html"})
    mock = AnthropicMock(garbage)
    result = await claude(mock).understand_async(HEARTS, ctx())
    assert result == embedded(HEARTS, ctx())


# (d) the hard timeout ---------------------------------------------------------------------------
async def test_timeout_returns_the_embedded_result_within_budget():
    budget = 0.2
    mock = AnthropicMock(recorded("understanding_good_provider", delay=2.0),
                         recorded("understanding_good_provider"))   # the fallback must not be tried
    started = time.perf_counter()
    result = await claude(mock, timeout=budget).understand_async(HEARTS, ctx())
    elapsed = time.perf_counter() - started
    assert elapsed < budget + 0.1, elapsed
    assert result == embedded(HEARTS, ctx())
    assert mock.models == [PRIMARY]


async def test_slow_overload_leaves_no_time_for_the_fallback():
    budget = 0.2
    mock = AnthropicMock(recorded("error_overloaded_529", 529, delay=0.17), recorded("understanding_good_provider",
                                                                                    delay=1.0))
    started = time.perf_counter()
    result = await claude(mock, timeout=budget).understand_async(HEARTS, ctx())
    assert time.perf_counter() - started < budget + 0.1
    assert result == embedded(HEARTS, ctx())


# (e) redaction ----------------------------------------------------------------------------------
PII_TEXT = ("hmm the person who does hearts, call me back at (312) 555-0123 or +1 312 555 0199, "
            "or maria.garcia@example.com, my member number is 88231907, born 03/04/1985, "
            "or five five five one two three four")


async def test_text_sent_to_claude_is_redacted():
    c = ctx()
    mock = AnthropicMock(recorded("understanding_good_provider"))
    await claude(mock, threshold=1.01).understand_async(PII_TEXT, c)     # always ask, to see what is sent
    sent = mock.sent_text()
    content = mock.requests[0]["messages"][0]["content"]
    assert "<PHONE_NUMBER>" in content and "<EMAIL_ADDRESS>" in content and "<NUMBER>" in content
    for leaked in ("555-0123", "555 0199", "maria.garcia", "@example.com", "88231907", "1985",
                   "five five five"):
        assert leaked not in sent, leaked
    # no run of 6+ digits anywhere in what left, except the roster's ids (UUIDs, not patient data)
    assert not re.search(r"\d{6,}", content)
    assert not re.search(r"\d{3}\D{0,2}\d{3}\D?\d{4}", content)


@pytest.mark.parametrize("expecting, text", [("patient_name", "it's for maria, garcia"),
                                             ("date_of_birth", "the fourth of march, eighty five I think"),
                                             ("phone", "my cell, the one ending oh one two three")])
async def test_identity_answers_never_leave(expecting, text):
    mock = AnthropicMock(not_called)
    result = await claude(mock, threshold=1.01).understand_async(text, ctx(expecting))
    assert mock.requests == [] and result == embedded(text, ctx(expecting))


def test_basic_redact_examples():
    assert basic_redact("call 312-555-0123") == "call <PHONE_NUMBER>"
    assert basic_redact("a.b@c.org") == "<EMAIL_ADDRESS>"
    assert basic_redact("id 1234567") == "id <NUMBER>"
    assert basic_redact("nine one nine five five five one two") == "<NUMBER>"
    assert basic_redact("Tuesday at 3:30 with Dr. Lee, 2 kids") == "Tuesday at 3:30 with Dr. Lee, 2 kids"


# (f) confident embedded results never call Claude -----------------------------------------------
@pytest.mark.parametrize("expecting, text", [(None, "I'd like to book with Dr. Raman next Tuesday at 3"),
                                             (None, "hi"), ("confirm", "yes"), (None, "what are your hours?"),
                                             ("slot_choice", "the first one")])
async def test_confident_embedded_never_calls_claude(expecting, text):
    c = ctx(expecting, shown=3)
    assert embedded(text, c).confidence >= 0.7
    mock = AnthropicMock(not_called)
    result = await claude(mock).understand_async(text, c)
    assert mock.requests == [] and result == embedded(text, c)


async def test_concurrent_calls_each_keep_their_budget():
    budget = 0.2
    mock = AnthropicMock(*[recorded("understanding_good_provider", delay=1.0) for _ in range(10)])
    understanding = claude(mock, timeout=budget)
    started = time.perf_counter()
    results = await asyncio.gather(*[understanding.understand_async(HEARTS, ctx()) for _ in range(10)])
    assert time.perf_counter() - started < budget + 0.15
    assert all(r == embedded(HEARTS, ctx()) for r in results)


async def test_the_wired_claude_path_redacts_names_with_the_engines_own_safety_pipeline(test_env, pool, redis):
    """One safety pipeline per service, built by the composition root: the engine screens with it and
    what is sent to Claude is redacted by its PII detector (names too), not by a second, global one."""
    from voice_agent.services import Services
    from voice_agent.web.settings import load_settings
    settings = load_settings({**test_env, "ANTHROPIC_API_KEY": "sk-ant-test-0000"}, env_file=None)
    engine = Services.build(settings, pool, redis).engine
    wired = engine.understanding.inner
    sent = wired.redact("Hi, this is Maria Garcia, call me at 312-555-0123")
    assert "Maria" not in sent and "<PHONE_NUMBER>" in sent      # names: Presidio's, not the regex floor alone
    assert any(cell.cell_contents is engine.safety.inner.pii for cell in wired.redact.__closure__ or ())
