"""Intents, yes/no, corrections, out of scope, texting style, API surface."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest

from dialogue.nlu import EmbeddedUnderstanding, Intent, NLUContext, Understanding

from nlu_test_support import CHICAGO, FRIDAY, ROSTER


@pytest.mark.parametrize(
    "text,intent",
    [
        ("I'd like to book an appointment", Intent.SCHEDULING),
        ("can I see dr raman next week", Intent.SCHEDULING),
        ("i need to cancel my appointment", Intent.CANCELLATION),
        ("I can't make it tomorrow, please cancel", Intent.CANCELLATION),
        ("can I move my appointment to friday", Intent.RESCHEDULE),
        ("I need to change the time", Intent.RESCHEDULE),
        ("when is my appointment", Intent.CHECK_APPOINTMENT),
        ("do I have an appointment this week?", Intent.CHECK_APPOINTMENT),
        ("can I talk to a person", Intent.HANDOFF),
        ("representative", Intent.HANDOFF),
        ("operator please", Intent.HANDOFF),
        ("put me through to the front desk", Intent.HANDOFF),
        ("hello", Intent.GREETING),
        ("good morning!", Intent.GREETING),
        ("bye", Intent.GOODBYE),
        ("thanks, that's all", Intent.GOODBYE),
        ("what are your hours", Intent.INFORMATION),
        ("where are you located", Intent.INFORMATION),
        ("what's your phone number", Intent.INFORMATION),
        ("which doctors do you have", Intent.INFORMATION),
    ],
)
def test_intents(understand, text, intent):
    assert understand(text).intent == intent


def test_info_topics(understand):
    assert understand("what are your hours on saturday").info_topic == "hours"
    assert understand("where are you located").info_topic == "address"
    assert understand("what's your phone number").info_topic == "phone"
    assert understand("which doctors do you have").info_topic == "providers"


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather like tomorrow",
        "give me a recipe for lasagna",
        "what is my checking account balance",
        "book a flight to denver",
        "play some jazz music",
        "who won the game last night",
        "how do i change my billing address",
        "which stocks gained the most today",
        "translate hello into french",
        "what's the capital of peru",
    ],
)
def test_out_of_scope(understand, text):
    r = understand(text)
    assert r.intent == Intent.OUT_OF_SCOPE, r.to_dict()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("yes", True), ("yep", True), ("yeah sure", True), ("sounds good", True), ("that works", True),
        ("perfect", True), ("correct", True), ("ok", True), ("go ahead", True), ("please do", True),
        ("book it", True), ("no", False), ("nope", False), ("not really", False),
        ("that doesn't work", False), ("wrong", False), ("neither", False), ("hmm", None),
        ("no problem", True),
    ],
)
def test_yes_no_when_confirming(understand, text, expected):
    r = understand(text, expecting="confirm")
    assert r.yes_no is expected
    if expected is not None:
        assert r.intent == Intent.CONFIRMATION


def test_no_thursday_is_a_correction(understand):
    r = understand("no, thursday", expecting="confirm")
    assert r.yes_no is False and r.is_correction
    assert r.date == dt.date(2019, 3, 7)
    assert r.intent == Intent.CORRECTION


def test_yes_but_is_a_correction_not_a_confirmation(understand):
    r = understand("yes but can we make it 4 instead", expecting="confirm")
    assert r.yes_no is None and r.is_correction
    assert r.time == dt.time(16, 0)
    r = understand("yes, but what's the address?", expecting="confirm")
    assert r.yes_no is True and not r.is_correction


def test_implicit_change_during_confirm_is_a_no(understand):
    r = understand("Make it the 14th of March.", expecting="confirm")
    assert r.yes_no is False and r.is_correction and r.date == dt.date(2019, 3, 14)


@pytest.mark.parametrize(
    "text,slot,value",
    [
        ("actually thursday", "date", dt.date(2019, 3, 7)),
        ("no, Dr. Raman", "provider_id", "p-raman"),
        ("I meant 4", "time", dt.time(16, 0)),
    ],
)
def test_corrections(understand, text, slot, value):
    r = understand(text)
    assert r.is_correction
    assert r.intent == Intent.CORRECTION
    assert getattr(r, slot) == value


def test_texting_style_and_typos(understand):
    r = understand("can u resched my appt to tmrw pls")
    assert r.intent == Intent.RESCHEDULE
    assert r.date == dt.date(2019, 3, 2)
    r = understand("need appt w dr lee wensday aftrnoon")
    assert r.intent == Intent.SCHEDULING
    assert r.date == dt.date(2019, 3, 6)
    assert sorted(r.provider_ambiguous) == ["p-dlee", "p-slee"]
    assert understand("cancle my apt").intent == Intent.CANCELLATION
    assert understand("yep thx", expecting="confirm").yes_no is True


def test_bare_slot_answer_is_scheduling_with_answers_expected(understand):
    r = understand("tomorrow at 3", expecting="date")
    assert r.intent == Intent.SCHEDULING and r.answers_expected
    r = understand("tomorrow at 3")
    assert r.intent == Intent.SCHEDULING


def test_empty_text_is_unknown(understand):
    r = understand("   ")
    assert r.intent == Intent.UNKNOWN and r.confidence == 0.0


def test_async_protocol():
    nlu = EmbeddedUnderstanding()
    assert isinstance(nlu, Understanding)
    ctx = NLUContext(timezone=CHICAGO, now=FRIDAY, roster=ROSTER)
    r = asyncio.run(nlu.understand_async("book me with dr raman on monday", ctx))
    assert r.provider_id == "p-raman" and r.date == dt.date(2019, 3, 4)


def test_context_validation():
    with pytest.raises(ValueError):
        NLUContext(timezone=CHICAGO, now=dt.datetime(2019, 3, 1, 9), roster=[])
    with pytest.raises(ValueError):
        NLUContext(timezone=CHICAGO, now=FRIDAY, roster=[], expecting="shoe_size")


def test_latency_is_small(understand):
    msgs = ["I'd like to see dr raman next tuesday at 3:30 pm", "no, thursday", "what are your hours",
            "four one five five five five one two three four", "what's the weather like"] * 40
    t0 = time.perf_counter()
    for m in msgs:
        understand(m)
    per_msg_ms = (time.perf_counter() - t0) * 1000 / len(msgs)
    assert per_msg_ms < 5.0


@pytest.mark.parametrize("text", ["what's the front desk's number", "can I have the number for the front desk?"])
def test_a_question_about_the_desks_number_asks_for_the_number_not_a_person(understand, text):
    got = understand(text)          # read by the understanding, not patched by the conversation
    assert (got.intent, got.info_topic) == (Intent.INFORMATION, "phone")


@pytest.mark.parametrize("text", ["move my Dr. Raman appointment to Thursday", "can we push our 3 pm visit with Dr. Lee"])
def test_moving_my_appointment_named_at_length_is_a_move(understand, text):
    got = understand(text)
    assert got.intent == Intent.RESCHEDULE and got.confidence >= 0.85
