"""Pronunciations for the recogniser: the CMU dictionary shipped in the pocketsphinx wheel, plus
espeak-ng-derived ARPAbet for words it lacks (provider and patient names such as Oyelaran, Nwosu).

``espeak-ng -q --ipa`` gives IPA; a small IPA -> ARPAbet table (the 39 phones of the en-us
acoustic model) turns it into something pocketsphinx can use.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import lru_cache

ARPABET = {
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
    "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH",
    "UW", "V", "W", "Y", "Z", "ZH",
}

# Longest match first. espeak-ng en-us IPA (1.51) as seen on this machine.
_IPA = [
    ("aɪə", "AY ER"), ("aɪ", "AY"), ("aʊ", "AW"), ("eɪ", "EY"), ("oʊ", "OW"), ("ɔɪ", "OY"),
    ("əʊ", "OW"), ("ɪə", "IH R"), ("ɛə", "EH R"), ("ʊə", "UH R"), ("iə", "IY AH"),
    ("tʃ", "CH"), ("dʒ", "JH"), ("ɑːɹ", "AA R"), ("ɔːɹ", "AO R"), ("ɜːɹ", "ER"), ("əɹ", "ER"),
    ("ɑː", "AA"), ("ɔː", "AO"), ("ɜː", "ER"), ("iː", "IY"), ("uː", "UW"),
    ("ɑ", "AA"), ("a", "AA"), ("æ", "AE"), ("ʌ", "AH"), ("ə", "AH"), ("ɐ", "AH"), ("ɚ", "ER"),
    ("ɝ", "ER"), ("ɔ", "AO"), ("ɒ", "AA"), ("ɛ", "EH"), ("e", "EH"), ("ɪ", "IH"), ("ᵻ", "IH"),
    ("i", "IY"), ("ʊ", "UH"), ("u", "UW"), ("o", "OW"), ("ɘ", "AH"), ("ɵ", "OW"), ("y", "UW"),
    ("p", "P"), ("b", "B"), ("t", "T"), ("d", "D"), ("k", "K"), ("ɡ", "G"), ("g", "G"),
    ("f", "F"), ("v", "V"), ("θ", "TH"), ("ð", "DH"), ("s", "S"), ("z", "Z"), ("ʃ", "SH"),
    ("ʒ", "ZH"), ("h", "HH"), ("x", "HH"), ("m", "M"), ("n", "N"), ("ŋ", "NG"), ("l", "L"),
    ("ɫ", "L"), ("ɹ", "R"), ("r", "R"), ("ɾ", "T"), ("w", "W"), ("j", "Y"), ("ʔ", ""), ("ç", "HH"),
]
_IGNORED = set("ˈˌːˑ‿-_ \u0303\u0329\u032f")


def ipa_to_arpabet(ipa: str) -> str:
    """'ˈɔɪɪlˌæɹən' -> 'OY IH L AE R AH N'. Unknown symbols are skipped."""
    phones: list[str] = []
    i = 0
    text = ipa.strip()
    while i < len(text):
        if text[i] in _IGNORED:
            i += 1
            continue
        for sym, arpa in _IPA:
            if text.startswith(sym, i):
                phones.extend(arpa.split())
                i += len(sym)
                break
        else:
            i += 1
    # collapse accidental doubles such as "R R" produced at symbol boundaries
    out: list[str] = []
    for p in phones:
        if not out or out[-1] != p:
            out.append(p)
    return " ".join(out)


def espeak_binary() -> str:
    path = shutil.which("espeak-ng")
    if not path:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    return path


@lru_cache(maxsize=4096)
def espeak_pronunciation(word: str, voice: str = "en-us") -> str:
    """ARPAbet for one word via ``espeak-ng -q --ipa``."""
    out = subprocess.run([espeak_binary(), "-q", "--ipa", "-v", voice, word], capture_output=True,
                         text=True, timeout=10, check=True).stdout
    return ipa_to_arpabet(out.replace("\n", " "))


def model_dir() -> str:
    from pocketsphinx import get_model_path
    return os.path.join(get_model_path(), "en-us")


@lru_cache(maxsize=1)
def cmudict() -> dict[str, tuple[str, ...]]:
    """word -> pronunciations (all variants), parsed once per process (~0.1 s)."""
    prons: dict[str, list[str]] = {}
    with open(os.path.join(model_dir(), "cmudict-en-us.dict"), encoding="utf-8") as f:
        for line in f:
            word, _, pron = line.strip().partition(" ")
            if not pron:
                continue
            word = re.sub(r"\(\d+\)$", "", word)
            prons.setdefault(word, []).append(pron.strip())
    return {w: tuple(p) for w, p in prons.items()}


def pronunciations(word: str, *, add_espeak: bool = False) -> list[str]:
    """All pronunciations for a grammar word: cmudict's variants, plus espeak-ng's when the word
    is missing (or ``add_espeak`` is set, for names whose cmudict reading may differ)."""
    known = list(cmudict().get(word, ()))
    if not known or add_espeak:
        try:
            extra = espeak_pronunciation(word)
        except (subprocess.SubprocessError, OSError, RuntimeError):
            extra = ""
        if extra and extra not in known:
            known.append(extra)
    return known


def write_dictionary(path: str, entries: dict[str, list[str]]) -> None:
    """Write a pocketsphinx dictionary (word, word(2), ... for variants)."""
    with open(path, "w", encoding="utf-8") as f:
        for word in sorted(entries):
            for i, pron in enumerate(entries[word]):
                f.write(f"{word if i == 0 else f'{word}({i + 1})'} {pron}\n")
