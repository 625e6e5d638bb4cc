"""Match providers of the clinic's roster and specialties (``rapidfuzz``).

* Names: full name, last name or first name; fuzzy ("Dr Ramen" -> Raman).  A name that
  is a common English word ("Will", "May", "Hope", "Rose") or shorter than 4 letters
  matches only with a cue: a title before it ("Dr. Will", "doctor may"), "with/see X",
  or when the agent asked for a provider.  Fuzzy matches need a cue or a long token.
* Surnames as a recogniser writes them: a hyphenated one in two words ("smith jones") or one
  of its parts after a title ("Dr. Smith"); a short one (under 4 letters, where spelling
  distance means little) by its sound after a title or when a provider was asked for
  ("doctor eng" -> Ng, "doctor woo" -> Wu; metaphone through ``jellyfish``).
* Several providers equally good (two Dr. Lees) -> ``ambiguous`` ids; a first name in the
  message ("Susan Lee") breaks the tie.
* Specialties: the roster's own specialty names plus lay phrases ("heart doctor" ->
  Cardiology, "my kid's doctor" -> Pediatrics, "GP" -> Family Medicine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional, Sequence

import jellyfish
from rapidfuzz import fuzz

from .types import RosterEntry

SPECIALTY_PHRASES: dict[str, tuple[str, ...]] = {
    "Cardiology": ("cardiology", "cardiologist", "heart doctor", "heart specialist", "heart",
                   "cardiac", "cardio"),
    "Dermatology": ("dermatology", "dermatologist", "skin doctor", "skin specialist", "skin",
                    "rash", "acne", "derm", "mole"),
    "Pediatrics": ("pediatrics", "pediatrician", "paediatrician", "kid's doctor", "kids doctor",
                   "kids' doctor", "children's doctor", "childrens doctor", "child doctor",
                   "baby doctor", "my kid", "my son", "my daughter", "my child", "my baby",
                   "for my kids", "peds", "pediatric"),
    "Family Medicine": ("family medicine", "family doctor", "family physician", "primary care",
                        "general practitioner", "gp", "pcp", "general doctor", "regular doctor",
                        "internal medicine", "internist", "checkup", "check up", "physical"),
    "Orthopedics": ("orthopedics", "orthopaedics", "orthopedist", "orthopaedic", "orthopedic",
                    "bone doctor", "bones", "bone", "joint", "knee", "back pain", "fracture",
                    "sports medicine"),
    "Ophthalmology": ("ophthalmology", "ophthalmologist", "eye doctor", "eyes", "eye",
                      "optometrist", "optometry", "vision", "glasses"),
    "Obstetrics and Gynecology": ("obstetrics", "gynecology", "gynaecology", "gynecologist",
                                  "obgyn", "ob gyn", "ob/gyn", "ob-gyn", "ob", "women's health",
                                  "womens health", "obstetrician", "pregnant", "pregnancy",
                                  "prenatal", "pap smear"),
    "Dentistry": ("dentist", "dentistry", "dental", "teeth", "tooth", "cleaning"),
    "Psychiatry": ("psychiatry", "psychiatrist", "mental health", "therapist", "psychologist",
                   "counselor", "therapy"),
    "Neurology": ("neurology", "neurologist", "migraine", "brain doctor"),
    "Gastroenterology": ("gastroenterology", "gastroenterologist", "gi doctor", "stomach doctor"),
    "Otolaryngology": ("ent", "ear nose and throat", "otolaryngology", "otolaryngologist",
                       "ear doctor"),
    "Urology": ("urology", "urologist"),
    "Endocrinology": ("endocrinology", "endocrinologist", "diabetes doctor", "thyroid"),
    "Allergy": ("allergist", "allergy", "allergies", "immunology"),
}
_SPEC_ALIASES = {"Family Practice": "Family Medicine", "Internal Medicine": "Family Medicine",
                 "OB/GYN": "Obstetrics and Gynecology", "OBGYN": "Obstetrics and Gynecology",
                 "Gynecology": "Obstetrics and Gynecology", "Orthopaedics": "Orthopedics",
                 "Eye Care": "Ophthalmology", "Optometry": "Ophthalmology", "Dental": "Dentistry"}

_SPEC_RES = [
    (canon, re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sorted(ph, key=len, reverse=True)) + r")\b"))
    for canon, ph in SPECIALTY_PHRASES.items()
]
# phrases that are only specialties when there is no better hint (body parts, reasons)
_WEAK = {"heart", "skin", "rash", "acne", "mole", "bone", "bones", "joint", "knee", "eye", "eyes",
         "vision", "glasses", "teeth", "tooth", "cleaning", "physical", "checkup", "check up",
         "back pain", "fracture", "thyroid", "allergies", "migraine", "therapy", "my son",
         "my daughter", "my kid", "my child", "my baby", "for my kids", "pregnant", "pregnancy"}

COMMON_WORDS = frozenset("""
a about after again all also am an and any appointment are as ask at august back be bell best
bill book brown but by call can clay cook day do doctor dr earl for free frank from gay get
give go good grace green had has have he her here him his hope how i if in is it its ivy job
june just king know last like long look love make mark may me miles more most much my new no
nurse ok on one or our out over patience please rich rose said see she should so some summer
than that the their them then there they this to today too up us want was we well were what
when where which who will win with would yes you young your faith joy dawn sunny chase page
price wood hill lane park rush sky star storm ray sun west white black gray grey bud major
""".split())
_CUE_RE = re.compile(r"\b(dr|doctor|doc|nurse|np|pa|provider|physician|prof|practitioner|assistant)\.?\s+$")
_DOCTOR_CUES = {"dr", "doctor", "doc", "physician"}
_WITH_RE = re.compile(r"\b(?:with|see|seeing|saw|for|prefer|want|book)\s+$")
_TOKEN_RE = re.compile(r"[a-z][a-z'\-]*")


@dataclass
class ProviderMatch:
    """Outcome of roster matching."""

    provider_id: Optional[str] = None
    ambiguous: list[str] = field(default_factory=list)
    specialty: Optional[str] = None
    score: float = 0.0


def _norm_name(s: str) -> str:
    return re.sub(r"[^a-z]", "", s.lower())


def canonical_specialty(name: str) -> str:
    """Map a roster specialty spelling to the lexicon's canonical name."""
    for canon in SPECIALTY_PHRASES:
        if canon.lower() == name.lower():
            return canon
    return _SPEC_ALIASES.get(name, name)


