"""Rebuild `dialogue/nlu/intent_head.npz`: the intent classifier's head over MiniLM embeddings.

    .venv/bin/python bench/train_intent_head.py            # writes dialogue/nlu/intent_head.npz, prints figures
    .venv/bin/python bench/train_intent_head.py --check    # exit 1 when the training files changed since

Training data:
- fixtures/nlu/intent_examples.jsonl — first messages and answers written for this repository, each
  row with its "source"; "answer" and "control" rows are the class `reply` (left to the rules);
- CLINC150 train split (/work/shared/eval/clinc_oos.jsonl, Larson et al. 2019, CC BY 3.0): its
  out-of-scope rows (the few that are in scope for a clinic, `medical_overlap`, left out), its
  calendar/meeting/reminder and restaurant-reservation rows (off-topic for a clinic: "schedule a
  meeting with Kim", "book a table") as `out_of_scope`; its dialogue control as greeting
  (greeting), goodbye (goodbye, thank_you) and `reply` (yes, no, maybe, repeat, cancel,
  are_you_a_bot, what_can_i_ask_you); make_call is left out ("call mom" is no clinic request).
- fixtures/safety/routine_answers.txt — short booking answers written by `bench/routine_answers.py`
  ("sore throat", "Monday", "for a referral"), as `reply`.
Never trained on: fixtures/nlu/intent_dev.jsonl (the dev set), CLINC's val and test splits.

Head: a multinomial logistic regression (C below, classes balanced). The thresholds are fixed below
and were chosen on the dev set and CLINC's val split (never its test split); the script prints
5-fold accuracy on the written examples and the dev-set accuracy of the head alone.
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

EXAMPLES = ROOT / "fixtures" / "nlu" / "intent_examples.jsonl"
DEV = ROOT / "fixtures" / "nlu" / "intent_dev.jsonl"
ANSWERS = ROOT / "fixtures" / "safety" / "routine_answers.txt"
CLINC = Path("/work/shared/eval/clinc_oos.jsonl")
VERSION = 1
C = 8.0
SEED = 0
THRESHOLDS = {"adopt": 0.6, "override": 0.9, "veto": 0.6}
CLINC_CONTROL = {"greeting": "greeting", "goodbye": "goodbye", "thank_you": "goodbye", "yes": REPLY, "no": REPLY,
                 "maybe": REPLY, "repeat": REPLY, "cancel": REPLY, "are_you_a_bot": REPLY,
                 "what_can_i_ask_you": REPLY}


def training_files() -> list[Path]:
    return [EXAMPLES, ANSWERS]


def fingerprint(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def label_of(row: dict) -> str:
    intent = row["intent"]
    if intent in ("answer", "control"):
        return REPLY
    if intent == "information":
        return f"information/{row['info_topic']}"
    return intent


def written() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["text"], label_of(r)) for r in rows]


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
    own, clinc, answers = written(), clinc_train(CLINC), routine_answers()
    data = own + clinc + answers
    texts, labels = [t for t, _ in data], [lab for _, lab in data]
    encoder = SentenceEncoder(threads=2)
    x = np.concatenate([encoder.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])

    # 5-fold accuracy on the written examples (CLINC and the routine answers always in training)
    from sklearn.model_selection import StratifiedKFold
    n_own = len(own)
    y_own = np.array(labels[:n_own])
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    right = 0
    for tr, te in folds.split(np.zeros(n_own), y_own):
        idx = np.concatenate([tr, np.arange(n_own, len(texts))])
        m = fit(x[idx], [labels[i] for i in idx])
        right += int((m.predict(x[te]) == y_own[te]).sum())
    model = fit(x, labels)
    classes = [str(c) for c in model.classes_]
    dev = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = model.predict(encoder.encode([r["text"] for r in dev]))
    dev_ok = sum(p == label_of(r) for p, r in zip(pred, dev))
    meta = {"version": VERSION, "built": dt.date.today().isoformat(), "model": "all-MiniLM-L6-v2 int8 ONNX",
            "C": C, "thresholds": THRESHOLDS, "trained_on": fingerprint(training_files()),
            "clinc": "CLINC150 train split at 828f809 (CC BY 3.0)",
            "rows": {"written": len(own), "clinc_train": len(clinc), "routine_answers": len(answers)}}
    np.savez_compressed(HEAD_FILE, W=model.coef_.T.astype(np.float32), b=model.intercept_.astype(np.float32),
                        classes=np.array(classes), meta=np.array(json.dumps(meta, sort_keys=True)))
    print(f"classes: {', '.join(classes)}")
    print(f"rows: {len(own)} written, {len(clinc)} CLINC train, {len(answers)} routine answers")
    print(f"5-fold accuracy on the written examples: {right / n_own:.3f}")
    print(f"head alone on fixtures/nlu/intent_dev.jsonl: {dev_ok}/{len(dev)}")
    print(f"wrote {HEAD_FILE.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
