"""The safety pipeline the dialogue engine calls on every message.

Input:  sanitizer → (consent: SMS keywords are handled by the channel via
        ``consent.classify_sms_keyword``) → PII → crisis → content filter (abuse).
Output: PII leakage → content filter (diagnosis / dose / treatment advice).

Pure Python: no database, no network. Audit events carry entity types, rule names and
severities — never the values.
"""

from __future__ import annotations

import enum
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from . import content_filter, resources
from .crisis import CrisisAssessment, CrisisDetector, Severity, crisis_response
from .crisis_text import detect_lang, fold
from .name_answer import redact_name_answer
from .pii import NEVER_NEEDED, PIIDetector, PIIFinding, get_detector
from .sanitizer import Sanitizer

AuditEvent = Tuple[str, Dict[str, Any]]


class Action(str, enum.Enum):
    CONTINUE = "continue"
    REDIRECT = "redirect"
    ESCALATE = "escalate"
    BLOCK = "block"


NEVER_NEEDED_NOTICE_EN = (
    "For your security, please don't share Social Security, credit card or driver's license numbers here; "
    "we don't need them to book, and I've removed it."
)
NEVER_NEEDED_NOTICE_ES = (
    "Por su seguridad, no comparta aquí números de Seguro Social, de tarjeta de crédito ni de licencia de conducir; "
    "no los necesitamos para la cita y lo he eliminado."
)


@dataclass
class InputVerdict:
    action: Action
    text_clean: str  # sanitized, with never-needed values removed — what the NLU may use
    text_redacted: str  # every PII value replaced by <TYPE> — for LLM prompts, logs, history
    pii: List[PIIFinding] = field(default_factory=list)  # offsets into text_sanitized
    never_needed_found: bool = False
    crisis: CrisisAssessment = field(default_factory=CrisisAssessment)
    injection: bool = False
    abuse: bool = False
    reply: Optional[str] = None  # what to say instead of the flow's answer (action != continue)
    prefix: Optional[str] = None  # a gentle line to put before the flow's answer (LOW distress)
    notice: Optional[str] = None  # "please don't share your SSN" — say it along with the answer
    audit_events: List[AuditEvent] = field(default_factory=list)
    lang: str = "en"
    text_sanitized: str = ""  # sanitized text, all PII still in (do not log)
    truncated: bool = False


@dataclass
class OutputVerdict:
    ok: bool
    text: str  # the reply to send: the original when ok, else a safe fallback
    reasons: List[str] = field(default_factory=list)
    audit_events: List[AuditEvent] = field(default_factory=list)


_CAPITAL = re.compile(r"[A-Z]")


def _lang_from_ctx(ctx: Optional[Mapping[str, Any]], text: str) -> str:
    if ctx and ctx.get("lang") in ("en", "es"):
        return str(ctx["lang"])
    return detect_lang(fold(text))


