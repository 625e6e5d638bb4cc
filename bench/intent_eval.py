"""Intent accuracy of the embedded understanding on a labelled set of first messages.

    .venv/bin/python bench/intent_eval.py --set fixtures/nlu/intent_dev.jsonl
    .venv/bin/python bench/intent_eval.py --set PATH --write     # also appends a dated section to
                                                                   # docs/benchmarks/intent_blind.md

The set is JSONL, one first message a line: {"text", "intent", "info_topic" (information only),
"source"}; intents scheduling, cancellation, reschedule, check_appointment, information (topics
hours, address, phone, providers), handoff, greeting, goodbye, out_of_scope. Each message is read as
the first of a conversation (no question open). Prints intent accuracy overall and per label, the
confusions, info_topic accuracy, and p50/p95 milliseconds a message for the whole understanding
(encoder included). `--rules-only` measures the rules without the classifier.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dialogue.nlu import EmbeddedUnderstanding, NLUContext, RosterEntry  # noqa: E402

LABELS = ["scheduling", "cancellation", "reschedule", "check_appointment", "information", "handoff", "greeting",
          "goodbye", "out_of_scope"]
TZ = "America/Chicago"
NOW = dt.datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo(TZ))       # a Wednesday morning
ROSTER = [RosterEntry("p1", "Priya", "Raman", "Dr.", "Cardiology"),
          RosterEntry("p2", "Susan", "Lee", "Dr.", "Dermatology"),
          RosterEntry("p3", "Lin", "Chen", "Dr.", "Pediatrics"),
          RosterEntry("p4", "Maria", "Gonzalez", "NP", "Family Medicine")]
DOC = ROOT / "docs" / "benchmarks" / "intent_blind.md"


def understanding(rules_only: bool, threads: int = 2) -> tuple[EmbeddedUnderstanding, str]:
    if rules_only:
        return EmbeddedUnderstanding(), "rules alone"
    from safety.embeddings import SentenceEncoder
    mode = "rules + classifier" + ("" if threads == 2 else f" (encoder on {threads} thread(s))")
    return EmbeddedUnderstanding(encoder=SentenceEncoder(threads=threads)), mode


def evaluate(rows: list[dict], nlu: EmbeddedUnderstanding) -> dict:
    per: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    confusions: collections.Counter = collections.Counter()
    examples: dict[tuple[str, str], str] = {}
    topic_ok = topic_n = 0
    lat: list[float] = []
    cpu: list[float] = []
    nlu.understand("warm up", NLUContext(timezone=TZ, now=NOW, roster=ROSTER))
    for r in rows:
        ctx = NLUContext(timezone=TZ, now=NOW, roster=ROSTER)
        t0, c0 = time.perf_counter(), time.process_time()
        res = nlu.understand(r["text"], ctx)
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        got, want = res.intent.value, r["intent"]
        per[want][0] += got == want
        per[want][1] += 1
        if got != want:
            confusions[(want, got)] += 1
            examples.setdefault((want, got), r["text"])
        if want == "information":
            topic_n += 1
            topic_ok += got == "information" and res.info_topic == r.get("info_topic")
    lat.sort()
    cpu.sort()
    return dict(cpu50=cpu[len(cpu) // 2], cpu95=cpu[min(len(cpu) - 1, int(0.95 * len(cpu)))],
                load=os.getloadavg()[0], per=dict(per), confusions=confusions, examples=examples, topic_ok=topic_ok, topic_n=topic_n,
                p50=lat[len(lat) // 2], p95=lat[min(len(lat) - 1, int(0.95 * len(lat)))], n=len(rows))


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}%" if b else "n/a"


def report(res: dict, mode: str, set_path: str) -> str:
    ok = sum(v[0] for v in res["per"].values())
    lines = [f"Set: `{set_path}` ({res['n']} messages); understanding: {mode}.", "",
             "| measure | result |", "|---|---|",
             f"| intent accuracy | {pct(ok, res['n'])} ({ok}/{res['n']}) |",
             f"| info_topic accuracy (information messages) | {pct(res['topic_ok'], res['topic_n'])} "
             f"({res['topic_ok']}/{res['topic_n']}) |",
             f"| latency p50 / p95 a message (wall clock; load average {res['load']:.1f} on 2 cores) | "
             f"{res['p50']:.2f} ms / {res['p95']:.2f} ms |",
             f"| CPU time p50 / p95 a message (this process, all threads) | {res['cpu50']:.2f} ms / {res['cpu95']:.2f} ms |",
             "",
             "| label | correct |", "|---|---|"]
    for lab in LABELS + sorted(set(res["per"]) - set(LABELS)):
        if lab in res["per"]:
            a, b = res["per"][lab]
            lines.append(f"| {lab} | {pct(a, b)} ({a}/{b}) |")
    lines += ["", "Confusions (want -> got: count, one example):", ""]
    for (want, got), n in res["confusions"].most_common():
        lines.append(f"- {want} -> {got}: {n} (\"{res['examples'][(want, got)]}\")")
    if not res["confusions"]:
        lines.append("- none")
    return "\n".join(lines)


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", required=True, help="JSONL of labelled first messages")
    ap.add_argument("--write", action="store_true", help=f"append a dated section to {DOC.relative_to(ROOT)}")
    ap.add_argument("--rules-only", action="store_true", help="without the classifier")
    ap.add_argument("--threads", type=int, default=2, help="the encoder's threads (the service: 2)")
    ap.add_argument("--label", default="", help="a word for the section's title (e.g. 'first blind run')")
    args = ap.parse_args()
    path = Path(args.set)
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        print(f"cannot read the set {path}: {exc}", file=sys.stderr)
        return 2
    bad = [r for r in rows if r.get("intent") not in LABELS or not r.get("text")]
    if bad:
        print(f"{len(bad)} rows without text or with an unknown intent, e.g. {bad[0]}", file=sys.stderr)
        return 2
    nlu, mode = understanding(args.rules_only, args.threads)
    res = evaluate(rows, nlu)
    body = report(res, mode, args.set)
    print(body)
    if args.write:
        command = "`.venv/bin/python bench/intent_eval.py " + " ".join(sys.argv[1:]) + "`"
        title = f"## {dt.date.today().isoformat()}" + (f" — {args.label}" if args.label else "")
        section = (f"{title}\n\nMeasured on {platform.machine()} Linux, 2 cores, Python {platform.python_version()}, "
                   f"commit {commit()}.\n\nCommand: {command}\n\n{body}\n")
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else (
            "# Intent accuracy on first messages\n\nWritten by `bench/intent_eval.py --write`; each run appends "
            "a section, older ones are kept.\n")
        DOC.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
