"""The kind of crisis decides which help line the patient hears: choked by a partner is abuse (the
Domestic Violence Hotline), fumes from mixed cleaners a poisoning (Poison Control), cutting that
bleeds self-harm (988) — and 911 still leads when the body is in danger. Method-seeking asked as a
casual question is read as self-harm; trips, idioms and events that are over are not. (Sentences
written for these tests, not taken from any blind batch.)"""
from __future__ import annotations

import pytest

from safety import crisis_model, pii
from safety.crisis import CrisisAssessment, CrisisDetector, Severity, crisis_response, kind_by_model
from safety.crisis_model import Prediction
from safety.crisis_rules import ABUSE, DISTRESS, MEDICAL, POISONING, SUICIDE

rules = CrisisDetector(use_model=False)


def assess(text: str):
    """As the pipeline calls it: the classifier reads the message with its PII redacted."""
    state = crisis_model.load()
    if state.model is None:
        pytest.skip(f"model weights not installed: {state.problem}")
    return CrisisDetector().assess_window([], text, redacted=pii.get_detector().redact(text).text)


@pytest.mark.parametrize("text,kind,lines", [
    ("my husband choked me last night until I passed out and I'm scared to go home tonight",
     ABUSE, ["1-800-799-7233", "911"]),
    ("I mixed bleach and ammonia to clean the shower and now I can't stop coughing and my chest burns",
     POISONING, ["1-800-222-1222", "911"]),
    ("I cut myself again tonight, deeper than before, and it won't stop bleeding",
     SUICIDE, ["988", "911"]),
])
def test_a_body_in_trouble_gets_the_help_line_of_why_it_is_in_trouble(text, kind, lines):
    a = assess(text)
    assert a.category == kind, (a.category, a.matched)
    assert a.severity >= Severity.HIGH
    reply = crisis_response(a)
    for number in lines:
        assert number in reply, (number, reply)


def test_a_medical_emergency_stays_one_when_the_classifier_also_sees_a_medical_emergency():
    a = assess("my dad fell off the ladder and hit his head, now he's vomiting and confused and can't stand")
    assert a.category == MEDICAL and a.severity == Severity.CRITICAL
    assert crisis_response(a).index("911") < 80


def _medical_hit() -> CrisisAssessment:
    return CrisisAssessment(severity=Severity.CRITICAL, category=MEDICAL, matched=["trouble_breathing"],
                            categories=[MEDICAL])


@pytest.mark.parametrize("pred,expected", [
    (Prediction(0.97, ABUSE, 0.9), True),                        # sure, and sees no medical emergency
    (Prediction(0.97, ABUSE, 0.9, also=(MEDICAL,)), False),       # it sees a medical emergency too
    (Prediction(0.7, ABUSE, 0.9), False),                         # not sure enough to overrule a keyword
    (Prediction(0.99, DISTRESS, 0.9), False),                     # distress is never the kind over a crisis
])
def test_the_classifier_names_the_kind_over_a_body_state_rule_only_when_sure(pred, expected):
    assert kind_by_model(_medical_hit(), pred, pred.category) is expected


def test_the_classifier_names_the_kind_when_the_rules_found_that_kind_too():
    hit = CrisisAssessment(severity=Severity.CRITICAL, category=MEDICAL, matched=["poisoning_signs", "chest_pain"],
                           categories=[MEDICAL, POISONING])
    assert kind_by_model(hit, Prediction(0.6, POISONING, 0.9, also=(MEDICAL,)), POISONING)
    # a rule of another crisis kind is not overruled by a guess outside the rules' kinds
    self_harm = CrisisAssessment(severity=Severity.HIGH, category=SUICIDE, matched=["self_harm"], categories=[SUICIDE])
    assert not kind_by_model(self_harm, Prediction(0.99, ABUSE, 0.9), ABUSE)


@pytest.mark.parametrize("text", [
    "random question, how long does it take to bleed out from a cut on the neck? just wondering",
    "what's the tallest bridge around here? asking for reasons. also is my copay the same",
    "how high is the top level of your parking deck... for reasons lol",
    "how many of my sleeping pills would it take to not wake up",
    "if someone swallowed all their heart pills at once would it be painless",
    "some nights I wish I could just go to sleep and never wake up. can I move my physical?",
    "book whatever, I don't plan on being around by then anyway",
    "me volví a cortar las piernas anoche",
])
def test_method_seeking_and_passive_wishes_asked_casually_are_read_as_self_harm(text):
    a = rules.rules(text)
    assert SUICIDE in (a.category, *a.categories) and a.severity >= Severity.MEDIUM, (text, a.matched)


