"""Safety benchmark: crisis/emergency detection, PII recall/precision, pipeline latency.

    .venv/bin/python bench/safety_eval.py [--write docs/benchmarks/safety.md]

Data
- fixtures/safety/messages.jsonl — our labelled messages (crisis / emergency / negative).
- /work/shared/eval/presidio_synth_dataset_v2.json (or $SAFETY_PRESIDIO_DATA) — Presidio's
  synthetic PII sentences. Dates of birth: a DATE_TIME span counts as DATE_OF_BIRTH when its
  sentence contains born / birth / birthday / DOB; other DATE_TIME spans are not scored as DOB
  recall, but DOB predictions on them count against DOB precision ("strict") — and separately
  as "vs any DATE_TIME".
A prediction matches a gold span when the types are equal and the character ranges overlap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import subprocess  # noqa: E402

from safety.crisis import CrisisDetector, assess  # noqa: E402
from safety.crisis_model import current as crisis_model  # noqa: E402
from safety.pii import get_detector  # noqa: E402
from safety.pipeline import SafetyPipeline  # noqa: E402

FIXTURE = ROOT / "fixtures" / "safety" / "messages.jsonl"
BLIND = ROOT / "fixtures" / "safety" / "blind_holdout6.jsonl"   # sealed; batches 4 and 5 are training data now
SGD = Path(os.environ.get("SAFETY_SGD_DATA", "/work/shared/eval/sgd_appointments.jsonl"))
PRESIDIO = Path(os.environ.get("SAFETY_PRESIDIO_DATA", "/work/shared/eval/presidio_synth_dataset_v2.json"))
BIRTH = re.compile(r"\b(?:born|birth|birthday|dob)\b", re.IGNORECASE)
SCORED = ["PHONE_NUMBER", "EMAIL_ADDRESS", "US_SSN", "CREDIT_CARD", "DATE_OF_BIRTH", "PERSON", "US_DRIVER_LICENSE"]
TARGET = {"PHONE_NUMBER": 0.95, "EMAIL_ADDRESS": 0.95, "US_SSN": 0.95, "CREDIT_CARD": 0.95, "DATE_OF_BIRTH": 0.95}


def crisis_eval():
    rows = [json.loads(l) for l in FIXTURE.read_text(encoding="utf-8").splitlines() if l.strip()]
    out = {"n": len(rows)}
    pos = [r for r in rows if r["label"] != "negative"]
    neg = [r for r in rows if r["label"] == "negative"]
    res = {id(r): assess(r["text"]) for r in rows}
    hit = [r for r in pos if res[id(r)].severity is not None]
    fa = [r for r in neg if res[id(r)].severity is not None]
    out["recall"] = len(hit) / len(pos)
    out["false_alarm"] = len(fa) / len(neg)
    out["n_pos"], out["n_neg"] = len(pos), len(neg)
    out["severity_exact"] = sum(res[id(r)].severity is not None and res[id(r)].severity.name == r["severity"] for r in pos) / len(pos)
    out["escalate_ok"] = sum(
        (res[id(r)].severity or 0) >= 3 for r in pos if r["severity"] in ("HIGH", "CRITICAL")
    ) / max(1, sum(r["severity"] in ("HIGH", "CRITICAL") for r in pos))
    by = {}
    for key in ("crisis", "emergency"):
        sub = [r for r in pos if r["label"] == key]
        by[key] = (sum(res[id(r)].severity is not None for r in sub), len(sub))
    for lang in ("en", "es"):
        sub = [r for r in pos if r["lang"] == lang]
        subn = [r for r in neg if r["lang"] == lang]
        by[f"pos_{lang}"] = (sum(res[id(r)].severity is not None for r in sub), len(sub))
        by[f"neg_{lang}"] = (sum(res[id(r)].severity is not None for r in subn), len(subn))
    out["by"] = by
    out["missed"] = [r["text"] for r in pos if res[id(r)].severity is None]
    out["alarms"] = [r["text"] for r in neg if res[id(r)].severity is not None]
    return out


def blind_eval():
    """Generalisation: messages written blind to the rules and the model, rules alone vs rules + model."""
    rows = [json.loads(l) for l in BLIND.read_text(encoding="utf-8").splitlines() if l.strip()]
    pos = [r for r in rows if r["label"] not in ("negative", "none")]
    neg = [r for r in rows if r["label"] in ("negative", "none")]
    urgent = [r for r in pos if r["severity"] in ("HIGH", "CRITICAL")]
    out = {"n_pos": len(pos), "n_neg": len(neg), "n_urgent": len(urgent), "rows": []}
    for name, det in (("rules only", CrisisDetector(use_model=False)), ("rules + model", CrisisDetector())):
        res = {r["text"]: det.assess(r["text"]) for r in rows}
        out["rows"].append({
            "name": name, "found": sum(res[r["text"]].is_crisis for r in pos),
            "alarms": sum(res[r["text"]].is_crisis for r in neg),
            "escalated": sum((res[r["text"]].severity or 0) >= 3 for r in urgent)})
    return out


def everyday_eval(pipe: SafetyPipeline):
    """False alarms on everyday appointment talk the model never saw: SGD user turns of the dev and
    test splits (the train split is among the classifier's negatives)."""
    if not SGD.exists():
        return None
    texts = []
    for line in SGD.read_text(encoding="utf-8").splitlines():
        dialogue = json.loads(line)
        if dialogue["split"] != "train":
            texts += [t["utterance"] for t in dialogue["turns"] if t["speaker"] == "USER"]
    rules = CrisisDetector(use_model=False)
    return {"n": len(texts), "flagged": sum(pipe.check_input(t).crisis.is_crisis for t in texts),   # as run: PII redacted first
            "by_rules": sum(rules.assess(t).is_crisis for t in texts),
            "alone": crisis_model().model.thresholds.alone}


LOAD_PROBE = """
import time, re
def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
import numpy, onnxruntime, tokenizers, spacy, presidio_analyzer  # libraries, not weights
before = rss(); t0 = time.perf_counter()
from safety import crisis_model
crisis_model.load(required=True)
t1 = time.perf_counter(); mid = rss()
from safety.pii import PIIDetector
PIIDetector(required=True)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1, mid - before, rss() - mid)
"""


def load_eval():
    """Model load time and resident memory added, in a fresh process (libraries imported first)."""
    out = subprocess.run([sys.executable, "-c", LOAD_PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    crisis_s, pii_s, crisis_mb, pii_mb = map(float, out.stdout.split())
    return {"crisis_s": crisis_s, "pii_s": pii_s, "crisis_mb": crisis_mb, "pii_mb": pii_mb}


def pii_eval():
    data = json.loads(PRESIDIO.read_text(encoding="utf-8"))
    det = get_detector()
    tp, fn, pred, fp, fp_any_dt = (defaultdict(int) for _ in range(5))
    for x in data:
        t = x["full_text"]
        found = det.detect(t)
        gold = []
        for s in x["spans"]:
            et = s["entity_type"]
            if et == "DATE_TIME" and BIRTH.search(t):
                et = "DATE_OF_BIRTH"
            gold.append((et, s["start_position"], s["end_position"]))
        for et, s, e in gold:
            if et not in SCORED:
                continue
            if any(p.entity_type == et and p.start < e and s < p.end for p in found):
                tp[et] += 1
            else:
                fn[et] += 1
        for p in found:
            pred[p.entity_type] += 1
            if not any(p.entity_type == et and p.start < e and s < p.end for et, s, e in gold):
                fp[p.entity_type] += 1
                if p.entity_type == "DATE_OF_BIRTH" and not any(
                    et == "DATE_TIME" and p.start < e and s < p.end for et, s, e in gold
                ):
                    fp_any_dt[p.entity_type] += 1
    rows = []
    for et in SCORED:
        n = tp[et] + fn[et]
        rows.append({
            "entity": et, "gold": n, "recall": tp[et] / n if n else float("nan"),
            "precision": (pred[et] - fp[et]) / pred[et] if pred[et] else float("nan"),
            "pred": pred[et],
            "precision_any_date": (pred[et] - fp_any_dt[et]) / pred[et] if et == "DATE_OF_BIRTH" and pred[et] else None,
        })
    return {"n_sentences": len(data), "rows": rows}


def conversation_latency(pipe: SafetyPipeline, limit: int = 1500):
    """Everyday conversations as they arrive: SGD dialogues' user turns in order, each checked with
    its two predecessors (redacted) as `recent`, and a reply checked on the way out."""
    if not SGD.exists():
        return None
    times: list[float] = []
    for line in SGD.read_text(encoding="utf-8").splitlines():
        turns = [t["utterance"] for t in json.loads(line)["turns"] if t["speaker"] == "USER"]
        recent: list[str] = []
        for text in turns:
            t0 = time.perf_counter()
            v = pipe.check_input(text, {"recent": recent[-2:]})
            pipe.check_output("You're booked with Dr. Patel on Tuesday at 2:30 PM. We'll text 555-123-4567.",
                              ["555-123-4567"])
            times.append((time.perf_counter() - t0) * 1000)
            recent.append(v.text_redacted)
        if len(times) >= limit:
            break
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]  # noqa: E731
    return {"n": len(times), "p50": statistics.median(times), "p95": q(0.95), "p99": q(0.99), "max": times[-1]}


def latency_eval(pipe: SafetyPipeline, repeats: int = 3):
    msgs = [json.loads(l)["text"] for l in FIXTURE.read_text(encoding="utf-8").splitlines() if l.strip()]
    msgs += [
        "Hi, this is Maria Lopez, DOB 03/04/1985, my number is 555-123-4567 and email maria@example.com",
        "my ssn is 123-45-6789 and card 4111 1111 1111 1111, can I pay my bill?",
    ]
    replies = [
        "You're booked with Dr. Patel on Tuesday at 2:30 PM. We'll text 555-123-4567.",
        "Please arrive 15 minutes early and bring your insurance card.",
        "You can take 400 mg of ibuprofen every 6 hours.",
    ]
    for m in msgs[:20]:  # warm-up
        pipe.check_input(m)
    times = []
    for _ in range(repeats):
        for i, m in enumerate(msgs):
            ctx = {"recent": msgs[max(0, i - 2):i]}      # as in a conversation: read across the last turns too
            t0 = time.perf_counter()
            pipe.check_input(m, ctx)
            pipe.check_output(replies[i % len(replies)], ["555-123-4567"])
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]  # noqa: E731
    return {"n": len(times), "p50": statistics.median(times), "p95": q(0.95), "p99": q(0.99), "max": times[-1]}


def fmt(x):
    return "n/a" if x is None or x != x else f"{x:.3f}"


def cpu_description() -> str:
    """The CPU and whether it has the int8 dot-product instructions (AVX-512 VNNI / AVX-VNNI) the
    quantised encoder runs 3-4x faster with: the latency figures depend on them."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or platform.machine()
    model = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    flags = set((re.search(r"^flags\s*:\s*(.+)$", info, re.M) or re.search("()", "")).group(1).split())
    vnni = "with" if flags & {"avx512_vnni", "avx_vnni"} else "without"
    return f"{model.group(1).strip() if model else platform.machine()}, {vnni} VNNI"


def render(c, p, l, b, e, m, v) -> str:
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    cpu = cpu_description()
    lines = [
        "## Safety",
        "",
        f"Command: `.venv/bin/python bench/safety_eval.py --write docs/benchmarks/safety.md` — run {now}, "
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load average "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min) at the end.",
        "",
        f"### Crisis and emergency detection (`fixtures/safety/messages.jsonl`, {c['n']} messages: "
        f"{c['n_pos']} crisis/emergency, {c['n_neg']} negatives)",
        "",
        "| metric | value | target |",
        "|---|---|---|",
        f"| recall, crisis + emergency (any severity) | {c['recall']:.3f} | ≥ 0.98 |",
        f"| false alarms on negatives | {c['false_alarm']:.3f} ({len(c['alarms'])}/{c['n_neg']}) | ≤ 0.02 |",
        f"| severity exactly as labelled | {c['severity_exact']:.3f} | — |",
        f"| HIGH/CRITICAL labelled → escalated (≥ HIGH) | {c['escalate_ok']:.3f} | — |",
    ]
    for k, (h, n) in c["by"].items():
        kind = "detected" if not k.startswith("neg") else "false alarms"
        lines.append(f"| {k} ({kind}) | {h}/{n} | — |")
    lines += [
        "",
        f"### Blind batch 6 (`fixtures/safety/blind_holdout6.jsonl`, {b['n_pos']} crisis/emergency, "
        f"{b['n_neg']} hard negatives; message by message). **Training data since 2026-11-28 19:10**: "
        "a regression figure now, not generalisation (that is `crisis_blind7.md`)",
        "",
        "| detector | found | false alarms | HIGH/CRITICAL labelled → escalated (≥ HIGH) |",
        "|---|---|---|---|",
    ]
    for r in b["rows"]:
        lines.append(f"| {r['name']} | {r['found']}/{b['n_pos']} ({r['found'] / b['n_pos']:.2f}) | "
                     f"{r['alarms']}/{b['n_neg']} | {r['escalated']}/{b['n_urgent']} |")
    if e is not None:
        lines += [
            "",
            f"Everyday appointment requests (SGD user turns of the dev and test splits, {e['n']}, never trained on): flagged "
            f"{e['flagged']} ({e['flagged'] / e['n']:.2%}; target ≤ 0.2 %), by the rules alone {e['by_rules']}. "
            f"The classifier's threshold `alone` = {e['alone']}.",
        ]
    lines += [
        "",
        f"### PII (`presidio_synth_dataset_v2.json`, {p['n_sentences']} sentences; overlap match, same type)",
        "",
        "| entity | gold spans | recall | precision | target recall |",
        "|---|---|---|---|---|",
    ]
    for r in p["rows"]:
        prec = fmt(r["precision"])
        if r["precision_any_date"] is not None:
            prec += f" (vs any DATE_TIME: {fmt(r['precision_any_date'])})"
        tgt = f"≥ {TARGET[r['entity']]:.2f}" if r["entity"] in TARGET else "report"
        lines.append(f"| {r['entity']} | {r['gold']} | {fmt(r['recall'])} | {prec} | {tgt} |")
    lines += [
        "",
        f"### Whole pipeline latency (check_input + check_output, {l['n']} messages)",
        "",
        "| p50 ms | p95 ms | p99 ms | max ms | target |",
        "|---|---|---|---|---|",
        f"| {l['p50']:.2f} | {l['p95']:.2f} | {l['p99']:.2f} | {l['max']:.2f} | p95 ≤ 15 ms |",
        "",
        "Each message is checked with its two predecessors as `recent` (the crisis window). These are the",
        "labelled messages, 60 % of them crises, so the second (window) encoding runs far more often than",
        "in real traffic; everyday conversations, measured the same way:",
        "",
        "| everyday conversations (SGD user turns in order) | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|",
        f"| {v['n']} turns | {v['p50']:.2f} | {v['p95']:.2f} | {v['p99']:.2f} | {v['max']:.2f} |" if v else "| n/a |",
        "",
        "### Model load (a fresh process, libraries already imported)",
        "",
        "| model | load s | resident memory added MB | target |",
        "|---|---|---|---|",
        f"| crisis classifier (MiniLM int8 + heads, SHA-256 checked) | {m['crisis_s']:.2f} | {m['crisis_mb']:.0f} | ≤ 1 s |",
        f"| name recogniser (spaCy en_core_web_sm, tok2vec + ner) with Presidio | {m['pii_s']:.2f} | {m['pii_mb']:.0f} | — |",
        f"| both | {m['crisis_s'] + m['pii_s']:.2f} | {m['crisis_mb'] + m['pii_mb']:.0f} | ≤ 300 MB added |",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", help="write the markdown section to this file")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)
    c = crisis_eval()
    p = pii_eval() if PRESIDIO.exists() else {"n_sentences": 0, "rows": []}
    pipe = SafetyPipeline()          # one pipeline, as the composition root builds it
    l = latency_eval(pipe)
    md = render(c, p, l, blind_eval(), everyday_eval(pipe), load_eval(), conversation_latency(pipe))
    print(md)
    if a.verbose:
        print("missed:", *c["missed"], sep="\n  ")
        print("false alarms:", *c["alarms"], sep="\n  ")
    if a.write:
        out = Path(a.write)
        out.parent.mkdir(parents=True, exist_ok=True)
        extra = ""
        if out.exists():      # earlier runs stay below, each under its own date
            old = out.read_text(encoding="utf-8")
            if old.startswith("## Safety"):
                old = "## Safety: an earlier run" + old[len("## Safety"):]
            extra = "\n" + old
        out.write_text(md + extra, encoding="utf-8")
    ok = c["recall"] >= 0.98 and c["false_alarm"] <= 0.02 and l["p95"] <= 15 and all(
        r["recall"] >= TARGET[r["entity"]] for r in p["rows"] if r["entity"] in TARGET
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
