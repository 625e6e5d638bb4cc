"""Cross-validation of the intent classifier and of how it is combined with the rules.

    .venv/bin/python bench/intent_cv.py                # prints held-out figures
    .venv/bin/python bench/intent_cv.py --write        # also writes the margins to fixtures/nlu/intent_margins.json

The labelled first messages (`bench/train_intent_head.py` FIRST_MESSAGES: the written examples, the
development set, the first blind set and the extra set) are read by the whole understanding with a
head that never saw them:
- **by writer**: each set is held out in turn and the head trained on the others (plus CLINC's train
  split and the `reply` rows, always in training) — the closest thing to a new writer's blind set;
- **5-fold**: stratified folds over all sets together.
CLINC150's val split (never trained on) is read the same way, so margins that cost out-of-scope
detection or reject dialogue control are paid for.

With no question open the classifier's reading replaces the rules' when it is at least
`over[reading]` likely (dialogue/nlu/combine.py). Each message has one reading, so each margin is
chosen on its own: the value that reads the most held-out messages right (5-fold and by-writer
scores together), the middle of the best range. The held-out accuracy of margins chosen this way on
the same messages is optimistic; the **nested** figure chooses them without the set it reports
(leave one writer out for both the head and the margins).
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from intent_eval import NOW, ROSTER, TZ  # noqa: E402
from train_intent_head import (CLINC, CLINC_CONTROL, FIRST_MESSAGES, MARGINS, THRESHOLDS, always_trained,  # noqa: E402
                               first_messages, fit, label_of)

from dialogue.nlu import EmbeddedUnderstanding, NLUContext  # noqa: E402
from dialogue.nlu.intent_model import IntentScores, Thresholds, scores_of  # noqa: E402

GRID = [round(x, 2) for x in np.arange(0.3, 1.0, 0.05)] + [2.0]      # 2.0: never over this reading
FOLDS = 5
CLINC_WEIGHT = 5
SEED = 0


@dataclass
class Row:
    text: str
    want: str            # first-message intent, or "in_scope" for CLINC dialogue control (anything but out_of_scope)
    topic: Optional[str]
    group: str           # the set it comes from ("clinc_val" for CLINC)


def clinc_val() -> list[Row]:
    out = []
    for line in CLINC.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["split"] != "val" or r.get("medical_overlap"):
            continue
        if r["group"] == "out_of_scope":
            out.append(Row(r["text"], "out_of_scope", None, "clinc_val"))
        elif r["label"] in CLINC_CONTROL or r["label"] == "make_call":
            out.append(Row(r["text"], "in_scope", None, "clinc_val"))
    return out


class Recorder(dict):
    """The margin table, remembering which reading was looked up."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value, self.asked = value, None

    def __bool__(self) -> bool:
        return True

    def get(self, key, default=None):       # noqa: D102
        self.asked = key
        return self.value


class Cached:
    """A classifier stand-in answering from precomputed held-out scores."""

    def __init__(self, table: dict[str, IntentScores], over: Recorder) -> None:
        self.table = table
        self.thresholds = Thresholds(THRESHOLDS["adopt"], THRESHOLDS["override"], THRESHOLDS["veto"], over)

    def score(self, text: str) -> IntentScores:
        return self.table[text]


def outcome(nlu: EmbeddedUnderstanding, text: str) -> tuple[str, Optional[str]]:
    res = nlu.understand(text, NLUContext(timezone=TZ, now=NOW, roster=ROSTER))
    return res.intent.value, res.info_topic


def right(row: Row, got: tuple[str, Optional[str]]) -> bool:
    if row.want == "in_scope":
        return got[0] != "out_of_scope"
    return got[0] == row.want and (row.want != "information" or got[1] == row.topic)


def held_out_scores(x_pool, y_pool, x_always, y_always, x_clinc, splits) -> tuple[list, list]:
    """For each split (train index, test index) the held-out probabilities of the pool's test rows,
    and of the CLINC val rows assigned to that split."""
    pool_p: list = [None] * len(y_pool)
    clinc_p: list = [None] * len(x_clinc)
    for k, (tr, te) in enumerate(splits):
        model = fit(np.concatenate([x_pool[tr], x_always]), [y_pool[i] for i in tr] + y_always)
        classes = [str(c) for c in model.classes_]
        for i, p in zip(te, model.predict_proba(x_pool[te])):
            pool_p[i] = (classes, p)
        mine = [i for i in range(len(x_clinc)) if i % len(splits) == k]
        if mine:
            for i, p in zip(mine, model.predict_proba(x_clinc[mine])):
                clinc_p[i] = (classes, p)
    return pool_p, clinc_p