@pytest.mark.parametrize("text", [
    "how high is the clearance in your parking garage? my van is almost 8 feet",
    "how many ibuprofen can I safely take in a day for a toothache",
    "how long does it take for a cut to stop bleeding after a blood draw?",
    "I don't plan on being around next month, I'm visiting my sister in Ohio, can we move my visit?",
    "Me quiero morir de la vergüenza, se me pasó la cita. ¿Puedo cambiarla?",
    "La semana pasada tuve dolor de pecho y en urgencias dijeron que era reflujo. Necesito una cita de seguimiento.",
    "I fainted at the gym last Tuesday, they said it was dehydration. Can I get a physical?",
    "do you have leaflets on stroke warning signs for our church group?",
    "I'd like to ask about laser for my old self-harm scars, it's been years",
    "I feel like I want to die lol not literally, the wait was so long. can I reschedule",
    "the CO alarm at work went off during a drill, can I still come in at 3?",
])
def test_everyday_questions_with_the_same_words_are_not_a_crisis_to_the_rules(text):
    a = rules.rules(text)
    assert a.severity is None, (text, a.matched)


def test_a_threat_from_someone_else_is_not_read_as_the_writers_own_intent():
    a = rules.rules("my roommate says he's going to end me when he finds me")
    assert "suicide_intent_now" not in a.matched
    assert "suicide_intent_now" in rules.rules("I'm going to end it all tonight").matched


def test_an_overdose_already_swallowed_gets_poison_control():
    a = rules.rules("I swallowed what was left of my mom's pills an hour ago")
    assert a.category == POISONING and a.severity == Severity.CRITICAL
    assert "1-800-222-1222" in crisis_response(a)


@pytest.mark.parametrize("text,kind", [
    ("took the whole bottle of my sleeping pills after dinner", POISONING),
    ("would a tylenol overdose hurt or do you just kind of fall asleep", SUICIDE),
    ("tengo la cuerda lista en el garaje", SUICIDE),
    ("si me vuelve a gritar lo voy a apuñalar", "violence"),
    ("our CO alarm went off an hour ago and now the kids have headaches and feel sick", POISONING),
    ("stung by a wasp and now there are hives everywhere and I feel faint", MEDICAL),
    ("my chest has been super tight for an hour and my arm tingles", MEDICAL),
    ("mi papá no puede mover el lado derecho y habla raro", MEDICAL),
    ("my ex found my new address and left a note on my car", ABUSE),
    ("my boyfriend threw a bottle at my head last night", ABUSE),
])
def test_kinds_a_new_writer_phrased_differently_are_read_by_the_rules(text, kind):
    a = rules.rules(text)
    assert kind in (a.category, *a.categories) and a.severity >= Severity.HIGH, (text, a.matched)



def test_intent_with_the_weapon_in_hand_is_explicit_whatever_the_classifier_says():
    a = rules.rules("I could hurt him tonight, I've got the knife in my bag")
    assert a.category == "violence" and a.severity == Severity.CRITICAL and "violence_intent_armed" in a.matched
    assert rules.rules("the chef said he'd kill me if I touched his knife again lol").severity is None or \
        "violence_intent_armed" not in rules.rules("the chef said he'd kill me if I touched his knife again lol").matched


@pytest.mark.parametrize("text", ["took 2 tylenol for my headache, can I book for tomorrow",
                                  "I took 3 advil this morning for my back"])
def test_an_ordinary_dose_taken_is_not_an_overdose(text):
    assert rules.rules(text).severity is None, rules.rules(text).matched


@pytest.mark.parametrize("text,kind", [
    ("my husband is slurring and confused and his right arm won't work", MEDICAL),
    ("mi papá tiene un dolor muy fuerte en el pecho y le cuesta respirar", MEDICAL),
    ("took all of my seroquel about 20 min ago", POISONING),
    ("I took approximately 30 extra-strength acetaminophen tablets last night", POISONING),
    ("I swallowed 12 of my sleeping pills", POISONING),
])
def test_emergencies_told_plainly_are_read_by_the_rules(text, kind):
    a = rules.rules(text)
    assert a.category == kind and a.severity == Severity.CRITICAL, (text, a.matched)
