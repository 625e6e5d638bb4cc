"""Human recordings sanity check: both phone recognisers on the few real voices Debian ships.

Debian's `pocketsphinx-testdata` (BSD-like, CMU) holds a handful of human recordings with
transcripts: 5 card names read to a small grammar (`cards/`), 5 read sentences from a LibriVox
audiobook (`librivox/`), one TIDIGITS digit string. None is an answer to a receptionist, so this
is a sanity check, not a benchmark of answers:
- the grammar decoder (pocketsphinx, the wheel's acoustic model) on the card names with their own
  grammar (`cards.gram`) through the call's telephone path: does the recogniser hear people?
- Whisper tiny.en (the product's loader, SHA-256 checked) word error rate, clean 16 kHz and
  through the telephone path (8 kHz mu-law and back);
- every clip decoded at every clinic question, as the call would (grammar recogniser as shipped,
  Whisper read by the understanding, and the combination): all of it is off-topic for a clinic,
  so anything accepted is a false acceptance.
Skips (exit 0, a message) when the package is absent: `apt-get install pocketsphinx-testdata`.

    .venv/bin/python bench/asr_human.py [--write]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DATA = Path("/usr/share/pocketsphinx/test/data")
QUESTIONS = ["opening", "provider", "date", "time", "yes_no", "choice", "name"]
OUT = ROOT / "docs" / "benchmarks" / "speech_callers.md"
MARK = "<!-- human recordings: written by bench/asr_human.py --write -->"


def clips() -> list[tuple[str, str, bytes]]:
    """(id, reference transcript, 16 kHz 16-bit PCM) of every transcribed human clip."""
    out = []
    for line in (DATA / "cards" / "cards.transcription").read_text().splitlines():
        m = re.match(r"<s>(.*)</s> \((\w+)\)", line.strip())
        if m:
            out.append((f"cards/{m.group(2)}", m.group(1).strip(), wav_pcm(DATA / "cards" / f"{m.group(2)}.wav")))
    for line in (DATA / "librivox" / "transcription").read_text().splitlines():
        m = re.match(r"<s>(.*)</s> \(([\w-]+)\)", line.strip())
        if m:
            out.append((f"librivox/{m.group(2)[-4:]}", m.group(1).strip(),
                        wav_pcm(DATA / "librivox" / f"{m.group(2)}.wav")))
    digits = DATA / "tidigits" / "dhd.2934z.raw"           # TIDIGITS: 'z' is zero
    if digits.exists():
        out.append(("tidigits/2934z", "two nine three four zero", digits.read_bytes()))
    return out


def wav_pcm(path: Path) -> bytes:
    with wave.open(str(path)) as w:
        assert w.getframerate() == 16000 and w.getsampwidth() == 2 and w.getnchannels() == 1, path
        return w.readframes(w.getnframes())


def phone_path(pcm16k: bytes) -> bytes:
    """16 kHz -> the call's 8 kHz mu-law -> 16 kHz, as a caller's audio reaches the recognisers."""
    from channels.voice.speech.codec import pcm_to_phone_ulaw, ulaw_to_pcm16k
    return ulaw_to_pcm16k(pcm_to_phone_ulaw(pcm16k, 16000))


def words(text: str) -> list[str]:
    t = text.lower().replace("-", " ")
    t = re.sub(r"[^a-z0-9' ]", " ", t)
    digits = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
              "7": "seven", "8": "eight", "9": "nine", "10": "ten"}
    out: list[str] = []
    for w in t.split():
        if w.isdigit() and w not in digits:
            out += [digits[c] for c in w]
        else:
            out.append(digits.get(w, w))
    return out


def wer(ref: str, hyp: str) -> tuple[int, int]:
    r, h = words(ref), words(hyp)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)], len(r)


def cards_grammar(items: list[tuple[str, str, bytes]]) -> list[dict]:
    """pocketsphinx with the cards grammar, the wheel's model, the telephone path."""
    import os

    from pocketsphinx import Config, Decoder

    from channels.voice.speech.lexicon import model_dir
    dec = Decoder(Config(hmm=os.path.join(model_dir(), "en-us"), dict=os.path.join(model_dir(), "cmudict-en-us.dict"),
                         jsgf=str(DATA / "cards" / "cards.gram"), loglevel="ERROR"))
    rows = []
    for cid, ref, pcm in items:
        if not cid.startswith("cards/"):
            continue
        dec.start_utt()
        dec.process_raw(phone_path(pcm), full_utt=True)
        dec.end_utt()
        hyp = dec.hyp().hypstr if dec.hyp() else ""
        rows.append({"id": cid, "ref": ref, "hyp": hyp, "exact": words(hyp) == words(ref)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help=f"append the tables to {OUT.relative_to(ROOT)}")
    args = ap.parse_args()
    if not (DATA / "cards" / "cards.transcription").exists():
        print("pocketsphinx-testdata is not installed (apt-get install pocketsphinx-testdata): skipped")
        return
    from channels.voice.speech.combine import load_rules
    from channels.voice.speech.combined import CombinedRecognition
    from channels.voice.speech.grammar import ClinicVocabulary, Provider
    from channels.voice.speech.protocols import SpeechContext
    from channels.voice.speech.recognizer import GrammarRecognizer
    from channels.voice.speech.whisper import SharedWhisper, WhisperRecognizer, prompt_for
    import asr_set

    items = clips()
    rows_cards = cards_grammar(items)
    model = WhisperRecognizer(cpu_threads=2)
    whisper_rows = []
    for cid, ref, pcm in items:
        clean, phone = model.transcribe(pcm), model.transcribe(phone_path(pcm))
        whisper_rows.append({"id": cid, "ref": ref, "clean": clean.text, "phone": phone.text,
                             "wer_clean": wer(ref, clean.text), "wer_phone": wer(ref, phone.text)})

    roster = asr_set.load_rosters()["lakeside"]
    providers = [Provider(p["name"], p["specialty"]) for p in roster["providers"]]
    context = SpeechContext(call_id="bench", clinic_id="bench", providers=providers, patient_names=roster["patients"])
    grammar = GrammarRecognizer(ClinicVocabulary(providers, roster["patients"]))
    combined = CombinedRecognition(SharedWhisper(), load_rules())
    accepted = {"grammar": 0, "whisper": 0, "combined": 0}
    examples: list[str] = []
    total = 0
    for cid, _ref, pcm in items:
        audio = phone_path(pcm)
        for q in QUESTIONS:
            total += 1
            g = grammar.decode(audio, q)
            heard = model.transcribe(audio, prompt_for(q, providers, roster["patients"]))
            reading = combined.understand(heard, q, context)            # the understanding, as on a call
            rule = combined.rules[q]
            c = combined.decide(q, g, reading, rule, context)
            for name, ok in (("grammar", g.accepted), ("whisper", bool(reading.labels)), ("combined", c.accepted)):
                accepted[name] += ok
                if ok and len(examples) < 12:
                    examples.append(f"{name} at {q}: {cid} -> {({'grammar': g.text, 'whisper': heard.text}.get(name, c.text))!r}")

    lines = [MARK, "", "## Human recordings sanity check (Debian pocketsphinx-testdata)", "",
             f"- {dt.date.today().isoformat()}: `.venv/bin/python bench/asr_human.py --write`; pocketsphinx-testdata "
             "0.8+5prealpha+1-15 (Debian bookworm): 5 card names (one speaker), 5 LibriVox sentences (one reader), "
             "one TIDIGITS string; 16 kHz originals and the call's telephone path (8 kHz mu-law and back)",
             "- not answers to a receptionist: a check that both recognisers hear people, not a figure for callers", "",
             "| check | result |", "|---|---|"]
    exact = sum(r["exact"] for r in rows_cards)
    lines.append(f"| grammar decoder (pocketsphinx, its wheel's model) on the card names with their own grammar, "
                 f"telephone path | {exact}/{len(rows_cards)} exact |")
    for key, label in (("wer_clean", "clean 16 kHz"), ("wer_phone", "telephone path")):
        for group in ("cards", "librivox", "tidigits"):
            rs = [r for r in whisper_rows if r["id"].startswith(group)]
            e, n = sum(r[key][0] for r in rs), sum(r[key][1] for r in rs)
            if n:
                lines.append(f"| Whisper tiny.en word error rate, {group}, {label} | {100 * e / n:.0f}% ({e}/{n} words) |")
    for name, n in accepted.items():
        lines.append(f"| {name}: off-topic accepted (every clip at each of the 7 questions, telephone path) | "
                     f"{100 * n / total:.0f}% ({n}/{total}) |")
    lines += ["", "Whisper's transcripts (telephone path):", ""]
    lines += [f"- {r['id']}: {r['ref']!r} -> {r['phone']!r}" for r in whisper_rows]
    lines += ["", "Grammar decoder on the card names (telephone path):", ""]
    lines += [f"- {r['id']}: {r['ref']!r} -> {r['hyp']!r}" for r in rows_cards]
    if examples:
        lines += ["", "Accepted off-topic decodes (first few):", ""] + [f"- {e}" for e in examples]
    text = "\n".join(lines) + "\n"
    print(text)
    print(json.dumps({"accepted": accepted, "total": total}))
    if args.write:
        doc = OUT.read_text()
        doc = doc.split(MARK)[0].rstrip() + "\n\n" if MARK in doc else doc.rstrip() + "\n\n"
        OUT.write_text(doc + text)


if __name__ == "__main__":
    main()
