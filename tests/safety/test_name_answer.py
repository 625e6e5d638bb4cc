"""A lower-case name typed at the name question is a name, not the end of a farewell.

Found in the conversation suite: "cancel my appt", then "maria garcia" at the name question, was
answered with the suicide line (the name model reads capitals; the classifier read the two turns as
a farewell)."""
from __future__ import annotations

import pytest

from safety.name_answer import redact_name_answer
from safety.pipeline import Action, SafetyPipeline

CTX = {"recent": ["cancel my appt"], "channel": "web", "raised": 0, "known_names": ["Priya Raman", "Marcus Lee"]}


@pytest.fixture(scope="module")
def pipeline() -> SafetyPipeline:
    return SafetyPipeline()


@pytest.mark.parametrize("name", ["maria garcia", "Maria Garcia", "my name is maria garcia", "it's jean-luc o'neil",
                                  "anne marie de la cruz"])
def test_a_name_at_the_name_question_is_a_name(pipeline, name):
    verdict = pipeline.check_input(name, {**CTX, "answers": "patient_name"})
    assert verdict.action == Action.CONTINUE and verdict.crisis.severity is None
    assert "garcia" not in verdict.text_redacted.lower() and "<PERSON>" in verdict.text_redacted


@pytest.mark.parametrize("said", ["i want to die", "I have the pills right here", "my name doesn't matter anymore, goodbye"])
def test_a_crisis_said_at_the_name_question_is_still_read(pipeline, said):
    verdict = pipeline.check_input(said, {**CTX, "recent": ["I can't do this anymore"], "answers": "patient_name"})
    assert verdict.action == Action.ESCALATE


def test_only_bare_names_are_replaced():
    assert redact_name_answer("maria garcia") == "<PERSON>"
    assert redact_name_answer("my name is ana ruiz.") == "my name is <PERSON>"
    assert redact_name_answer("cancel my appointment please") == "cancel my appointment please"
    assert redact_name_answer("i want to book with dr lee tomorrow") == "i want to book with dr lee tomorrow"
    assert redact_name_answer("03/04/1985") == "03/04/1985"
