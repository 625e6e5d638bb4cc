"""A linear text classifier behind the crisis rules: it catches paraphrases no lexicon lists.

The rules generalise poorly: on messages written blind to them they found 42-58 % of crises (see
docs/benchmarks/safety.md). This model is trained at start-up (under a second) on the labelled
messages in `fixtures/safety/messages.jsonl` plus 4,350 everyday requests (CLINC150) as negatives:
word and character n-gram TF-IDF into logistic regression, and a second one over the positives
for the category. It is consulted only when no rule fires, and its hits are deliberately soft:
MEDIUM (resources and an offer of a person; the booking may continue) for suicide, violence and
distress, HIGH (a person now, 911 if worse) for medical and poisoning. `THRESHOLD` flags at most
0.1 % of everyday appointment requests (SGD user turns, never trained on; `bench/safety_eval.py`).
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from safety.crisis_rules import DISTRESS, MEDICAL, POISONING, SUICIDE, VIOLENCE, Severity

def _data_dir() -> Path:
    """Beside the source in a checkout; the working directory in the image (installed as a wheel)."""
    beside = Path(__file__).resolve().parents[1] / "fixtures" / "safety"
    return beside if beside.is_dir() else Path.cwd() / "fixtures" / "safety"


DATA = _data_dir()
THRESHOLD = 0.82
SEVERITY = {SUICIDE: Severity.MEDIUM, VIOLENCE: Severity.MEDIUM, DISTRESS: Severity.MEDIUM,
            MEDICAL: Severity.HIGH, POISONING: Severity.HIGH}


@dataclass(frozen=True)
class ModelHit:
    score: float
    category: str
    severity: Severity


def _features():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union
    return make_union(TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True),
                      TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True))


class CrisisModel:
    def __init__(self, labelled: list[dict], routine: list[str], prepare: Callable[[str], str]) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        self._prepare = prepare      # folded, idioms masked: what the rules see
        texts = [prepare(r["text"]) for r in labelled] + [prepare(t) for t in routine]
        is_crisis = [int(r["label"] != "negative") for r in labelled] + [0] * len(routine)
        self._detect = make_pipeline(_features(), LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000))
        self._detect.fit(texts, is_crisis)
        positives = [r for r in labelled if r["label"] != "negative"]
        self._category = make_pipeline(_features(), LogisticRegression(C=4.0, max_iter=2000))
        self._category.fit([prepare(r["text"]) for r in positives], [r["category"] for r in positives])

    def score(self, text: str) -> float:
        return self._score([self._prepare(text)])

    def _score(self, prepared: list[str]) -> float:
        return float(self._detect.predict_proba(prepared)[0, 1])

    def check(self, text: str, threshold: float = THRESHOLD) -> ModelHit | None:
        prepared = [self._prepare(text)]
        score = self._score(prepared)
        if score <= threshold:
            return None
        category = str(self._category.predict(prepared)[0])
        return ModelHit(score, category, SEVERITY[category])


_DIGITS = re.compile(r"\d")     # numbers (phones, dates, doses) say little and let digits alone score
_model: CrisisModel | None = None
_lock = threading.Lock()


def load_training_data() -> tuple[list[dict], list[str]]:
    labelled = [json.loads(line) for line in (DATA / "messages.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    routine = [t for t in (DATA / "routine_clinc150.txt").read_text(encoding="utf-8").splitlines() if t.strip()]
    return labelled, routine


def get_model() -> CrisisModel:
    """The process's model, trained on first use (call at start-up so no message waits for it)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from safety.crisis import fold, mask_idioms
                _model = CrisisModel(*load_training_data(), lambda text: _DIGITS.sub("#", mask_idioms(fold(text))))
    return _model