def to_scores(classes: list[str], p: np.ndarray) -> IntentScores:
    return scores_of(classes, p)


@dataclass
class Case:
    row: Row
    reading: Optional[str]    # the rules' reading when the classifier's differs (None: the margin plays no part)
    p: float
    ok_over: bool             # right when the classifier's reading is taken
    ok_rules: bool            # right when the rules' is kept
    label: str = ""           # the classifier's reading (reply set aside)


def cases(rows: list[Row], scores: list[IntentScores]) -> list[Case]:
    out = []
    for row, sc in zip(rows, scores):
        table = {row.text.strip()[:1000]: sc}
        got = []
        reading = None
        for value in (0.0, 2.0):
            over = Recorder(value)
            nlu = EmbeddedUnderstanding()
            nlu.classifier = Cached(table, over)         # type: ignore[assignment]
            got.append(outcome(nlu, row.text))
            reading = over.asked or reading
        out.append(Case(row, reading if got[0] != got[1] else None, sc.p_request, right(row, got[0]), right(row, got[1]),
                        sc.request))
    return out


def weight(c: Case) -> int:
    """CLINC val rows count CLINC_WEIGHT times: they stand for the CLINC test split, ten times their
    number, on which out-of-scope detection has a floor (>= 90 % at <= 5 % in-scope rejected)."""
    return CLINC_WEIGHT if c.row.group == "clinc_val" else 1


