"""Signs a new writer gave plainly that the rules had no words for (read from what blind batches
10-12 missed; sentences written for these tests, not taken from any batch), and Spanish messages
about an event that is over, which the rules read as happening now."""
from __future__ import annotations

import pytest

from safety.crisis import CrisisDetector, Severity
from safety.crisis_rules import ABUSE, EXPLICIT, MEDICAL, POISONING, SUICIDE, VIOLENCE

rules = CrisisDetector(use_model=False)


@pytest.mark.parametrize("text,kind", [
    ("my albuterol is every 10 minutes today and I can barely get a sentence out", MEDICAL),
    ("woke up and suddenly lost the vision in my left eye, no pain", MEDICAL),
    ("my son is 14, his testicle started hurting an hour ago, it's swollen and he threw up", MEDICAL),
    ("three days after my hernia repair, fever 103 and my wife says I'm not making sense", MEDICAL),
    ("a mi niña le picó algo y respira con silbido, se le está hinchando la cara", MEDICAL),
    ("mi abuela se tomó por error las pastillas de mi abuelo y está muy mareada", POISONING),
    ("most days on the highway I think about steering into the barrier", SUICIDE),
    ("loaded my rifle last night and sat with it for an hour", SUICIDE),
    ("haha my girlfriend threw her phone at my head again", ABUSE),
    ("that guy at work won't stop, so tomorrow there's antifreeze going in his coffee", VIOLENCE),
    ("we all have headaches and my daughter threw up twice, and the furnace has been rattling since Sunday", POISONING),
    ("I've been taking my methotrexate every day by mistake, it's supposed to be weekly", POISONING),
    ("she's been confused all morning, doesn't know where she is, and now she has a fever", MEDICAL),
    ("si ese tipo vuelve a mi casa lo mato, ya tengo con qué", VIOLENCE),
    ("tell my sister sorry. i'm done. already wrote the note", SUICIDE),
    ("can you cancel my physical, I've been giving all my things away this week", SUICIDE),
    ("thanks for being kind on the phone, you're the last person I'll talk to", SUICIDE),
    ("how much ibuprofen wrecks your kidneys? I want to make sure I take more than that", SUICIDE),
])
def test_signs_told_plainly_are_read_by_the_rules(text, kind):
    a = rules.rules(text)
    assert kind in (a.category, *a.categories) and a.severity >= Severity.MEDIUM, (text, a.matched)


def test_a_partners_violence_said_lightly_is_explicit():
    """The classifier, hearing the joke ("lmao"), must not drop it as a trigger word in context."""
    a = rules.rules("lol my husband slapped me again, anyway can I move my physical")
    assert "abuse_by_partner" in a.matched and "abuse_by_partner" in EXPLICIT


@pytest.mark.parametrize("text", [
    "mi abuelo tuvo un infarto en 2019 y ya está bien, el cardiólogo pide un electro de control",
    "necesito el informe del seguro: tuve una sobredosis hace cuatro años y llevo tiempo limpio",
    "quiero agendar el seguimiento de la convulsión del año pasado",
    "vi en las noticias lo del envenenamiento del restaurante; ¿mi cita sigue el viernes?",
    "my wife threw a surprise party at my house, can I move Friday's visit",
    "can we move my colonoscopy? the prep is going to kill me, I need a weekend first",
    "our daycare staff need a CPR and choking refresher, do your nurses teach one?",
    "a student mentioned self-harm in an essay and I reported it to the counselor; do you take teens?",
    "I'm doing great on lithium, no dark thoughts in over a year, I just need the letter",
    "I already wrote the note for school, I just need the doctor to sign it",
    "we're moving next month, I've been giving my old clothes to my sister",
])
def test_an_event_that_is_over_or_in_the_news_is_not_read_as_now(text):
    assert rules.rules(text).severity is None, rules.rules(text).matched


def test_the_same_spanish_event_happening_now_still_counts():
    a = rules.rules("mi papá se tomó por error las pastillas de mi mamá y ahora no responde")
    assert a.severity == Severity.CRITICAL, a.matched


def test_the_writers_own_threat_to_someone_is_violence_whatever_else_it_reads_as():
    """The rules' priority read "poisoning" in the writer's fear and missed the writer's threat; the
    help line for violence (911) leads, and the other kind keeps its lines."""
    from safety.crisis import crisis_response
    a = CrisisDetector(use_model=False).assess(
        "they keep saying my neighbor is poisoning my water and I have to stop him first, the knife is ready")
    assert a.category == VIOLENCE and "911" in crisis_response(a), (a.category, a.categories, a.matched)


@pytest.mark.parametrize("text,kind", [
    ("my husband is going to hurt the kids when he gets home, he said so", ABUSE),
    ("I'm going to kill myself tonight, I have the pills", SUICIDE),
    ("my boyfriend is going to kill me if he finds out I called", ABUSE),
])
def test_someone_elses_threat_or_the_writers_own_intent_is_not_read_as_the_writers_threat(text, kind):
    from safety import crisis_model, pii
    if crisis_model.load().model is None:
        pytest.skip("model weights not installed")
    a = CrisisDetector().assess_window([], text, redacted=pii.get_detector().redact(text).text)
    assert a.category == kind, (text, a.category, a.matched)


def test_a_threat_over_seeking_help_is_not_the_idiom_it_looks_like():
    """"He's gonna kill me if he finds out I called" was masked as the idiom "X will kill me if", and
    the mask silenced the classifier too; the same words over a failed exam stay an idiom."""
    a = rules.rules("he's gonna kill me if he finds out I called")
    assert a.category == ABUSE and a.severity >= Severity.HIGH, a.matched
    for idiom in ("my mom is going to kill me if she finds out I failed chemistry",
                  "my dad will kill me if he finds out i crashed the car"):
        assert rules.rules(idiom).severity is None, (idiom, rules.rules(idiom).matched)
