"""Help lines always reach the patient: every crisis script is written from the resource table, and
the output privacy check lets exactly those numbers through (a patient's or another clinic's
number is still removed)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from safety import resources
from safety.crisis import CrisisDetector, Severity
from safety.crisis_replies import SCRIPTS, crisis_response
from safety.crisis_rules import ABUSE, MEDICAL, POISONING, SUICIDE, VIOLENCE
from safety.pipeline import SafetyPipeline

pipe = SafetyPipeline()
rules = CrisisDetector(use_model=False)
ALL_SCRIPTS = [(lang, cat, sev) for lang, table in SCRIPTS.items() for (cat, sev) in table]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class Forced:
    """An assessment as the detector would give it (to reach each script directly)."""
    severity: Severity
    category: str
    lang: str = "en"
    categories: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)

    @property
    def is_crisis(self) -> bool:
        return True


def expected_numbers(lang: str, cat: str, sev: str, spoken: bool = False) -> list[str]:
    keys = PLACEHOLDER.findall(SCRIPTS[lang][(cat, sev)])
    return [resources.numbers(spoken)[k] for k in keys]


@pytest.mark.parametrize("lang,cat,sev", ALL_SCRIPTS)
@pytest.mark.parametrize("spoken", [False, True], ids=["text", "spoken"])
def test_every_script_passes_the_privacy_check_verbatim(lang, cat, sev, spoken):
    reply = crisis_response(Forced(Severity[sev], cat, lang, [cat]), spoken=spoken)
    verdict = pipe.check_output(reply, [], lang)
    assert verdict.ok and verdict.text == reply
    for number in expected_numbers(lang, cat, sev, spoken):
        assert number in verdict.text


@pytest.mark.parametrize("lang,cat,sev", ALL_SCRIPTS)
def test_scripts_carry_no_number_outside_the_table(lang, cat, sev):
    reply = crisis_response(Forced(Severity[sev], cat, lang, [cat]))
    assert "{" not in reply
    table = {r.number for r in resources.RESOURCES}
    for run in re.findall(r"\d[\d-]*\d|\d", reply):
        assert run in table or run == "2", (run, reply)      # "oprima 2 para español"


def test_a_new_resource_is_allowed_by_construction(monkeypatch):
    extra = resources.Resource("trevor", "1-866-488-7386", "1 8 6 6, 4 8 8, 7 3 8 6", "The Trevor Project", "Trevor")
    monkeypatch.setattr(resources, "RESOURCES", (*resources.RESOURCES, extra))
    reply = "You can also call The Trevor Project at 1-866-488-7386."
    assert pipe.check_output(reply, []).ok


def test_a_patients_number_or_another_clinics_is_still_caught():
    script = crisis_response(Forced(Severity.HIGH, POISONING, "en", [POISONING]))
    own_clinic = "+1 312 555 0100"
    leaked_patient = f"{script} We have your number as 773-555-0142."
    v = pipe.check_output(leaked_patient, [own_clinic])
    assert not v.ok and "773" not in v.text and "1-800-222-1222" not in v.text
    other_clinic = f"{script} Or call our other office at (847) 555-0199."
    assert not pipe.check_output(other_clinic, [own_clinic]).ok
    ours = f"{script} You can also reach the front desk at (312) 555-0100."
    assert pipe.check_output(ours, [own_clinic]).ok


def test_a_childs_accidental_ingestion_gets_poison_control_and_911_not_self_harm_lines():
    a = rules.assess("My 2 year old got into my blood pressure pills, I think he swallowed some")
    assert a.category == POISONING and SUICIDE not in a.categories
    reply = crisis_response(a)
    assert "1-800-222-1222" in reply and "911" in reply and "988" not in reply


@pytest.mark.parametrize("text", [
    "I swallowed all of my sleeping tablets an hour ago",
    "I took a whole bottle of my antidepressants because I want to die",
])
def test_an_intentional_overdose_gets_911_poison_control_and_988(text):
    reply = crisis_response(rules.assess(text))
    assert "911" in reply and "1-800-222-1222" in reply and "988" in reply


@pytest.mark.parametrize("text,cat,lines", [
    ("I'm going to kill myself tonight, I have the pills ready", SUICIDE, ["911", "988", "741741"]),
    ("My husband hits me and said he will kill me when he gets home", ABUSE, ["1-800-799-7233", "911"]),
    ("I'm going to shoot my boss when he walks in tomorrow", VIOLENCE, ["911"]),
    ("crushing chest pain right now and my left arm is numb", MEDICAL, ["911"]),
])
def test_each_category_routes_to_its_own_lines(text, cat, lines):
    a = rules.assess(text)
    assert a.category == cat
    reply = crisis_response(a)
    for line in lines:
        assert line in reply


@pytest.mark.parametrize("lang,cat", sorted({(lang, cat) for lang, cat, _ in ALL_SCRIPTS}))
def test_imminent_risk_leads_with_911(lang, cat):
    reply = crisis_response(Forced(Severity.CRITICAL, cat, lang, [cat]))
    first = min((reply.find(r.number) for r in resources.RESOURCES if r.number in reply), default=-1)
    assert first >= 0 and reply[first:].startswith("911"), reply


def test_the_pipeline_speaks_numbers_digit_by_digit_on_a_call():
    text = "My daughter drank some bleach from under the sink"
    sms = SafetyPipeline(crisis=rules).check_input(text, {"channel": "sms"})
    call = SafetyPipeline(crisis=rules).check_input(text, {"channel": "voice"})
    assert "1-800-222-1222" in sms.reply and "1 8 0 0, 2 2 2, 1 2 2 2" in call.reply
    assert pipe.check_output(call.reply, []).text == call.reply


@pytest.mark.parametrize("text,lang", [
    ("everyone would be better off without me", "en"),          # "me" is English too
    ("someone please help me, no one cares about me anymore", "en"),
    ("me voy a suicidar", "es"),                                 # so the reply says "oprima 2 para español"
    ("no puedo respirar", "es"),
])
def test_a_crisis_reply_is_in_the_patients_language(text, lang):
    v = SafetyPipeline().check_input(text)
    assert v.crisis.is_crisis and v.lang == lang
    spanish = "llame" in v.reply.lower()
    assert spanish == (lang == "es"), v.reply
