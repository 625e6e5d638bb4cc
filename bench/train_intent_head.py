"""Rebuild `dialogue/nlu/intent_head.npz`: the intent classifier's head over MiniLM embeddings.

    .venv/bin/python bench/train_intent_head.py            # writes dialogue/nlu/intent_head.npz, prints figures
    .venv/bin/python bench/train_intent_head.py --check    # exit 1 when the training files changed since

Training data:
- the labelled first messages, FIRST_MESSAGES below, each row with its "source": the examples written
  for this repository (`intent_examples.jsonl`, whose "answer" and "control" rows are the class
  `reply`, left to the rules), the development set, the first blind set (trained on once it had been
  measured), a set of everyday first messages written by a separate helper (`intent_extra.jsonl`)
  and short texting-style messages naming a day, time or provider (`intent_terse.jsonl`);
- CLINC150 train split (/work/shared/eval/clinc_oos.jsonl, Larson et al. 2019, CC BY 3.0): its
  out-of-scope rows (the few that are in scope for a clinic, `medical_overlap`, left out) as
  `out_of_scope`; its dialogue control as greeting (greeting), goodbye (goodbye, thank_you) and
  `reply` (yes, no, maybe, repeat, cancel, are_you_a_bot, what_can_i_ask_you); make_call is left out
  ("call mom" is no clinic request);
- fixtures/safety/routine_answers.txt — short booking answers written by `bench/routine_answers.py`
  ("sore throat", "Monday", "for a referral"), as `reply`.
Never trained on: CLINC's val and test splits, and the sealed blind sets.

Head: a multinomial logistic regression (C below, classes balanced). The margins over the rules'
readings with no question open (`fixtures/nlu/intent_margins.json`) are chosen by cross-validation
(`bench/intent_cv.py --write`); the thresholds below apply while a question is open. The script
prints leave-one-writer-out accuracy of the head alone on each first-message set.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dialogue.nlu.intent_model import HEAD_FILE, OUT_OF_SCOPE, REPLY  # noqa: E402

NLU_FIXTURES = ROOT / "fixtures" / "nlu"
EXAMPLES = NLU_FIXTURES / "intent_examples.jsonl"
# every labelled first-message set, by the name the cross-validation reports it under
FIRST_MESSAGES = {"examples": EXAMPLES, "dev": NLU_FIXTURES / "intent_dev.jsonl",
                  "blind1": NLU_FIXTURES / "intent_blind1.jsonl", "extra": NLU_FIXTURES / "intent_extra.jsonl",
                  "terse": NLU_FIXTURES / "intent_terse.jsonl", "blind2": NLU_FIXTURES / "intent_blind2.jsonl",
                  "extra2": NLU_FIXTURES / "intent_extra2.jsonl"}
MARGINS = NLU_FIXTURES / "intent_margins.json"
ANSWERS = ROOT / "fixtures" / "safety" / "routine_answers.txt"
CLINC = Path("/work/shared/eval/clinc_oos.jsonl")
VERSION = 2
C = 8.0
SEED = 0
THRESHOLDS = {"adopt": 0.6, "override": 0.9, "veto": 0.6}
CLINC_CONTROL = {"greeting": "greeting", "goodbye": "goodbye", "thank_you": "goodbye", "yes": REPLY, "no": REPLY,
                 "maybe": REPLY, "repeat": REPLY, "cancel": REPLY, "are_you_a_bot": REPLY,
                 "what_can_i_ask_you": REPLY}


def training_files() -> list[Path]:
    return [p for p in FIRST_MESSAGES.values() if p.exists()] + [ANSWERS, MARGINS]


def fingerprint(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def label_of(row: dict) -> str:
    intent = row["intent"]
    if intent in ("answer", "control"):
        return REPLY
    if intent == "information":
        return f"information/{row['info_topic']}"
    return intent


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def first_messages() -> list[tuple[str, str, str]]:
    """(text, label, set name) of every labelled first message (not the examples' `reply` rows)."""
    return [(r["text"], label_of(r), name) for name, path in FIRST_MESSAGES.items() if path.exists()
            for r in read_jsonl(path) if label_of(r) != REPLY]


def always_trained() -> list[tuple[str, str]]:
    """Rows in every head, held out by no cross-validation: the written `reply` rows, CLINC's train
    split and the routine answers."""
    replies = [(r["text"], REPLY) for r in read_jsonl(EXAMPLES) if label_of(r) == REPLY]
    return replies + clinc_train(CLINC) + routine_answers()


def clinc_train(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["split"] != "train" or r.get("medical_overlap"):
            continue
        if r["group"] == "out_of_scope":
            out.append((r["text"], OUT_OF_SCOPE))
        elif r["label"] in CLINC_CONTROL:
            out.append((r["text"], CLINC_CONTROL[r["label"]]))
    return out


def routine_answers() -> list[tuple[str, str]]:
    lines = sorted({ln.strip() for ln in ANSWERS.read_text(encoding="utf-8").splitlines() if ln.strip()})
    return [(t, REPLY) for t in lines]


def fit(x: np.ndarray, y: list[str]):
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
    model.fit(x, y)
    return model


def check() -> int:
    with np.load(HEAD_FILE, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
    if meta.get("trained_on") != fingerprint(training_files()):
        print("out of date: the training files changed since dialogue/nlu/intent_head.npz was built")
        return 1
    print("up to date")
    return 0


def main() -> int:
    if "--check" in sys.argv[1:]:
        return check()
    from safety.embeddings import SentenceEncoder
    started = time.perf_counter()
    own, always = first_messages(), always_trained()
    texts = [t for t, _, _ in own] + [t for t, _ in always]
    labels = [lab for _, lab, _ in own] + [lab for _, lab in always]
    encoder = SentenceEncoder(threads=2)
    x = np.concatenate([encoder.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])

    # leave one writer out: each first-message set scored by a head trained without it
    n_own = len(own)
    held = {}
    for name in FIRST_MESSAGES:
        test = np.array([i for i, (_, _, g) in enumerate(own) if g == name])
        if not len(test):
            continue
        train = np.array([i for i in range(len(texts)) if i >= n_own or own[i][2] != name])
        m = fit(x[train], [labels[i] for i in train])
        held[name] = (int((m.predict(x[test]) == np.array([labels[i] for i in test])).sum()), len(test))
    model = fit(x, labels)
    classes = [str(c) for c in model.classes_]
    margins = json.loads(MARGINS.read_text(encoding="utf-8"))
    meta = {"version": VERSION, "built": dt.date.today().isoformat(), "model": "all-MiniLM-L6-v2 int8 ONNX",
            "C": C, "thresholds": dict(THRESHOLDS, over=margins), "trained_on": fingerprint(training_files()),
            "clinc": "CLINC150 train split at 828f809 (CC BY 3.0)",
            "rows": {name: sum(g == name for _, _, g in own) for name in FIRST_MESSAGES} | {"always": len(always)}}
    np.savez_compressed(HEAD_FILE, W=model.coef_.T.astype(np.float32), b=model.intercept_.astype(np.float32),
                        classes=np.array(classes), meta=np.array(json.dumps(meta, sort_keys=True)))
    print(f"classes: {', '.join(classes)}")
    print(f"rows: {len(own)} first messages, {len(always)} always in training (replies, CLINC train, routine answers)")
    for name, (ok, n) in held.items():
        print(f"head alone on {name}, trained without it: {ok}/{n} ({100.0 * ok / n:.1f}%)")
    print(f"wrote {HEAD_FILE.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
