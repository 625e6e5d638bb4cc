"""A new request (no question open) is read by the classifier over the rules' keyword readings
(dialogue/nlu/combine.py, `new_request`), with margins chosen by cross-validation.

The phrasings below are in none of the training or evaluation files; each was read wrong before this
change (a cancellation or a move read as a booking from the word "appointment", a question about
insurance or results read as a clinic request, a request for a person read as a "no" or an "abort",
thanks read as a yes) and is read right now.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import pytest
from nlu_test_support import CHICAGO, FRIDAY, ROSTER

from dialogue.nlu import EmbeddedUnderstanding, Intent, NLUContext, NLUResult
from dialogue.nlu.intent_model import IntentHead
from safety import crisis_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nlu() -> EmbeddedUnderstanding:
    state = crisis_model.current()
    assert state.model is not None, f"the MiniLM weights are required for these tests: {state.problem}"
    return EmbeddedUnderstanding(encoder=state.model.encoder)


def read(nlu: EmbeddedUnderstanding, text: str, expecting: Optional[str] = None) -> NLUResult:
    return nlu.understand(text, NLUContext(timezone=CHICAGO, now=FRIDAY, roster=ROSTER, expecting=expecting))


CASES = [
    # a cancellation or a move, not a booking, although the message says "appt" / "visit" / "physical"
    ("ditch my appt tomorrow please", Intent.CANCELLATION),
    ("need to mvoe my visit to next week", Intent.RESCHEDULE),
    ("can my physical be pushed a few days", Intent.RESCHEDULE),
    # off-topic for the receptionist although they name the clinic, a doctor or a test
    ("does the clinic accept medicaid", Intent.OUT_OF_SCOPE),
    ("did my lab work come back yet", Intent.OUT_OF_SCOPE),
    ("can the doctor refill my inhaler over text", Intent.OUT_OF_SCOPE),
    # a person asked for, an appointment checked
    ("i'd rather deal with a human", Intent.HANDOFF),
    ("quit the robot and get me staff", Intent.HANDOFF),
    ("do you have me down for the 12th", Intent.CHECK_APPOINTMENT),
    # thanks that end the conversation, not a yes
    ("perfect thanx", Intent.GOODBYE),
    # blind set 2's weak kinds, read wrong by the classifier frozen at 3ab6ea4: an appointment elsewhere,
    # a move that doesn't say "move"
    ("I have an appointment at the bank tomorrow, what should I bring?", Intent.OUT_OF_SCOPE),
    ("my car broke down so friday won't work, can you put me on monday instead", Intent.RESCHEDULE),
]


@pytest.mark.parametrize("text,intent", CASES)
def test_a_new_request_is_read_for_what_it_asks(nlu, text, intent):
    got = read(nlu, text)
    assert got.intent == intent, got
    assert got.confidence >= 0.8            # enough for the conversation to act on it


def test_none_of_the_cases_is_a_training_example():
    texts = {json.loads(line)["text"].strip().lower() for f in (ROOT / "fixtures" / "nlu").glob("*.jsonl")
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert not texts & {t for t, _ in CASES}


def test_a_message_of_only_a_provider_a_day_and_a_time_stays_a_booking(nlu):
    got = read(nlu, "Dr. Raman Tuesday evening 4:45")
    assert got.intent == Intent.SCHEDULING and got.provider_id == "p-raman"


def test_a_booking_that_names_a_provider_is_not_read_as_a_question_about_parking(nlu):
    got = read(nlu, "appointment with Lee please")
    assert got.intent == Intent.SCHEDULING


def test_while_a_question_is_open_an_answer_keeps_the_flow(nlu):
    got = read(nlu, "tuesday afternoon", expecting="date")
    assert got.intent == Intent.SCHEDULING and got.answers_expected


def test_the_margins_shipped_are_the_cross_validated_ones():
    head = IntentHead()
    margins = json.loads((ROOT / "fixtures" / "nlu" / "intent_margins.json").read_text(encoding="utf-8"))
    assert dict(head.thresholds.over) == margins
    assert "scheduling:keyword" in margins and "out_of_scope" in margins


@pytest.mark.parametrize("digits", ["3125550123", "03041985#"])
def test_keyed_digits_with_no_question_open_ask_for_nobody(nlu, digits):
    got = read(nlu, digits)          # a phone number keyed on a call is no request for a person
    assert got.intent not in (Intent.HANDOFF, Intent.INFORMATION), got