class SafetyPipeline:
    """Built once by the composition root (`voice_agent/wiring.py`) and passed to what needs it; no
    module-level instance (a second one would be a second place that state could hide)."""

    def __init__(
        self,
        pii: Optional[PIIDetector] = None,
        crisis: Optional[CrisisDetector] = None,
        sanitizer: Optional[Sanitizer] = None,
    ) -> None:
        self.pii = pii or get_detector()
        self.crisis = crisis or CrisisDetector()
        self.sanitizer = sanitizer or Sanitizer()
        # the crisis encoder runs beside the name model (both release the GIL): one thread, this
        # pipeline's own, so a message's two slowest steps overlap instead of adding up
        self._ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crisis-encode")

    # -- input -------------------------------------------------------------------
    def check_input(self, text: str, ctx: Optional[Mapping[str, Any]] = None) -> InputVerdict:
        """``ctx``: ``channel`` ("voice" speaks numbers digit by digit), ``recent`` (the patient's
        previous messages, redacted: crisis is read across them), ``raised`` (the highest severity
        already answered in this conversation), ``known_names`` (the clinic's providers, name and
        street: never redacted as a patient's name), ``answers`` (the question this message answers:
        at "patient_name" a bare name is redacted however it is written), ``abuse_strikes``, ``lang``."""
        events: List[AuditEvent] = []
        s = self.sanitizer.sanitize(text)
        clean = s.text
        if s.truncated:
            events.append(("SAFETY_TRIGGER", {"reason": "input_truncated"}))
        if s.injection:
            events.append(("SAFETY_TRIGGER", {"reason": "prompt_injection", "rules": list(s.injection_reasons)}))

        ctx = ctx or {}
        # the name model reads English: on a Spanish message it takes words ("suicidar") for names; and
        # it reads capitals: in all-lower-case text it found no patient's name on our sets, only noise
        # ("dr."), so there the cue patterns ("my name is ...") do the work and ~3 ms are saved
        ner = _lang_from_ctx(ctx, clean) != "es" and _CAPITAL.search(clean) is not None
        ahead = self._ahead.submit(self.crisis.prepare, clean) if ner else None
        try:
            findings = self.pii.detect(clean, ctx.get("known_names", ()), ner=ner)
        finally:
            if ahead is not None:
                ahead.result()      # an encoding error surfaces here, as it would have in assess_window
        redacted = self.pii.redact(clean, findings).text if findings else clean
        if ctx.get("answers") == "patient_name":      # the name model misses lower-case names
            redacted = redact_name_answer(redacted)
        never = [f for f in findings if f.entity_type in NEVER_NEEDED]
        # drop never-needed values from the text the flow sees; keep the rest
        text_for_flow = self.pii.redact(clean, never).text if never else clean
        if findings:
            events.append(("PHI_DETECTED", {"entity_types": sorted({f.entity_type for f in findings}), "count": len(findings)}))
        if never:
            events.append(("SAFETY_TRIGGER", {"reason": "never_needed_pii", "entity_types": sorted({f.entity_type for f in never})}))

        crisis = self.crisis.assess_window(ctx.get("recent", ()), clean, redacted=redacted,
                                           raised=int(ctx.get("raised") or 0))
        lang = crisis.lang if crisis.is_crisis else _lang_from_ctx(ctx, clean)
        abuse = content_filter.check_abuse(clean)

        v = InputVerdict(
            action=Action.CONTINUE,
            text_clean=text_for_flow,
            text_redacted=redacted,
            pii=findings,
            never_needed_found=bool(never),
            crisis=crisis,
            injection=s.injection,
            abuse=abuse.abusive,
            audit_events=events,
            lang=lang,
            text_sanitized=clean,
            truncated=s.truncated,
        )
        if never:
            v.notice = NEVER_NEEDED_NOTICE_ES if lang == "es" else NEVER_NEEDED_NOTICE_EN

        if crisis.severity is not None:
            events.append(
                ("EMERGENCY" if crisis.severity >= Severity.HIGH else "SAFETY_TRIGGER",
                 {"reason": "crisis", "severity": crisis.severity.name, "category": crisis.category,
                  "rules": list(crisis.matched)})
            )
            resp = crisis_response(crisis, spoken=ctx.get("channel") == "voice")
            if crisis.severity >= Severity.HIGH:
                v.action, v.reply = Action.ESCALATE, resp
                return v
            if crisis.severity == Severity.MEDIUM:
                v.action, v.reply = Action.REDIRECT, resp
                return v
            v.prefix = (resp or "").strip() or None  # LOW: carry on with a gentle line first
        if abuse.abusive:
            events.append(("SAFETY_TRIGGER", {"reason": "abuse", "rules": list(abuse.reasons)}))
            strikes = int(ctx.get("abuse_strikes", 0)) + 1
            v.action = Action.REDIRECT
            v.reply = content_filter.boundary_reply(lang)
            if strikes >= 3:
                # repeated abuse: stop the automated conversation politely, offer a person
                v.action = Action.BLOCK
                v.reply = (
                    "I'm going to end this conversation now. If you need help with an appointment, please call the clinic."
                    if lang != "es" else
                    "Voy a terminar esta conversación. Si necesita ayuda con una cita, llame a la clínica."
                )
        return v

    # -- output ------------------------------------------------------------------
    def check_output(self, reply: str, allowed_values: Optional[Iterable[str]] = None, lang: str = "en") -> OutputVerdict:
        events: List[AuditEvent] = []
        reasons: List[str] = []
        # help lines are never a leak: the same table wrote them (resources.py)
        allowed = [*(allowed_values or []), *resources.allowed_values()]
        leak = content_filter.check_pii_leakage(reply, allowed, self.pii)
        if leak.leaked:
            reasons.append("pii_leakage")
            events.append(("SAFETY_TRIGGER", {"reason": "output_pii_leakage", "entity_types": leak.entity_types}))
            return OutputVerdict(False, content_filter.leak_fallback(lang), reasons, events)
        advice = content_filter.check_medical_advice(reply)
        if advice.unsafe:
            reasons.extend(advice.reasons)
            events.append(("SAFETY_TRIGGER", {"reason": "output_medical_advice", "rules": advice.reasons}))
            return OutputVerdict(False, content_filter.medical_fallback(lang), reasons, events)
        return OutputVerdict(True, reply, [], events)

