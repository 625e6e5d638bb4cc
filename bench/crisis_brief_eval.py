"""Crisis detection on the training batches written from the blind brief (sessions 13 and 14).

    .venv/bin/python bench/crisis_brief_eval.py [--only 5 6 7 8] [--label "what was run"] [--append docs/benchmarks/crisis_brief.md]

`fixtures/safety/train_brief1.jsonl` ... `train_brief8.jsonl`: 300 single messages each (150 crises, 150
hard negatives), written 2026-11-29 (session 13) by eight helpers that read no code, rules or training data,
from `fixtures/safety/BLIND_BRIEF.md` with twice a batch's rows and no conversations, in two rounds of four.
They were written to train the classifier; each round was scored once before it saw them (its first run on
`docs/benchmarks/crisis_brief.md`), measuring four more new writers on the detector as it stood, 1,200
messages against a sealed batch's 200. Every later run is in-sample.
`train_brief9.jsonl` ... `train_brief12.jsonl` (session 14, a third round) were asked to lean to the cases the
classifier gets wrong (crises said calmly or in passing, threats with no violent verb, long messages, many kinds
of writer; see `fixtures/safety/README.md`), so they run harder than a sealed batch.
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crisis_blind_eval import DATA, _assess, _positive, _redact, _right_category, _rows  # noqa: E402
from safety.crisis import CrisisDetector  # noqa: E402

ROUNDS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12))


def score(det: CrisisDetector, name: str) -> dict[str, int]:
    rows = _rows(DATA / name)
    got = [(r, _assess(det, r["text"], redacted=_redact(r["text"]))) for r in rows]
    found = [(r, a) for r, a in got if _positive(r) and a.is_crisis]
    return {"n_pos": sum(_positive(r) for r in rows), "n_neg": sum(not _positive(r) for r in rows),
            "found": len(found), "alarms": sum(a.is_crisis for r, a in got if not _positive(r)),
            "category": sum(_right_category(r, a) for r, a in found)}


def render(results: dict[str, dict[str, int]], label: str) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    total = {k: sum(r[k] for r in results.values()) for k in ("n_pos", "n_neg", "found", "alarms", "category")}
    together = f"all {len(results)}" if len(results) != 4 else "all four"
    lines = [f"#### {label}", "", f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC at commit `{commit}`.", "",
             "| file | recall (≥ 0.95) | false alarms (≤ 3 %) | right category (≥ 0.90) |", "|---|---|---|---|"]
    for name, o in [*results.items(), (together, total)]:
        lines.append(f"| {name} | {o['found']}/{o['n_pos']} ({o['found'] / o['n_pos']:.2f}) | "
                     f"{o['alarms']}/{o['n_neg']} ({o['alarms'] / o['n_neg']:.1%}) | "
                     f"{o['category']}/{o['found']} ({o['category'] / max(1, o['found']):.2f}) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="rules + model")
    ap.add_argument("--only", type=int, nargs="+", metavar="N", help="score only these files (a round's first run)")
    ap.add_argument("--append", help="append this run's section to a markdown file")
    a = ap.parse_args(argv)
    det = CrisisDetector()
    numbers = a.only or [n for r in ROUNDS for n in r if (DATA / f"train_brief{n}.jsonl").exists()]
    md = render({f"train_brief{n}.jsonl": score(det, f"train_brief{n}.jsonl") for n in numbers}, a.label)
    print(md)
    if a.append:
        with open(a.append, "a", encoding="utf-8") as fh:
            fh.write("\n" + md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
