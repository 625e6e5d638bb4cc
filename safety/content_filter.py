"""Content filters.

* Input: abusive or harassing language aimed at the assistant or staff → a calm boundary
  (not a block of the conversation, and not for swearing about pain: "this damn pain").
* Output: the assistant never gives a diagnosis, a dose or treatment advice; any reply that
  does (whatever produced it: template or LLM) is replaced by a safe fallback.
* Output: PII leakage — a reply may only contain PII values that belong to the current patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional

from .pii import PIIDetector, PIIFinding, get_detector, normalise_value, PERSON, DATE_OF_BIRTH

# ---- input: abuse -----------------------------------------------------------------

_INSULT = (
    r"(?:idiot|moron|stupid|dumb|useless|worthless|pathetic|incompetent|retard(?:ed)?|bitch|bastard|asshole|"
    r"dumbass|jackass|piece of (?:shit|crap|garbage|trash)|pos|scum|loser|trash|garbage|cunt|whore|slut|twat|dickhead|dick|prick|"
    r"fucking (?:idiot|moron|machine|robot|bot|useless)|f\*+ing \w+)"
)
_TARGET = r"(?:you|u|ya|this (?:bot|robot|machine|thing|ai|assistant|clinic|office|place)|your (?:clinic|office|staff)|y'?all|you guys|the receptionist)"
_ABUSE_PATTERNS = [
    # "you're a useless piece of shit", "you stupid bot"
    rf"\b(?:you(?:'re| are|r)?|u r|ur)\s+(?:such\s+|so\s+|a\s+|an\s+|the\s+|just\s+|fucking\s+|damn\s+|freaking\s+)*{_INSULT}\b",
    rf"\b{_TARGET}\s+(?:is|are)\s+(?:so\s+|such\s+|a\s+|an\s+|fucking\s+)*{_INSULT}\b",
    rf"\b(?:stupid|dumb|useless|fucking|damn|goddamn|worthless)\s+(?:bot|robot|machine|ai|assistant|computer|bitch|idiot)\b",
    r"\b(?:fuck|screw|f\*+k)\s+(?:you|u|off|this (?:bot|robot|machine|clinic|place))\b",
    r"\b(?:shut (?:the fuck |the hell )?up|go to hell|kiss my ass|eat shit|go die)\b",
    r"\b(?:i hate (?:you|this (?:bot|clinic|place)))\b",
    # sexual harassment aimed at the assistant
    r"\b(?:send (?:me )?nudes|are you (?:single|hot|sexy)|talk dirty|you(?:'re| are) (?:hot|sexy))\b",
    # Spanish
    r"\b(?:eres (?:un[ao]? )?(?:idiota|estupid[oa]|inutil|pendej[oa]|imbecil)|vete a la mierda|chinga tu madre|callate)\b",
]
_ABUSE = [re.compile(p, re.IGNORECASE) for p in _ABUSE_PATTERNS]

BOUNDARY_EN = (
    "I want to help you, and I'll keep working on this with you, but I need us to keep things respectful. "
    "What can I do for you?"
)
BOUNDARY_ES = (
    "Quiero ayudarle y seguiré haciéndolo, pero necesito que mantengamos el respeto. ¿En qué le puedo ayudar?"
)


@dataclass(frozen=True)
class AbuseCheck:
    abusive: bool
    reasons: List[str] = field(default_factory=list)


def _fold(text: str) -> str:
    import unicodedata

    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    return t.replace("\u2019", "'").lower()


def check_abuse(text: str) -> AbuseCheck:
    """Abuse directed at the assistant/staff. Swearing about a symptom is not abuse."""
    t = _fold(text or "")
    reasons = [f"abuse_{i}" for i, rx in enumerate(_ABUSE) if rx.search(t)]
    return AbuseCheck(bool(reasons), reasons)


def boundary_reply(lang: str = "en") -> str:
    return BOUNDARY_ES if lang == "es" else BOUNDARY_EN


# ---- output: diagnosis, dosage, treatment advice ------------------------------------

_DRUG_UNITS = r"(?:mg|mcg|µg|ug|milligrams?|micrograms?|grams?|g|ml|mL|milliliters?|cc|units?|iu|teaspoons?|tsp|tablespoons?|tbsp|drops?|puffs?)"
_COUNT = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|half|a half|an?)"
_ADVICE_PATTERNS = [
    ("dose_amount", rf"\b(?:take|taking|give|giving|use|try|start|increase|double|up|raise|lower|cut)\b[^.?!]{{0,40}}?\b\d+(?:\.\d+)?\s*{_DRUG_UNITS}\b"),
    ("dose_amount", rf"\b\d+(?:\.\d+)?\s*{_DRUG_UNITS}\b[^.?!]{{0,30}}\b(?:every|each|per|a|twice|three times|once|daily|at bedtime|as needed)\b"),
    ("dose_units", rf"\b{_COUNT}\s+(?:tablets?|pills?|capsules?|caps|doses?|puffs?|drops?|teaspoons?|tablespoons?)\b[^.?!]{{0,40}}\b"
     r"(?:every|each|per|twice|three times|once|daily|a day|at night|with food|as needed|hours?)\b"),
    ("dose_schedule", r"\bevery\s+\d+(?:\s*(?:-|to)\s*\d+)?\s*(?:hours?|hrs?|h)\b"),
    ("treatment_advice", r"\b(?:you should|you'll want to|i(?:'d)? (?:recommend|suggest|advise)|i recommend|try|just|go ahead and|make sure to|be sure to)\s+"
     r"(?:take|taking|use|using|start|stop|stopping|double|skip|apply|ice|increase|decrease|switch)\b[^.?!]{0,40}\b"
     r"(?:ibuprofen|advil|motrin|tylenol|acetaminophen|paracetamol|aspirin|aleve|naproxen|benadryl|antibiotics?|amoxicillin|"
     r"insulin|prednisone|steroids?|medications?|medicine|meds|pills?|dose|antihistamines?|cream|inhaler|blood thinners?|warfarin)\b"),
    ("treatment_advice", r"\b(?:stop|don't|do not|no need to)\s+(?:take|taking|use|using)\s+(?:your|the|any|this)\s+(?:\w+\s+)?"
     r"(?:medications?|medicine|meds|pills?|insulin|antibiotics?|inhaler|blood thinners?)\b"),
    ("diagnosis", r"\b(?:you(?:'ve| have)?|it(?:'s| is)|that(?:'s| is)|this (?:is|sounds like|looks like)|sounds like|looks like|probably|likely|"
     r"i think (?:you have|it's|it is)|you (?:probably|likely|might|may) have)\s+(?:got\s+|have\s+|just\s+|only\s+|a\s+|an\s+|the\s+)*"
     r"(?:strep(?: throat)?|the flu|flu|influenza|covid|pneumonia|bronchitis|sinusitis|a sinus infection|uti|a uti|urinary tract infection|"
     r"migraines?|a migraine|appendicitis|an? (?:ear |bladder |kidney |yeast )?infection|diabetes|hypertension|depression|anxiety|"
     r"a (?:cold|virus|sprain|fracture|concussion|stomach bug|heart attack|stroke)|gastritis|allergies|an allergy|shingles|"
     r"mono|ear infection|pink eye|conjunctivitis|cancer|a tumor|gerd|acid reflux|asthma|eczema|psoriasis)\b"),
    ("diagnosis", r"\b(?:your diagnosis is|i(?:'m| am) diagnosing|you are diagnosed with|the diagnosis is)\b"),
    ("reassurance_as_advice", r"\b(?:nothing to worry about|it's (?:nothing|not serious|totally normal)|you don't need (?:to see )?(?:a|the) doctor|"
     r"no need to see (?:a|the) doctor|you(?:'ll| will) be fine)\b"),
]
_ADVICE = [(name, re.compile(p, re.IGNORECASE)) for name, p in _ADVICE_PATTERNS]

FALLBACK_EN = (
    "I'm not able to give medical advice, but I can book you an appointment with one of our providers "
    "or have a nurse call you back. Which would you prefer? If this is an emergency, call 911."
)
FALLBACK_ES = (
    "No puedo dar consejos médicos, pero puedo hacerle una cita con uno de nuestros proveedores "
    "o pedir que una enfermera le llame. ¿Qué prefiere? Si es una emergencia, llame al 911."
)
LEAK_FALLBACK_EN = "Sorry, I can't share that information. Is there something else I can help you with for your own appointment?"
LEAK_FALLBACK_ES = "Lo siento, no puedo compartir esa información. ¿Le puedo ayudar con algo más sobre su propia cita?"


@dataclass(frozen=True)
class AdviceCheck:
    unsafe: bool
    reasons: List[str] = field(default_factory=list)


def check_medical_advice(reply: str) -> AdviceCheck:
    t = reply or ""
    reasons = sorted({name for name, rx in _ADVICE if rx.search(t)})
    return AdviceCheck(bool(reasons), reasons)


def medical_fallback(lang: str = "en") -> str:
    return FALLBACK_ES if lang == "es" else FALLBACK_EN


def leak_fallback(lang: str = "en") -> str:
    return LEAK_FALLBACK_ES if lang == "es" else LEAK_FALLBACK_EN


# ---- output: PII leakage ------------------------------------------------------------

@dataclass(frozen=True)
class LeakCheck:
    leaked: bool
    entity_types: List[str] = field(default_factory=list)
    findings: List[PIIFinding] = field(default_factory=list)


_NUMBER_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
# Cheap pre-check: every entity the detector finds needs one of these (names need a cue phrase).
_MAY_HOLD_PII = re.compile(
    rf"[0-9@]|\b{_NUMBER_WORD}(?:[\s,-]+{_NUMBER_WORD}){{2,}}\b|\b(?:name|this is|i'?m|i am|mr|mrs|ms|miss)\b",
    re.IGNORECASE)


def check_pii_leakage(
    reply: str, allowed_values: Optional[Iterable[str]] = None, detector: Optional[PIIDetector] = None
) -> LeakCheck:
    """PII in *reply* that is not one of *allowed_values* (the current patient's own)."""
    if not _MAY_HOLD_PII.search(reply or ""):
        return LeakCheck(False)   # no digits, no "@", no spoken number run, no name cue: nothing to find
    det = detector or get_detector()
    findings = det.detect(reply or "", ner=False)
    if not findings:
        return LeakCheck(False)
    allowed_raw = [a for a in (allowed_values or []) if a]
    bad: List[PIIFinding] = []
    for f in findings:
        val = f.value(reply)
        norm = normalise_value(f.entity_type, val)
        ok = False
        for a in allowed_raw:
            na = normalise_value(f.entity_type, a)
            if not na:
                continue
            if norm == na:
                ok = True
            elif f.entity_type in (PERSON,) and (norm in na.split() or norm == na or all(w in na.split() for w in norm.split())):
                ok = True  # "Maria" when "Maria Lopez" is allowed
            elif f.entity_type == DATE_OF_BIRTH and _same_date(val, a):
                ok = True
            if ok:
                break
        if not ok:
            bad.append(f)
    return LeakCheck(bool(bad), sorted({f.entity_type for f in bad}), bad)


def _same_date(a: str, b: str) -> bool:
    try:
        from dateutil import parser as dparser

        return dparser.parse(a, fuzzy=True).date() == dparser.parse(b, fuzzy=True).date()
    except Exception:
        return False
