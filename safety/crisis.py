"""Crisis and emergency detection: word-boundary regex lexicons with idiom masking and negation.

``CrisisDetector.assess(text) -> CrisisAssessment`` and ``crisis_response(assessment)``.
Everything is precompiled at import; one assessment is a few dozen regex scans (~0.1 ms).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from safety.crisis_rules import (  # noqa: F401 (Severity and the categories are part of this module's API)
    CURRENT_RE, HISTORY_RE, IDIOM_RE, IMMINENT_RE, NEG_RE, PARTNER_BEFORE, RULES, WEAPON_OR_TIME, CATEGORIES, DISTRESS, MEDICAL, POISONING,
    SUICIDE, VIOLENCE, Severity, Rule)

POISON_CONTROL = "1-800-222-1222"
DV_HOTLINE = "1-800-799-7233"


@dataclass
class CrisisAssessment:
    severity: Optional[Severity] = None
    category: Optional[str] = None
    matched: List[str] = field(default_factory=list)  # rule names, never the user's words
    lang: str = "en"
    categories: List[str] = field(default_factory=list)

    @property
    def is_crisis(self) -> bool:
        return self.severity is not None


# --- normalisation ----------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes, collapse whitespace."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").lower()
    t = re.sub(r"\b(im)\b", "i'm", t)
    t = re.sub(r"\b(cant)\b", "can't", t)
    t = re.sub(r"\b(wont)\b", "won't", t)
    t = re.sub(r"\b(dont)\b", "don't", t)
    t = re.sub(r"\b(isnt)\b", "isn't", t)
    t = re.sub(r"\b(hes)\b", "he's", t)
    t = re.sub(r"\b(shes)\b", "she's", t)
    t = re.sub(r"\bu\b", "you", t)
    t = re.sub(r"\bur\b", "your", t)
    t = re.sub(r"\b(gonna|gunna|finna)\b", "going to", t)
    t = re.sub(r"\b(wanna)\b", "want to", t)
    t = re.sub(r"\s+", " ", t)
    return t.strip()



_ES_MARKERS = re.compile(
    r"\b(?:que|quiero|no|por|favor|una|cita|el|la|los|las|mi|me|esta|estoy|tengo|puedo|necesito|hola|gracias|"
    r"dolor|pecho|mucho|muy|para|con|de|del|y|se|le|lo|ya|mas|hijo|hija|esposo|esposa|ayuda)\b"
)
_EN_MARKERS = re.compile(
    r"\b(?:the|i|my|is|are|to|and|a|of|you|it|in|for|have|need|can|want|please|this|that|with|he|she)\b"
)


def detect_lang(folded: str) -> str:
    es = len(_ES_MARKERS.findall(folded))
    en = len(_EN_MARKERS.findall(folded))
    return "es" if es > en else "en"


_FEAR_BEFORE = re.compile(r"\b(?:scared|afraid|terrified|fear|worried|miedo)\b[^.!?]{0,20}$")


def mask_idioms(folded: str) -> str:
    def repl(m: "re.Match[str]") -> str:
        # "I'm scared he'll kill me when he gets home" is not an idiom
        if "kill" in m.group(0) and (_FEAR_BEFORE.search(folded, 0, m.start())
                                     or PARTNER_BEFORE.search(folded, 0, m.start())):
            return m.group(0)
        if m.group(0).startswith("i could") and WEAPON_OR_TIME.search(folded):
            return m.group(0)
        return " " * len(m.group(0))

    return IDIOM_RE.sub(repl, folded)


_CAT_PRIORITY = {MEDICAL: 5, POISONING: 5, SUICIDE: 4, VIOLENCE: 3, DISTRESS: 1}


class CrisisDetector:
    """Stateless and thread-safe; rules are compiled at import. When no rule fires, the crisis
    model (`crisis_model.py`, trained on first use) gets a say, with softer severities."""

    def __init__(self, *, use_model: bool = True) -> None:
        self.use_model = use_model

    def assess(self, text: str) -> CrisisAssessment:
        folded = fold(text or "")
        if not folded:
            return CrisisAssessment()
        lang = detect_lang(folded)
        t = mask_idioms(folded)
        hits: List[Tuple[Rule, Severity]] = []
        for rule in RULES:
            for m in rule.pattern.finditer(t):
                clause_start = max(t.rfind(".", 0, m.start()), t.rfind(",", 0, m.start()),
                                   t.rfind(";", 0, m.start()), t.rfind(" but ", 0, m.start()),
                                   m.start() - 40)
                before = t[max(0, clause_start + 1) : m.start()]
                if rule.negatable and NEG_RE.search(before):
                    continue
                if rule.history_sensitive and self._in_the_past(t, m.start(), m.end()):
                    continue
                sev = rule.severity
                if rule.imminence_bump and sev == Severity.HIGH and IMMINENT_RE.search(t):
                    sev = Severity.CRITICAL
                hits.append((rule, sev))
                break
        if not hits:
            return self._ask_model(text, t, lang)
        top_sev = max(s for _, s in hits)
        top = [r for r, s in hits if s == top_sev]
        category = max(top, key=lambda r: _CAT_PRIORITY[r.category]).category
        cats = sorted({r.category for r, _ in hits}, key=lambda c: -_CAT_PRIORITY[c])
        if any(r.lang == "es" for r, _ in hits):
            lang = "es" if lang == "es" or all(r.lang == "es" for r, _ in hits) else lang
        return CrisisAssessment(
            severity=top_sev, category=category, matched=[r.name for r, _ in hits], lang=lang, categories=cats
        )


    @staticmethod
    def _in_the_past(t: str, start: int, end: int) -> bool:
        """A history or routine-care cue in the same sentence ("had a seizure last year, need a
        follow-up"), and nothing there saying it is happening now. Another sentence's "follow-up"
        does not silence this one's chest pain."""
        begin = max(t.rfind(c, 0, start) for c in ".!?") + 1
        stops = [i for i in (t.find(c, end) for c in ".!?") if i >= 0]
        sentence = t[begin:min(stops) if stops else len(t)]
        return bool(HISTORY_RE.search(sentence)) and not CURRENT_RE.search(sentence)

    def _ask_model(self, text: str, masked: str, lang: str) -> CrisisAssessment:
        if not self.use_model:
            return CrisisAssessment(lang=lang)
        from safety.crisis_model import get_model
        hit = get_model().check(text)
        if hit is None:
            return CrisisAssessment(lang=lang)
        severity = hit.severity
        if hit.category in (SUICIDE, VIOLENCE) and IMMINENT_RE.search(masked):
            severity = Severity.HIGH       # "tonight", "pills", "a gun": a person now, not just a number
        return CrisisAssessment(severity=severity, category=hit.category, matched=["crisis_model"], lang=lang,
                                categories=[hit.category])


_default = CrisisDetector()


def assess(text: str) -> CrisisAssessment:
    return _default.assess(text)


# --- responses --------------------------------------------------------------------

_R = {
    "en": {
        ("suicide", "CRITICAL"): (
            "I'm really glad you told me, and your safety matters most right now. "
            "If you are in immediate danger, please call 911. "
            "You can also call or text 988, the Suicide and Crisis Lifeline, or text HOME to 741741. "
            "I'm getting a person from our staff for you right now."
        ),
        ("suicide", "HIGH"): (
            "I'm so sorry you're going through this, and I'm glad you reached out. "
            "You can call or text 988, the Suicide and Crisis Lifeline, any time, or text HOME to 741741. "
            "If you're in immediate danger, call 911. I'm connecting you with a person from our staff now."
        ),
        ("suicide", "MEDIUM"): (
            "That sounds really hard, and you don't have to face it alone. "
            "You can call or text 988 any time, day or night, or text HOME to 741741. "
            "Would you like me to connect you with someone from our staff? We can also keep going with your appointment."
        ),
        ("distress", "MEDIUM"): (
            "I'm sorry you're feeling this way. If it would help to talk to someone right now, you can call or text 988 any time, "
            "or text HOME to 741741. Would you like me to connect you with someone from our staff, or keep going with your appointment?"
        ),
        ("distress", "LOW"): "I'm sorry you're dealing with that. ",
        ("violence", "CRITICAL"): (
            "Your safety comes first. If you or anyone else is in danger, please call 911 right now. "
            "I'm alerting our staff."
        ),
        ("violence", "MEDIUM"): (
            "Thank you for telling me. If you or anyone else is in danger, please call 911. "
            "If someone is hurting or threatening you, the National Domestic Violence Hotline is 1-800-799-7233, "
            "any time. Would you like me to connect you with someone from our staff?"
        ),
        ("violence", "HIGH"): (
            "I'm concerned for everyone's safety. If anyone is in danger, please call 911 now. "
            f"If someone is hurting you, the National Domestic Violence Hotline is 1-800-799-7233. "
            "I'm connecting you with a person from our staff."
        ),
        ("medical", "CRITICAL"): (
            "This sounds like a medical emergency. Please hang up and call 911 right now, "
            "or have someone near you call. Don't wait for an appointment."
        ),
        ("medical", "HIGH"): (
            "That could be serious. If it's getting worse or you're struggling to breathe, please call 911 now. "
            "I'm connecting you with a person from our staff right away."
        ),
        ("poisoning", "HIGH"): (
            "That could be a poisoning. Please call Poison Control at 1-800-222-1222 now; they answer day and night. "
            "If the person is hard to wake, having trouble breathing, or having a seizure, call 911. "
            "I'm connecting you with a person from our staff."
        ),
        ("poisoning", "CRITICAL"): (
            "This could be a poisoning emergency. If the person is hard to wake, having trouble breathing, or having a seizure, "
            "call 911 right now. Otherwise call Poison Control at 1-800-222-1222 right away; they answer day and night."
        ),
    },
    "es": {
        ("suicide", "CRITICAL"): (
            "Me alegra mucho que me lo diga, y su seguridad es lo más importante ahora. "
            "Si está en peligro inmediato, llame al 911. "
            "También puede llamar o enviar un mensaje de texto al 988, la Línea de Prevención del Suicidio y Crisis; oprima 2 para español. "
            "O envíe HOME al 741741. Voy a comunicarle con una persona de nuestro personal ahora mismo."
        ),
        ("suicide", "HIGH"): (
            "Siento mucho que esté pasando por esto, y me alegra que se haya comunicado. "
            "Puede llamar o enviar un mensaje de texto al 988 en cualquier momento; oprima 2 para español. "
            "O envíe HOME al 741741. Si está en peligro inmediato, llame al 911. Le comunico con una persona de nuestro personal."
        ),
        ("suicide", "MEDIUM"): (
            "Eso suena muy difícil, y no tiene que enfrentarlo a solas. "
            "Puede llamar o enviar un mensaje de texto al 988 a cualquier hora; oprima 2 para español. O envíe HOME al 741741. "
            "¿Quiere que le comunique con alguien de nuestro personal? También podemos seguir con su cita."
        ),
        ("distress", "MEDIUM"): (
            "Siento que se sienta así. Si le ayuda hablar con alguien ahora, puede llamar o enviar un mensaje al 988; oprima 2 para español. "
            "O envíe HOME al 741741. ¿Quiere que le comunique con alguien de nuestro personal, o seguimos con su cita?"
        ),
        ("distress", "LOW"): "Siento mucho que esté pasando por eso. ",
        ("violence", "CRITICAL"): (
            "Su seguridad es lo primero. Si usted o alguien más está en peligro, llame al 911 ahora mismo. "
            "Estoy avisando a nuestro personal."
        ),
        ("violence", "MEDIUM"): (
            "Gracias por decírmelo. Si usted u otra persona está en peligro, llame al 911. "
            "Si alguien le hace daño o le amenaza, la Línea Nacional contra la Violencia Doméstica es el 1-800-799-7233, "
            "a cualquier hora. ¿Quiere que le comunique con alguien de nuestro personal?"
        ),
        ("violence", "HIGH"): (
            "Me preocupa la seguridad de todos. Si alguien está en peligro, llame al 911 ahora. "
            "Si alguien le está haciendo daño, la Línea Nacional contra la Violencia Doméstica es 1-800-799-7233. "
            "Le comunico con una persona de nuestro personal."
        ),
        ("medical", "CRITICAL"): (
            "Esto parece una emergencia médica. Por favor cuelgue y llame al 911 ahora mismo, "
            "o pida a alguien cerca que llame. No espere una cita."
        ),
        ("medical", "HIGH"): (
            "Eso podría ser grave. Si empeora o le cuesta respirar, llame al 911 ahora. "
            "Le comunico con una persona de nuestro personal de inmediato."
        ),
        ("poisoning", "HIGH"): (
            "Eso podría ser una intoxicación. Llame ahora al Centro de Toxicología al 1-800-222-1222; atienden día y noche. "
            "Si la persona no despierta bien, le cuesta respirar o tiene convulsiones, llame al 911. "
            "Le comunico con una persona de nuestro personal."
        ),
        ("poisoning", "CRITICAL"): (
            "Esto podría ser una intoxicación. Si la persona no despierta bien, le cuesta respirar o tiene convulsiones, "
            "llame al 911 ahora mismo. Si no, llame al Centro de Toxicología al 1-800-222-1222 de inmediato; atienden día y noche."
        ),
    },
}

_GROUP = {SUICIDE: "suicide", DISTRESS: "distress", VIOLENCE: "violence", MEDICAL: "medical", POISONING: "poisoning"}


def crisis_response(assessment: CrisisAssessment) -> Optional[str]:
    """What to say for this assessment (None when there is no crisis)."""
    if assessment.severity is None:
        return None
    lang = assessment.lang if assessment.lang in _R else "en"
    table = _R[lang]
    group = _GROUP.get(assessment.category or "", "distress")
    sev = assessment.severity.name
    text = table.get((group, sev))
    if text is None:
        # fall back along the severity ladder within the group, then generic
        for s in ("CRITICAL", "HIGH", "MEDIUM", "LOW"):
            if Severity[s] <= assessment.severity and (group, s) in table:
                text = table[(group, s)]
                break
        if text is None:
            text = table[("medical", "CRITICAL")] if assessment.severity >= Severity.HIGH else table[("distress", "MEDIUM")]
    # mixed messages: an overdose that is also self-harm carries both sets of numbers
    extra = []
    if POISONING in assessment.categories and group != "poisoning":
        extra.append(
            "Poison Control is 1-800-222-1222." if lang == "en" else "El Centro de Toxicología es 1-800-222-1222."
        )
    if SUICIDE in assessment.categories and group != "suicide" and assessment.severity >= Severity.HIGH:
        extra.append(
            "You can also call or text 988, or text HOME to 741741."
            if lang == "en" else "También puede llamar o enviar un mensaje al 988, o enviar HOME al 741741."
        )
    if assessment.severity >= Severity.HIGH and "911" not in text:
        extra.append("If anyone is in immediate danger, call 911." if lang == "en" else "Si hay peligro inmediato, llame al 911.")
    return " ".join([text.strip()] + extra) if extra else text
