"""The labelled message set must meet the acceptance thresholds."""

import json
from pathlib import Path

from safety.crisis import assess

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "safety" / "messages.jsonl"


def _rows():
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_fixture_shape():
    rows = _rows()
    assert len(rows) >= 200
    assert sum(r["lang"] == "es" for r in rows) >= 20
    assert {r["label"] for r in rows} == {"crisis", "emergency", "negative"}


def test_recall_and_false_alarms():
    rows = _rows()
    pos = [r for r in rows if r["label"] != "negative"]
    neg = [r for r in rows if r["label"] == "negative"]
    missed = [r["text"] for r in pos if assess(r["text"]).severity is None]
    alarms = [r["text"] for r in neg if assess(r["text"]).severity is not None]
    recall = 1 - len(missed) / len(pos)
    fa_rate = len(alarms) / len(neg)
    assert recall >= 0.98, missed
    assert fa_rate <= 0.02, alarms


def test_critical_items_are_at_least_high():
    # a CRITICAL emergency must never be under-called below HIGH (escalation)
    rows = [r for r in _rows() if r["severity"] == "CRITICAL"]
    under = [r["text"] for r in rows if (assess(r["text"]).severity or 0) < 3]
    assert not under, under
