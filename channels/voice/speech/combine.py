"""Which recogniser to believe, per question: the rule fitted on the caller-like calibration split.

`combine_rule.json` (beside this file) is written by `bench/asr_callers.py fit` from calibration
clips only, and read here as data: per question, whether agreement counts, the grammar's margin
threshold, Whisper's avg_logprob threshold, and which of the two is tried first. The figures it
earns are in docs/benchmarks/speech_callers.md.

1. agreement: the grammar's sentence (accepted, or its rejected guess) means what Whisper's text
   means to the understanding -> that answer, heard by both;
2. otherwise, in the rule's order, the grammar alone (accepted and its margin <= `grammar_margin`)
   or Whisper alone (its worst segment's avg_logprob >= `whisper_logprob`); a `None` threshold
   switches that recogniser off on its own;
3. otherwise nothing: the caller is asked again (or asked "Did you say <guess>?").
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

RULE_FILE = Path(__file__).with_name("combine_rule.json")

Who = Literal["both", "grammar", "whisper", "none"]


@dataclass(frozen=True)
class CombineRule:
    agree: bool = True
    grammar_margin: float | None = None
    whisper_logprob: float | None = None
    first: Literal["g", "w"] = "g"

    @classmethod
    def from_json(cls, data: dict) -> "CombineRule":
        first = data.get("first", "g")
        if first not in ("g", "w"):
            raise ValueError(f"combine rule: 'first' must be 'g' or 'w', got {first!r}")
        return cls(agree=bool(data.get("agree", True)), grammar_margin=_num(data.get("grammar_margin")),
                   whisper_logprob=_num(data.get("whisper_logprob")), first=first)


def _num(value: object) -> float | None:
    return None if value is None else float(value)     # type: ignore[arg-type]


def load_rules(path: Path = RULE_FILE) -> dict[str, CombineRule]:
    """Question type -> rule. A question without a rule keeps the grammar recogniser as shipped."""
    return {q: CombineRule.from_json(r) for q, r in json.loads(path.read_text()).items()}


@dataclass(frozen=True)
class GrammarHeard:
    label: str | None           # meaning of the accepted sentence (None: rejected)
    guess_label: str | None     # meaning of the rejected sentence offered as a guess
    margin: float | None


@dataclass(frozen=True)
class WhisperHeard:
    labels: frozenset[str]      # the understanding's reading as meaning labels (empty: not an answer)
    avg_logprob: float | None


@dataclass(frozen=True)
class Choice:
    who: Who
    label: str | None           # the agreed meaning ("both"), the grammar's label, or None


def choose(g: GrammarHeard, w: WhisperHeard, rule: CombineRule) -> Choice:
    """The rule applied to one utterance (see the module docstring)."""
    if rule.agree:
        for cand in (g.label, g.guess_label):
            if cand and cand in w.labels:
                return Choice("both", cand)
    gm, wt = rule.grammar_margin, rule.whisper_logprob
    g_ok = g.label is not None and gm is not None and (g.margin is None or g.margin <= gm)
    w_ok = bool(w.labels) and wt is not None and w.avg_logprob is not None and w.avg_logprob >= wt
    order = (("grammar", g_ok), ("whisper", w_ok)) if rule.first == "g" else (("whisper", w_ok), ("grammar", g_ok))
    for who, ok in order:
        if ok:
            return Choice(who, g.label if who == "grammar" else None)     # type: ignore[arg-type]
    return Choice("none", None)
