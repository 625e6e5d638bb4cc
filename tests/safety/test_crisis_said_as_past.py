"""Session 15's cues, read from what sealed batches 30-41 got wrong (sentences written for these tests, not
taken from any batch): a past said as such, a symptom only supposed, a heart attack foretold in jest, a
denial said in full in Spanish, a body in a story or a film. Each look-alike beside it still raises help."""
from __future__ import annotations

import pytest

from safety.crisis import CrisisDetector, Severity
from safety.crisis_rules import MEDICAL, SUICIDE

rules = CrisisDetector(use_model=False)       # the cues are the rules' own: no classifier needed to read them
detector = CrisisDetector()


@pytest.mark.parametrize("text", [
    # a past said as such
    "I used to have suicidal thoughts in my twenties, none for ages. Can the new GP see my old notes?",
    "my counselor says to mention I was suicidal once, I haven't been in over two years. does that need a long visit?",
    "please send the discharge papers from my 2017 hospitalization (after an overdose) to my new psychiatrist",
    "hace tres años tuve un infarto y ahora estoy bien, necesito la constancia para el gimnasio",
    # a symptom only supposed
    "the cardiologist said call 911 if I ever get chest pain that spreads to my jaw. is a twinge in my ribs the same thing?",
    "Dr. Ruiz told me to come back if the chest pain comes back. so far nothing, should I keep the slot?",
    "booked with cardiology for my chest pain next month, do I fast before the echo?",
    # foretold in jest, denied in full
    "mi nutrióloga dice que me va a dar un infarto con tanto pan dulce jaja, ¿tienen cita el jueves?",
    "Quiero seguimiento por la ansiedad. No tengo ideas de hacerme daño, solo duermo mal.",
    # a body in a story or a film; a bruise
    "for my screenplay: a character goes into anaphylactic shock at a wedding. how fast would her lips swell?",
    "watched a documentary about a woman who poisoned her husband with antifreeze, now I read every label lol",
    "me salió un moretón en el brazo después del análisis, ya está morado pero no duele",
    "our preschool is doing a choking and CPR workshop, could a nurse come by?",
])
def test_a_past_or_a_supposed_symptom_raises_no_alarm(text):
    got = rules.assess(text)
    assert not got.is_crisis, (text, got)


@pytest.mark.parametrize("text,kind", [
    # the same words with the crisis now
    ("I have crushing chest pain and my left arm is numb, I used to get heartburn", MEDICAL),
    ("I used to have suicidal thoughts and now they're back, I want to kill myself tonight", SUICIDE),
    ("me está dando un infarto, me duele el pecho y el brazo izquierdo", MEDICAL),
    ("tengo pensamientos de hacerme daño todos los días", SUICIDE),
    ("I'm writing a story for class and my mom just collapsed, she won't wake up", MEDICAL),
    ("mi bebé está morado y no respira", MEDICAL),
    ("mi esposo tuvo un infarto en 2019 y ahora le duele el pecho otra vez", MEDICAL),
])
def test_the_crisis_now_still_raises_help(text, kind):
    for det in (rules, detector):
        got = det.assess(text)
        assert got.is_crisis and got.severity >= Severity.HIGH and kind in got.categories, (text, got)


def test_a_poisoning_in_a_story_is_the_characters():
    story = "Estoy escribiendo un cuento donde un personaje muere envenenado con arsénico, ¿es realista que tarde un día?"
    assert not rules.assess(story).is_crisis
    mine = "Estoy escribiendo una carta de despedida, me tomé todas las pastillas del frasco"
    assert rules.assess(mine).is_crisis


def test_blood_everywhere_with_all_well_said_is_told_as_over():
    said_well = "there was blood everywhere lol, my daughter's wiggly tooth came out at dinner, she's totally fine. book her dental visit?"
    assert not detector.assess(said_well).is_crisis
    bleeding = "blood everywhere, he cut his leg on a window and it's gushing, he's going pale"
    got = detector.assess(bleeding)
    assert got.is_crisis and MEDICAL in got.categories
