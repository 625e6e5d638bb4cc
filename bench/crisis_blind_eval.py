"""Crisis detection on a sealed blind batch: one message at a time, and across turns.

    .venv/bin/python bench/crisis_blind_eval.py [--batch 8] [--label "what was run"] [--append docs/benchmarks/crisis_blind8.md]

Data (each written by a helper that read no code, rules or training data):
- batches 42-57 (sealed; written 2026-11-29 in session 15 from the same brief; 42-45 scored on the detector frozen
  at 0d9721e before they were read, 46-53 on the detector frozen at 79ab157, with the lexical member, 54-57 at
  e94d715; 42-53 trained on after their first runs): blind_holdout42..57.jsonl and blind_multiturn42..57.jsonl,
  each first run in docs/benchmarks/crisis_blind<batch>.md.
- batches 30-41 (sealed; written 2026-11-29, 30-31 in session 13 and 32-41 in session 14, from the same brief;
  30-33 scored on the detector frozen at 3ea0987, 34-35 at b754308, 36-37 at ce98846, 38-39 at 6003dec, 40-41
  at 1b94c3e, each before it was read): blind_holdout30..41.jsonl and blind_multiturn30..41.jsonl, each first run and what it
  got wrong in docs/benchmarks/crisis_blind<batch>.md.
- batches 24-29 (sealed; written 2026-11-29, 24 in session 12 and 25-29 in session 13, from the same brief;
  24 scored on the detector frozen at a9c7f59, 25 and 26 at dc7f3a9, 27-29 at d36680d, each before it was
  read): blind_holdout24..29.jsonl and blind_multiturn24..29.jsonl, each first run and what it got wrong in
  docs/benchmarks/crisis_blind<batch>.md.
- batch 23 (sealed; written 2026-11-29 in session 12 from the same brief before batch 22 was opened, kept unopened
  in fixtures/sealed until the detector was frozen at 8eb97bf): blind_holdout23.jsonl and blind_multiturn23.jsonl,
  its first run and what it got wrong in docs/benchmarks/crisis_blind23.md.
- batch 22 (sealed; written 2026-11-29 in session 11 from the same brief, kept unopened in fixtures/sealed until
  session 12 froze the retrained head at ad4e2da): blind_holdout22.jsonl and blind_multiturn22.jsonl, its first
  run and what it got wrong in docs/benchmarks/crisis_blind22.md.
- batches 17-21 (sealed; written 2026-11-29 in session 11 by five helpers from the same brief; 17 scored on the
  detector as session 10 left it, 18-21 each after the one before it was read): blind_holdout17..21.jsonl and
  blind_multiturn17..21.jsonl, each first run recorded in docs/benchmarks/crisis_blind<batch>.md.
- batches 12-16 (sealed; written 2026-11-29 by five helpers from fixtures/safety/BLIND_BRIEF.md, batch 10's
  brief; each SHA-256 in fixtures/SEALED.sha256 before the detector it measures was frozen; never trained on):
  blind_holdout12..16.jsonl and blind_multiturn12..16.jsonl, each first run recorded in
  docs/benchmarks/crisis_blind<batch>.md.
- batches 10 and 11 (sealed; written 2026-11-29 by two helpers from one brief, before that session's
  tuning; never trained on): blind_holdout10/11.jsonl and blind_multiturn10/11.jsonl, batch 7's format; they
  arrive in the repository only to be scored (`--batch 10`, `--batch 11`), each run recorded in
  docs/benchmarks/crisis_blind<batch>.md.
- batch 9: blind_holdout9.jsonl and blind_multiturn9.jsonl, scored blind in docs/benchmarks/crisis_blind9.md,
  since 2026-11-29 training data.
- batch 8: blind_holdout8.jsonl and blind_multiturn8.jsonl, batch 7's format; scored blind once in
  docs/benchmarks/crisis_blind8.md, since session 9 training data.
- batch 7: fixtures/safety/blind_holdout7.jsonl and blind_multiturn7.jsonl, in batch 6's format; scored
  blind once in crisis_blind7.md, since session 9 training data. Its negative conversations are
  written so that no single turn is alarming, so "any turn fires" is a fair false alarm there.
- batch 6 (2026-11-28 16:00): blind_holdout6.jsonl — 200 messages, 100 of them hard negatives;
  blind_multiturn6.jsonl — 30 conversations (patient turns only), labelled by what a careful
  receptionist should conclude after the last turn. Scored blind in docs/benchmarks/crisis_blind6.md,
  since 2026-11-28 19:00 part of the classifier's training data.
- batch 5 (2026-11-28): blind_holdout5.jsonl, blind_multiturn5.jsonl — scored blind in
  docs/benchmarks/crisis_blind5.md, since then part of the classifier's training data.

A message counts as found when the detector gives any severity; a negative with any severity is a
false alarm. The category is right when it is the labelled one (or one listed in "also": an
intentional overdose is poisoning and self-harm). A conversation is scored the way the engine
reads it: turn by turn, each turn with the ones before it; a positive is found if any turn fires,
a negative is a false alarm if any turn fires.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from safety.crisis import CrisisDetector  # noqa: E402
from safety.pii import get_detector  # noqa: E402

DATA = ROOT / "fixtures" / "safety"
BATCHES = (5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57)
SEALED = (7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57)       # batches whose runs are recorded, each on its own page, when asked for by name


def _positive(row: dict) -> bool:
    return row["label"] not in ("negative", "none")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _right_category(row: dict, got) -> bool:
    return got.category in {row["category"], *row.get("also", [])}


def _redact(text: str) -> str:
    return get_detector().redact(text).text


def _assess(det: CrisisDetector, text: str, previous: list[str] | None = None, redacted: str | None = None):
    """As the pipeline does it: the classifier reads the message with its PII redacted."""
    window = getattr(det, "assess_window", None)
    if window is None:
        return det.assess(text)
    return window([_redact(p) for p in previous or []], text,
                  redacted=redacted if redacted is not None else _redact(text))


def _conversation(det: CrisisDetector, turns: list[str]):
    """What fires over a conversation: the first turn that raises a severity (windowed when the
    detector reads recent turns, else each message alone)."""
    for i in range(len(turns)):
        got = _assess(det, turns[i], turns[max(0, i - 3):i])
        if got.is_crisis:
            return got
    return None


def evaluate(det: CrisisDetector, batch: int = 6) -> dict:
    rows = _rows(DATA / f"blind_holdout{batch}.jsonl")
    pos = [r for r in rows if _positive(r)]
    neg = [r for r in rows if not _positive(r)]
    times, res = [], {}
    for r in rows:
        redacted = _redact(r["text"]) if hasattr(det, "assess_window") else None
        t0 = time.perf_counter()             # the detector alone (PII has its own figure in safety.md)
        res[id(r)] = _assess(det, r["text"], redacted=redacted)
        times.append((time.perf_counter() - t0) * 1000)
    found = [r for r in pos if res[id(r)].is_crisis]
    urgent = [r for r in pos if r["severity"] in ("HIGH", "CRITICAL")]
    out = {
        "n_pos": len(pos), "n_neg": len(neg), "found": len(found),
        "alarms": sum(res[id(r)].is_crisis for r in neg),
        "category": sum(_right_category(r, res[id(r)]) for r in found),
        "urgent": len(urgent), "escalated": sum((res[id(r)].severity or 0) >= 3 for r in urgent),
        "p95_ms": sorted(times)[int(0.95 * len(times))], "p50_ms": statistics.median(times),
        "by_category": {},
    }
    for cat in sorted({r["category"] for r in pos}):
        sub = [r for r in pos if r["category"] == cat]
        out["by_category"][cat] = (sum(res[id(r)].is_crisis for r in sub),
                                   sum(_right_category(r, res[id(r)]) for r in sub), len(sub))
    convs = _rows(DATA / f"blind_multiturn{batch}.jsonl")
    cpos = [c for c in convs if _positive(c)]
    cneg = [c for c in convs if not _positive(c)]
    got = {id(c): _conversation(det, c["turns"]) for c in convs}
    out["conv"] = {"n_pos": len(cpos), "n_neg": len(cneg),
                   "found": sum(got[id(c)] is not None for c in cpos),
                   "alarms": sum(got[id(c)] is not None for c in cneg),
                   "category": sum(got[id(c)] is not None and _right_category(c, got[id(c)]) for c in cpos)}
    return out


def render(o: dict, label: str) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    c = o["conv"]
    lines = [
        f"#### {label}",
        "",
        f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC at commit `{commit}`.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| recall, crisis + emergency | {o['found']}/{o['n_pos']} ({o['found'] / o['n_pos']:.2f}) | ≥ 0.95 |",
        f"| false alarms on hard negatives | {o['alarms']}/{o['n_neg']} ({o['alarms'] / o['n_neg']:.1%}) | ≤ 3 % |",
        f"| right category, of those found | {o['category']}/{o['found']} "
        f"({o['category'] / max(1, o['found']):.2f}) | ≥ 0.90 |",
        f"| HIGH/CRITICAL labelled → reaches a person (≥ HIGH) | {o['escalated']}/{o['urgent']} | — |",
        f"| conversations: found / false alarms | {c['found']}/{c['n_pos']} / {c['alarms']}/{c['n_neg']} | — |",
        f"| conversations: right category, of those found | {c['category']}/{c['found']} | — |",
        f"| detector latency p50 / p95 | {o['p50_ms']:.2f} / {o['p95_ms']:.2f} ms | — |",
        "",
        "| category | found | right category | of |",
        "|---|---|---|---|",
    ]
    lines += [f"| {cat} | {f} | {k} | {n} |" for cat, (f, k, n) in o["by_category"].items()]
    return "\n".join(lines) + "\n"


HEADER = """## Crisis detection on blind batch {batch}

