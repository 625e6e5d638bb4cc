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

from safety.pii_recognisers import (  # noqa: F401 (the entity types are part of this module's API)
    CREDIT_CARD, DATE_OF_BIRTH, EMAIL_ADDRESS, ENTITY_TYPES, FLOW_NEEDED, MEDICAL_RECORD_NUMBER, NEVER_NEEDED,
    NUM_WORDS, PERSON, PHONE_NUMBER, US_DRIVER_LICENSE, US_SSN, build_recognisers)

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

    def __init__(self, model_dir: Optional[Path] = None, min_score: float = MIN_SCORE) -> None:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_anonymizer import AnonymizerEngine

        path = ensure_blank_spacy_model(model_dir)
        nlp_conf = {
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": str(path)}],
            "ner_model_configuration": {"labels_to_ignore": ["ORGANIZATION", "CARDINAL"]},
        }
        nlp_engine = NlpEngineProvider(nlp_configuration=nlp_conf).create_engine()
        registry = RecognizerRegistry(supported_languages=["en"])
        for rec in build_recognisers():
            registry.add_recognizer(rec)
        self.min_score = min_score
        self.analyzer = AnalyzerEngine(
            nlp_engine=nlp_engine, registry=registry, supported_languages=["en"],
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

    def detect(self, text: str) -> List[PIIFinding]:
        if not text:
            return []
        results = self.analyzer.analyze(text=text, language="en", entities=self._entities)
        found = (
            PIIFinding(r.entity_type, r.start, r.end, round(float(r.score), 3))
            for r in results
            if r.score >= self.min_score
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


_detector: Optional[PIIDetector] = None
_lock = threading.Lock()


def get_detector() -> PIIDetector:
    """The process-wide detector, built (and warmed up) on first use."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = PIIDetector()
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