def find_specialty(text: str, roster: Sequence[RosterEntry]) -> Optional[str]:
    """The specialty named (or described in lay terms) in cleaned ``text``.

    Returns the roster's own spelling when the roster has that specialty.
    """
    roster_specs = {canonical_specialty(r.specialty): r.specialty for r in roster if r.specialty}
    best: Optional[tuple[bool, int, str]] = None
    for canon, rx in _SPEC_RES:
        for m in rx.finditer(text):
            weak = m.group(0) in _WEAK
            if m.group(0) == "ob" and not re.search(r"\bob\b(?!\s*(?:\w))|an ob\b|the ob\b|ob doctor", text):
                continue
            key = (not weak, -m.start(), canon)
            if best is None or key > best:
                best = key
    if best is None:
        return None
    strong, _, canon = best
    if not strong and canon not in roster_specs:
        return None  # "my knee hurts" is a reason, not a specialty, unless the clinic has it
    return roster_specs.get(canon, canon)


def sound_key(word: str) -> str:
    """Metaphone without a leading vowel: "eng", "ing" and "ng" sound alike on a phone line."""
    key = jellyfish.metaphone(word)
    return key[1:] if len(key) > 1 and key[0] in "AEIOU" else key


@dataclass(frozen=True)
class _Index:
    last: dict[str, list[str]]
    first: dict[str, list[str]]
    parts: dict[str, list[str]]        # each part of a hyphenated or two-word surname
    sounds: dict[str, list[str]]       # the sound of each short surname


@lru_cache(maxsize=256)
def _index(roster: tuple[RosterEntry, ...]) -> _Index:
    index = _Index({}, {}, {}, {})
    for r in roster:
        last = _norm_name(r.last_name)
        index.last.setdefault(last, []).append(r.id)
        index.first.setdefault(_norm_name(r.first_name), []).append(r.id)
        pieces = [_norm_name(p) for p in re.split(r"[-\s]+", r.last_name) if len(_norm_name(p)) >= 2]
        if len(pieces) > 1:
            for piece in pieces:
                index.parts.setdefault(piece, []).append(r.id)
        if 2 <= len(last) < 4:
            index.sounds.setdefault(sound_key(last), []).append(r.id)
    return index