`bench/crisis_blind_eval.py` scores the sealed blind batch {batch} (`fixtures/safety/blind_holdout{batch}.jsonl`,
`blind_multiturn{batch}.jsonl`), written by a helper that read no code, rules or training data, and never
trained or tuned on. Each run is appended as it was made; the first is the first run after the
classifier was frozen. Its negative conversations are written so that no single turn is alarming, so a
conversation where any turn fires counts as a false alarm.

**Command**:

```bash
.venv/bin/python bench/crisis_blind_eval.py --batch {batch} --label "rules + embedding classifier"
```
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="rules + model")
    ap.add_argument("--batch", type=int, default=None, choices=BATCHES,
                    help="which batch (default: the newest one in fixtures/safety)")
    ap.add_argument("--append", help="append this run's section to a markdown file (--batch 7 or 8 with no"
                                     " --append: docs/benchmarks/crisis_blind<batch>.md)")
    a = ap.parse_args(argv)
    batch = a.batch or max(b for b in BATCHES if (DATA / f"blind_holdout{b}.jsonl").exists())
    md = render(evaluate(CrisisDetector(), batch), a.label)
    print(md)
    # the sealed batch's run is recorded when asked for by name (a default run, e.g. the docs test, is not)
    target = a.append or (str(ROOT / "docs" / "benchmarks" / f"crisis_blind{a.batch}.md") if a.batch in SEALED else None)
    if target:
        path = Path(target)
        if not path.exists():
            path.write_text(HEADER.format(batch=batch), encoding="utf-8")
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\n" + md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
