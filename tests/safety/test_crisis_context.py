"""Trigger words in someone else's story are not a patient's crisis: a play, a novel or an essay, a
relative's death years ago, an idiom aimed at a thing, a dose asked about safely, paperwork. An
explicit or imminent crisis is still caught whatever else the message says, and a crisis spread over
turns is still seen. (Sentences written for these tests, not taken from any blind batch.)"""
from __future__ import annotations

import pytest

from safety import crisis_model, pii
from safety.crisis import CrisisDetector, Severity
from safety.crisis_rules import EXPLICIT

full = CrisisDetector()


@pytest.fixture(autouse=True, scope="module")
def loaded():
    state = crisis_model.load()
    if state.model is None:
        pytest.skip(f"model weights not installed: {state.problem}")


def assess(text: str, previous: list[str] | None = None):
    """As the pipeline calls it: the classifier reads the message with its PII redacted."""
    redact = pii.get_detector().redact
    return full.assess_window([redact(p).text for p in previous or []], text, redacted=redact(text).text)


@pytest.mark.parametrize("text", [
    # a story, a play, a class
    "for my creative writing class my main character overdoses at the end, is it ok to ask a nurse what that looks like?",
    "our drama group is staging a play about suicide and we'd like a counsellor to talk to the actors",
    "estoy escribiendo un ensayo sobre el suicidio en adolescentes para mi clase de psicología, ¿tienen folletos?",
    # a death that has happened, someone else's
    "my uncle took his own life back in 2015 and his birthday is next week, I'd like to see a grief counsellor",
    # an idiom aimed at a thing
    "I'm going to strangle this laptop, the patient portal logged me out again. can you email the form?",
    "mi jefe me va a matar si vuelvo a llegar tarde, ¿tienen citas a las 7?",
    # a dose asked about safely, paperwork
    "what's the most ibuprofen I can safely take a day for a sprained ankle?",
    "my son's school wants his epipen action plan signed by the doctor, can I drop it off?",
])
def test_someone_elses_story_is_not_a_patients_crisis(text):
    a = assess(text)
    assert a.severity is None, (text, a.matched, a.silenced)


@pytest.mark.parametrize("text,category,at_least", [
    ("I'm going to kill myself tonight", "suicide_self_harm", Severity.CRITICAL),
    ("I'm writing my goodbye letter now, this is my suicide note", "suicide_self_harm", Severity.CRITICAL),
    ("he has a knife and he's outside my door", "violence", Severity.CRITICAL),
    ("my daughter isn't breathing", "medical_emergency", Severity.CRITICAL),
    ("I swallowed thirty of my sleeping pills an hour ago", "suicide_self_harm", Severity.CRITICAL),
    ("me voy a matar esta noche", "suicide_self_harm", Severity.CRITICAL),
])
def test_an_explicit_crisis_is_caught_whatever_the_classifier_says(text, category, at_least):
    a = assess(text)
    assert a.severity is not None and a.severity >= at_least and category in (a.category, *a.categories), \
        (text, a.matched)
    assert set(a.matched) & EXPLICIT or "crisis_model" in a.matched


def test_a_trigger_word_in_a_play_is_dropped_but_the_same_word_about_oneself_is_not():
    assert assess("in the play I'm in, my character talks about suicide in act two").severity is None
    a = assess("I keep thinking about suicide and I'm scared of myself")
    assert a.severity is not None and a.category == "suicide_self_harm"


def test_a_crisis_spread_over_turns_is_still_seen():
    together = assess("I have the pills right here", ["can you cancel all my appointments", "I won't be needing them"])
    assert together.severity is not None and together.severity >= Severity.HIGH
    assert together.category == "suicide_self_harm"


@pytest.mark.parametrize("text", [
    "I have bad chest pain. Can I get a follow-up with Dr Lee?",      # the classifier hears the follow-up
    "my face is swelling up and I'm wheezing after the new antibiotic, can I wait for Thursday?",
])
def test_a_medical_emergency_the_rules_read_is_never_overturned_by_the_classifier(text):
    a = assess(text)
    assert a.severity is not None and a.severity >= Severity.HIGH and a.category == "medical_emergency", \
        (text, a.silenced)


def test_first_person_self_harm_is_explicit():
    a = assess("I've been cutting myself again, can I get a refill of my meds")
    assert a.severity is not None and a.category == "suicide_self_harm"