def _merge_surnames(toks: list[tuple[str, int]], last: dict[str, list[str]]) -> list[tuple[str, int]]:
    """Two adjacent words that spell a roster surname together ("smith jones") become one."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(toks):
        if i + 1 < len(toks) and _norm_name(toks[i][0] + toks[i + 1][0]) in last:
            out.append((toks[i][0] + toks[i + 1][0], toks[i][1]))
            i += 2
        else:
            out.append(toks[i])
            i += 1
    return out


def match_provider(text: str, roster: Sequence[RosterEntry], expecting_provider: bool = False,
                   spoken: bool = False) -> ProviderMatch:
    """Find a roster provider mentioned in cleaned ``text`` (see module docstring). ``spoken``: the
    text came from a phone line, where surnames that sound alike (Lee / Li) are one word."""
    out = ProviderMatch()
    if not roster:
        return out
    out.specialty = find_specialty(text, roster)
    index = _index(tuple(roster))
    last_idx, first_idx = index.last, index.first
    toks = _merge_surnames([(m.group(0).strip("'-"), m.start()) for m in _TOKEN_RE.finditer(text)], last_idx)
    scores: dict[str, float] = {}
    first_hits: set[str] = set()
    doctor_said = False                  # "Dr." / "doctor" before a matched name
    for i, (tok, pos) in enumerate(toks):
        w = _norm_name(tok)
        if len(w) < 2:
            continue
        before = text[max(0, pos - 14): pos]
        cue = _CUE_RE.search(before)
        titled = bool(cue)
        if cue and cue.group(1) in _DOCTOR_CUES:
            doctor_said = True
        prev = _norm_name(toks[i - 1][0]) if i else ""
        full_name = any(_norm_name(r.first_name) == prev and _norm_name(r.last_name) == w for r in roster)
        cued = titled or full_name or bool(_WITH_RE.search(before)) or expecting_provider   # "Sam Park"
        common = w in COMMON_WORDS
        if common and not cued:
            continue
        if w in ("doctor", "dr", "nurse", "provider", "someone", "anyone", "anybody", "whoever"):
            continue
        for name, ids in last_idx.items():
            if w == name:
                s = 100.0
            elif len(w) >= 4 and len(name) >= 4 and (titled or not common and (cued or len(w) >= 6)):
                s = fuzz.ratio(w, name)
                if s < (75 if titled else 85):
                    continue
            else:
                continue
            for pid in ids:
                scores[pid] = max(scores.get(pid, 0.0), s + (5 if titled else 0))
        if titled or (expecting_provider and not common):
            for pid in index.parts.get(w, []):                     # "Dr. Smith" for Smith-Jones
                scores[pid] = max(scores.get(pid, 0.0), 90.0)
            if len(w) <= 4 and w not in last_idx:                  # "doctor eng" for Ng
                for pid in index.sounds.get(sound_key(w), []):
                    scores[pid] = max(scores.get(pid, 0.0), 85.0)
        for name, ids in first_idx.items():
            if w == name and (cued or len(w) >= 4 and not common):
                for pid in ids:
                    first_hits.add(pid)
                    nxt = toks[i + 1][0] if i + 1 < len(toks) else ""
                    if pid not in scores and (titled or expecting_provider or _WITH_RE.search(before)):
                        # "Dr. Susan" or "with Susan" alone
                        if not nxt or _norm_name(nxt) not in last_idx:
                            scores[pid] = 90.0
    if not scores:
        return out
    # a first name also mentioned breaks ties between people sharing a last name
    for pid in first_hits:
        if pid in scores:
            scores[pid] += 10
    top = max(scores.values())
    best = sorted(pid for pid, s in scores.items() if s >= top - 0.01)
    out.score = min(top, 100.0) / 100.0
    if len(best) == 1 and best[0] not in first_hits:
        best = sorted({best[0], *_rivals(best[0], scores, roster, doctor_said, spoken)})
    if len(best) == 1:
        out.provider_id = best[0]
    else:
        out.ambiguous = best
    return out


def _is_doctor(entry: RosterEntry) -> bool:
    return _norm_name(entry.title or "") in ("dr", "doctor", "md", "do")


def _rivals(winner: str, scores: dict[str, float], roster: Sequence[RosterEntry], doctor_said: bool,
            spoken: bool) -> list[str]:
    """Others the patient may have meant: a doctor near the name when "doctor" was said to a
    non-doctor ("doctor Park" with NP Sam Park and Dr. Lena Parks), or, on a call, a surname that
    sounds the same (Lee / Li)."""
    by_id = {r.id: r for r in roster}
    top = by_id[winner]
    found: list[str] = []
    if doctor_said and not _is_doctor(top):
        found += [pid for pid, s in scores.items() if pid != winner and s >= 75 and _is_doctor(by_id[pid])]
    if spoken:
        key = sound_key(_norm_name(top.last_name))
        found += [r.id for r in roster if r.id != winner and sound_key(_norm_name(r.last_name)) == key]
    return found
