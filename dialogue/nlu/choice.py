"""Choice among offered options and patient names (both answers to an agent question).

* ``parse_choice(text, shown)``: "the first one", "2", "second", "option 3", "the last/later
  one" -> 0-based index (None when out of range of ``shown`` options, when ``shown`` > 0).
  A time ("the 9:20 one") is left to the time parser; the caller matches it to its options.
* ``parse_name(raw, expecting)``: "my name is Maria Garcia", "it's John Smith", "john smith"
  (the latter only when the agent asked for the name) -> (first, last).
"""

from __future__ import annotations

import re
from typing import Optional

_ORD = re.compile(r"\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b(?!\s*(?:of|day|week)\b)")
_NUM = re.compile(r"^(?:\W*(?:um+|uh+|ok|okay|ok,|let's do|let's go with|i'll take|i'd like|i want|give me|go with|"
                  r"i choose|i pick|pick|take|the)?\s*)*(?:option|number|choice|#)?\s*(\d{1,2})\W*(?:please|one|option)?\W*$")
_OPT = re.compile(r"\b(?:option|number|choice|#)\s*(\d{1,2})\b")
_LAST = re.compile(r"\b(?:last|latter|later one|the later|latest|final|bottom)\b")
_FIRST = re.compile(r"\b(?:former|earlier one|the earlier|earliest|top one|sooner one|the sooner)\b")
_MIDDLE = re.compile(r"\b(?:middle|the one in the middle)\b")


def parse_choice(text: str, shown: int) -> Optional[int]:
    """0-based index of the chosen option in cleaned ``text`` or None."""
    idx: Optional[int] = None
    m = _ORD.search(text)
    if m:
        idx = int(m.group(1)) - 1
    else:
        m = _OPT.search(text) or _NUM.match(text)
        if m and not re.search(r"\d\s*(?:am|pm|:)|:\d", text):
            idx = int(m.group(1)) - 1
        elif _LAST.search(text) and shown > 0:
            idx = shown - 1
        elif _FIRST.search(text):
            idx = 0
        elif _MIDDLE.search(text) and shown >= 3:
            idx = shown // 2
    if idx is None or idx < 0 or (shown > 0 and idx >= shown) or idx > 20:
        return None
    return idx


_NAME_INTRO = re.compile(
    r"\b(?:my name is|my name's|name is|name's|this is|i am|i'm|it's|it is|call me|patient is|"
    r"patient's name is|the name is|for)\s+([A-Za-z][A-Za-z'\-]+(?:\s+[A-Za-z][A-Za-z'\-]+){0,3})",
    re.IGNORECASE,
)
_LAST_NAME = re.compile(r"\blast name(?: is|'s)?\s+([A-Za-z][A-Za-z'\-]+)", re.IGNORECASE)
_FIRST_NAME = re.compile(r"\bfirst name(?: is|'s)?\s+([A-Za-z][A-Za-z'\-]+)", re.IGNORECASE)
_NOT_NAME = frozenset("""
a an the and or but yes yeah no not sure ok okay um uh hi hello hey please thanks thank you
my name is it its it's i i'm am this that calling here speaking again sorry well so just
looking trying wondering calling going want need would like to for of with about appointment
doctor dr mr mrs ms miss good fine great morning afternoon evening today tomorrow
""".split())


_PARTICLES = frozenset({"de", "la", "del", "della", "di", "da", "van", "von", "der", "den", "le", "du", "st", "bin", "al"})


def _cap(w: str) -> str:
    """Capitalise a name word, keeping the caller's own mixed case ("O'Brien", "McDonald")."""
    if w != w.lower() and w != w.upper():
        return w
    return "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-"))


def parse_name(raw: str, expecting: bool) -> tuple[Optional[str], Optional[str]]:
    """(first, last) name from the raw message; bare names only when ``expecting``."""
    first = last = None
    m = _LAST_NAME.search(raw)
    if m:
        last = _cap(m.group(1))
    m = _FIRST_NAME.search(raw)
    if m:
        first = _cap(m.group(1))
    if first or last:
        return first, last
    words: list[str] = []
    m = _NAME_INTRO.search(raw)
    if m and (expecting or re.search(r"name", m.group(0), re.IGNORECASE)):
        words = m.group(1).split()
    elif expecting:
        words = re.findall(r"[A-Za-z][A-Za-z'\-]*", raw)
    words = [w for w in words if w.lower() not in _NOT_NAME or w.lower() in _PARTICLES]
    if not words or len(words) > 4:
        return None, None
    if len(words) == 1:
        return _cap(words[0]), None
    rest = words[1:]
    # "Ana de la Cruz": particles belong to the last name; otherwise a middle name is dropped
    i = next((k for k, w in enumerate(rest) if w.lower() in _PARTICLES), len(rest) - 1)
    last = " ".join(w.lower() if w.lower() in _PARTICLES else _cap(w) for w in rest[i:])
    return _cap(words[0]), last