def choose(cs: Iterable[Case]) -> dict[str, float]:
    """Per reading, the margin reading the most cases right (the middle of the best run of the grid)."""
    by: dict[str, list[Case]] = collections.defaultdict(list)
    for c in cs:
        if c.reading is not None:
            by[c.reading].append(c)
    out = {}
    for reading, group in sorted(by.items()):
        counts = [sum(weight(c) * (c.ok_over if c.p >= t else c.ok_rules) for c in group) for t in GRID]
        best = max(counts)
        runs, start = [], None
        for i, n in enumerate(counts + [-1]):
            if n == best and start is None:
                start = i
            elif n != best and start is not None:
                runs.append((start, i - 1))
                start = None
        lo, hi = max(runs, key=lambda r: (r[1] - r[0], r[1]))
        out[reading] = GRID[(lo + hi + 1) // 2] if GRID[hi] != 2.0 or lo == hi else GRID[hi]
    return out


def choose_one(cs: Iterable[Case]) -> dict[str, float]:
    """One margin for every reading (the simpler rule the per-reading margins are compared with)."""
    cs = [c for c in cs if c.reading is not None]
    best = max(GRID, key=lambda t: (sum(weight(c) * (c.ok_over if c.p >= t else c.ok_rules) for c in cs), t))
    return {c.reading: best for c in cs}


def accuracy(cs: list[Case], margins: dict[str, float]) -> tuple[int, int]:
    ok = 0
    for c in cs:
        if c.reading is None:
            ok += c.ok_rules
        else:
            ok += c.ok_over if c.p >= margins.get(c.reading, 2.0) else c.ok_rules
    return ok, len(cs)


def pct(a: tuple[int, int]) -> str:
    return f"{100.0 * a[0] / a[1]:.1f}% ({a[0]}/{a[1]})" if a[1] else "n/a"


def cached(embed, path: Path):
    store: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path, allow_pickle=True) as d:
            store = dict(zip(d["t"].tolist(), d["x"]))

    def embed_cached(texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in store})
        if missing:
            store.update(zip(missing, embed(missing)))
            np.savez(path, t=np.array(list(store), dtype=object), x=np.stack(list(store.values())))
        return np.stack([store[t] for t in texts])
    return embed_cached


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="write the chosen margins to " + str(MARGINS.relative_to(ROOT)))
    ap.add_argument("--cache", help="development: keep the embeddings in this .npz between runs")
    ap.add_argument("--misses", action="store_true", help="list the held-out messages read wrong")
    args = ap.parse_args()
    from sklearn.model_selection import StratifiedKFold

    from safety.embeddings import SentenceEncoder
    pool = [Row(t, lab.split("/")[0], lab.split("/")[1] if "/" in lab else None, g) for t, lab, g in first_messages()]
    y_pool = [r.want + (f"/{r.topic}" if r.topic else "") for r in pool]
    always = always_trained()
    clinc = clinc_val()
    enc = SentenceEncoder(threads=2)

    def embed(texts: list[str]) -> np.ndarray:
        return np.concatenate([enc.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])

    if args.cache:          # development: embeddings kept between runs (the encoder is deterministic)
        embed = cached(embed, Path(args.cache))

    x_pool, x_always, x_clinc = embed([r.text for r in pool]), embed([t for t, _ in always]), embed([r.text for r in clinc])
    y_always = [lab for _, lab in always]
    groups = sorted({r.group for r in pool})
    print(f"pool: {len(pool)} first messages ({', '.join(f'{g} {sum(r.group == g for r in pool)}' for g in groups)}); "
          f"always in training: {len(always)}; CLINC val: {len(clinc)}")

    kfold = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(pool)), y_pool))
    k_pool, k_clinc = held_out_scores(x_pool, y_pool, x_always, y_always, x_clinc, kfold)
    writers = [(np.array([i for i, r in enumerate(pool) if r.group != g]), np.array([i for i, r in enumerate(pool) if r.group == g]))
               for g in groups]
    w_pool, _ = held_out_scores(x_pool, y_pool, x_always, y_always, x_clinc[:0], writers)

    k_cases = cases(pool + clinc, [to_scores(*p) for p in k_pool + k_clinc])
    w_cases = cases(pool, [to_scores(*p) for p in w_pool])
    head_alone = {g: sum(to_scores(*w_pool[i]).request == y_pool[i] for i, r in enumerate(pool) if r.group == g) for g in groups}
    margins = choose(k_cases + w_cases)
    rules_only = {reading: 2.0 for reading in margins}

    print("\nmargins chosen (5-fold and by-writer held-out messages):")
    print(json.dumps(margins, indent=1, sort_keys=True))
    print("\n| held out | rules alone | head alone | rules + head, margins chosen on all | nested: margins chosen "
          "without this set | nested, one margin for all readings |")
    print("|---|---|---|---|---|---|")
    for g in groups:
        mine = [c for c in w_cases if c.row.group == g]
        others = [c for c in w_cases + k_cases if c.row.group != g and c.row.group != "clinc_val"]
        others += [c for c in k_cases if c.row.group == "clinc_val"]
        n = len(mine)
        print(f"| {g} (by writer, {n}) | {pct(accuracy(mine, rules_only))} | {pct((head_alone[g], n))} | "
              f"{pct(accuracy(mine, margins))} | {pct(accuracy(mine, choose(others)))} | "
              f"{pct(accuracy(mine, choose_one(others)))} |")
    if args.misses:
        print("\nmisses by writer (margins chosen on all): want -> rules' reading, p, text")
        for c in w_cases:
            if not (c.ok_over if c.reading is not None and c.p >= margins.get(c.reading, 2.0) else c.ok_rules):
                print(f"  {c.row.group}: {c.row.want}{'/' + c.row.topic if c.row.topic else ''} -> {c.reading} "
                      f"{c.p:.2f} head={c.label} {c.row.text}")
    kp = [c for c in k_cases if c.row.group != "clinc_val"]
    print(f"| all sets (5-fold, {len(kp)}) | {pct(accuracy(kp, rules_only))} | - | {pct(accuracy(kp, margins))} | - |")
    oos = [c for c in k_cases if c.row.group == "clinc_val" and c.row.want == "out_of_scope"]
    ctl = [c for c in k_cases if c.row.group == "clinc_val" and c.row.want == "in_scope"]
    for name, cs in (("CLINC val out-of-scope detected", oos), ("CLINC val dialogue control kept in scope", ctl)):
        print(f"| {name} ({len(cs)}) | {pct(accuracy(cs, rules_only))} | - | {pct(accuracy(cs, margins))} | - |")
    if args.write:
        MARGINS.write_text(json.dumps(margins, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nwrote {MARGINS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
