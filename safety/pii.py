"""PII detection and redaction with Presidio, fully offline.

Presidio's ``AnalyzerEngine`` runs over a *blank* spaCy English pipeline (tokeniser only,
saved once to a local folder) and a registry holding only the recognisers in `pii_recognisers.py`,
most of them our own regex recognisers with their context folded into the pattern
(the blank pipeline has no lemmas, so Presidio's context enhancer cannot help).
``AnonymizerEngine`` replaces each kept finding with a ``<ENTITY_TYPE>`` placeholder.

The engines are built once per process (a lazily created module-level singleton,
guarded by a lock) and warmed up at construction.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Optional

from safety.model_files import ModelFilesError
from safety.pii_recognisers import (  # noqa: F401 (the entity types are part of this module's API)
    CREDIT_CARD, DATE_OF_BIRTH, EMAIL_ADDRESS, ENTITY_TYPES, FLOW_NEEDED, MEDICAL_RECORD_NUMBER, NEVER_NEEDED,
    NUM_WORDS, PERSON, PHONE_NUMBER, TITLE_BEFORE, US_DRIVER_LICENSE, US_SSN, build_recognisers)

TITLE_START = re.compile(r"(?:dr|doctor|dra|doctora|nurse)\b\.?\s", re.IGNORECASE)

logger = logging.getLogger(__name__)

MIN_SCORE = 0.4


@dataclass(frozen=True)
class PIIFinding:
    entity_type: str
    start: int
    end: int
    score: float

    @property
    def never_needed(self) -> bool:
        return self.entity_type in NEVER_NEEDED

    def value(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class RedactedText:
    text: str
    findings: List[PIIFinding] = field(default_factory=list)

    @property
    def entity_types(self) -> List[str]:
        return sorted({f.entity_type for f in self.findings})

    @property
    def never_needed_found(self) -> bool:
        return any(f.never_needed for f in self.findings)


# --- offline spaCy model ----------------------------------------------------------


def _default_model_dir() -> Path:
    env = os.environ.get("VOICE_AGENT_SPACY_BLANK_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "voice-agent" / "spacy-blank-en"


def _model_ok(path: Path) -> bool:
    return (path / "meta.json").is_file() and (path / "config.cfg").is_file()


def ensure_blank_spacy_model(path: Optional[Path] = None) -> Path:
    """Save ``spacy.blank("en")`` to *path* once (atomic rename) and return the folder.

    Falls back to a folder under the system temp dir when the cache dir is not writable.
    Never downloads anything.
    """
    candidates = [path] if path else [_default_model_dir(), Path(tempfile.gettempdir()) / "voice-agent-spacy-blank-en"]
    last_err: Optional[Exception] = None
    for target in candidates:
        if target is None:
            continue
        if _model_ok(target):
            return target
        try:
            import spacy

            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".spacy-blank-", dir=target.parent))
            spacy.blank("en").to_disk(tmp)
            try:
                os.replace(tmp, target)
            except OSError:
                # another process won the race (target exists and is non-empty)
                shutil.rmtree(tmp, ignore_errors=True)
            if _model_ok(target):
                return target
        except OSError as exc:  # not writable: try the next candidate
            last_err = exc
            continue
    raise RuntimeError(f"cannot create the blank spaCy model folder: {last_err}")


# priority when two findings overlap with equal scores
_PRIORITY = {
    US_SSN: 8, CREDIT_CARD: 7, US_DRIVER_LICENSE: 6, MEDICAL_RECORD_NUMBER: 5, EMAIL_ADDRESS: 4,
    DATE_OF_BIRTH: 3, PHONE_NUMBER: 2, PERSON: 1,
}


def _resolve(findings: Iterable[PIIFinding]) -> List[PIIFinding]:
    """Keep the best non-overlapping findings (score, then priority, then length)."""
    ordered = sorted(
        findings, key=lambda f: (-f.score, -_PRIORITY.get(f.entity_type, 0), -(f.end - f.start), f.start)
    )
    kept: List[PIIFinding] = []
    for f in ordered:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


class PIIDetector:
    """Presidio-based PII detector/redactor. Build with :func:`get_detector` to share one."""

    def __init__(self, model_dir: Optional[Path] = None, min_score: float = MIN_SCORE, *, ner: bool = True,
                 required: bool = False) -> None:
        """``ner``: names by spaCy's en_core_web_sm (`ner_model.py`); without it, or when its weights
        are missing and not ``required``, names are found only after cues ("my name is ...")."""
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer
        from presidio_anonymizer import AnonymizerEngine

        self.problem: Optional[str] = None      # why names are found by cues alone
        nlp_engine = None
        if ner:
            from safety import ner_model
            try:
                nlp_engine = ner_model.nlp_engine(ner_model.verified_model_dir())
            except (ModelFilesError, OSError) as exc:
                if required:
                    raise ModelFilesError(f"name recogniser unavailable: {exc}") from exc
                logger.warning("name recogniser unavailable, finding names by cues alone: %s", exc,
                               extra={"event": "ner_model_degraded"})
                self.problem = str(exc)
        blank = _blank_engine(ensure_blank_spacy_model(model_dir))

        def registry(with_ner: bool) -> RecognizerRegistry:
            reg = RecognizerRegistry(supported_languages=["en"])
            for rec in build_recognisers():
                reg.add_recognizer(rec)
            if with_ner:
                reg.add_recognizer(SpacyRecognizer(supported_entities=[PERSON]))
            return reg

        self.min_score = min_score
        # the cue-only analyzer tokenises with a blank pipeline: the output check pays nothing for NER
        self._cue_analyzer = AnalyzerEngine(nlp_engine=blank, registry=registry(False), supported_languages=["en"],
                                            default_score_threshold=min_score)
        self.analyzer = self._cue_analyzer if nlp_engine is None else AnalyzerEngine(
            nlp_engine=nlp_engine, registry=registry(True), supported_languages=["en"],
            default_score_threshold=min_score,
        )
        self.anonymizer = AnonymizerEngine()
        self._entities = list(ENTITY_TYPES)
        # warm up: first calls compile regexes and load the tokenizer caches
        for sample in (
            "Hi, my name is Ana Ruiz, DOB 3/4/1985, call 555-123-4567 or ana@example.com",
            "SSN 123-45-6789 card 4111 1111 1111 1111",
        ):
            self.redact(sample)

    def detect(self, text: str, known_names: Iterable[str] = (), *, ner: bool = True) -> List[PIIFinding]:
        """PII in *text*. ``known_names``: the clinic's own (providers, staff, its name and street),
        never taken for a patient's name: a finding made only of their words is dropped.
        ``ner=False`` finds names by cues only (the output check: our own replies hold no names but
        the patient's, and the statistical model would take a Spanish word for one)."""
        if not text:
            return []
        analyzer = self.analyzer if ner else self._cue_analyzer
        results = analyzer.analyze(text=text, language="en", entities=self._entities)
        allowed = _name_words(known_names)
        found = (
            PIIFinding(r.entity_type, r.start, r.end, round(float(r.score), 3))
            for r in results
            if r.score >= self.min_score and not (r.entity_type == PERSON and _clinic_name(text, r.start, r.end, allowed))
        )
        return _resolve(found)

    def redact(self, text: str, findings: Optional[List[PIIFinding]] = None) -> RedactedText:
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult as AResult

        if findings is None:
            findings = self.detect(text)
        if not findings:
            return RedactedText(text=text, findings=[])
        ops = {f.entity_type: OperatorConfig("replace", {"new_value": f"<{f.entity_type}>"}) for f in findings}
        res = self.anonymizer.anonymize(
            text=text,
            analyzer_results=[AResult(f.entity_type, f.start, f.end, f.score) for f in findings],
            operators=ops,
        )
        return RedactedText(text=res.text, findings=list(findings))

    @staticmethod
    def never_needed(findings: Iterable[PIIFinding]) -> List[PIIFinding]:
        return [f for f in findings if f.entity_type in NEVER_NEEDED]


# titles and honorifics: "Doctor Raman" is the clinic's doctor when "Raman" is
_TITLES = {"dr", "doctor", "doc", "nurse", "np", "pa", "md", "do", "rn", "mr", "mrs", "ms", "miss", "dra", "doctora"}


def _clinic_name(text: str, start: int, end: int, allowed: list) -> bool:
    """A name that belongs to the clinic: made of one known name's words ("Raman", "Priya Raman";
    not "Michael Lee" from providers Michael Chen and Sarah Lee), or with a provider's title before
    it ("Dr. Alvarez" is staff, even one the roster does not list)."""
    value = text[start:end]
    if TITLE_BEFORE.search(text, max(0, start - 10), start) or TITLE_START.match(value):
        return True
    words = _words(value) - _TITLES
    return bool(words) and any(words <= known for known in allowed)


def _words(name: str) -> set:
    return set(re.findall(r"[a-z]+", name.lower()))


def _name_words(names: Iterable[str]) -> list:
    """Each known name as its own set of words."""
    return [w for w in (_words(n) for n in names if n) if w]


def _blank_engine(path: Path):
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    return NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": str(path)}],
        "ner_model_configuration": {"labels_to_ignore": ["ORGANIZATION", "CARDINAL"]},
    }).create_engine()


_detector: Optional[PIIDetector] = None
_lock = threading.Lock()


def get_detector(*, required: bool = False) -> PIIDetector:
    """The process-wide detector, built (and warmed up) on first use. ``required`` (production):
    refuse to run without the name recogniser's verified weights."""
    global _detector
    if _detector is None or (required and _detector.problem is not None):
        with _lock:
            if _detector is None or (required and _detector.problem is not None):
                _detector = PIIDetector(required=required)
    return _detector


def normalise_value(entity_type: str, value: str) -> str:
    """Canonical form used to compare a found value with allowed ones (digits for numbers)."""
    v = value.strip().lower()
    if entity_type in (PHONE_NUMBER, US_SSN, CREDIT_CARD):
        spoken = re.findall(r"zero|oh|one|two|three|four|five|six|seven|eight|nine|\d", v)
        digits = "".join(NUM_WORDS.get(t, t) for t in spoken)
        if entity_type == PHONE_NUMBER and len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        return digits
    if entity_type == EMAIL_ADDRESS:
        return v
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", v))
