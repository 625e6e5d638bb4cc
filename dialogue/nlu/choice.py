"""Choice among offered options and patient names (both answers to an agent question).

* ``parse_choice(text, shown)``: "the first one", "2", "second", "option 3" (or "option to", as
  a recogniser may write it), "the last/later one" -> 0-based index (None when out of range of ``shown`` options, when ``shown`` > 0).
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
# what a recogniser writes for a spoken number after "option": "option to", "number for"
_HEARD_AS = {"won": "1", "to": "2", "too": "2", "tu": "2", "tree": "3", "for": "4", "fore": "4"}
_HEARD = re.compile(r"\b(option|number|choice)\s+(" + "|".join(_HEARD_AS) + r")\b")
_LAST = re.compile(r"\b(?:last|latter|later one|the later|latest|final|bottom)\b")
_FIRST = re.compile(r"\b(?:former|earlier one|the earlier|earliest|top one|sooner one|the sooner)\b")
_MIDDLE = re.compile(r"\b(?:middle|the one in the middle)\b")


def parse_choice(text: str, shown: int) -> Optional[int]:
    """0-based index of the chosen option in cleaned ``text`` or None."""
    idx: Optional[int] = None
    text = _HEARD.sub(lambda m: f"{m.group(1)} {_HEARD_AS[m.group(2)]}", text)
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


_WORD = r"[^\W\d_](?:[^\W\d_]|['\-])*"          # a word of letters in any script ("Núñez", "O'Brien")
_NAME_INTRO = re.compile(
    r"\b(?:my name is|my name's|name is|name's|this is|i am|i'm|it's|it is|call me|patient is|"
    rf"patient's name is|the name is|for)\s+({_WORD}(?:\s+{_WORD}){{0,3}})",
    re.IGNORECASE,
)
_LAST_NAME = re.compile(rf"\blast name(?: is|'s)?\s+({_WORD})", re.IGNORECASE)
_FIRST_NAME = re.compile(rf"\bfirst name(?: is|'s)?\s+({_WORD})", re.IGNORECASE)
# Dropped around a name: "um, yes, Maria Garcia, thanks".
_FILLERS = frozenset("""
a um umm uh uhh er erm ah hmm ok okay yeah yes yep sure so well oh please thanks thank hi hello hey
""".split())
# Words that are not part of a name: an answer made of them is something else ("I don't know",
# "can you repeat that", "it's for my son"). A name in Title Case is still taken ("Will May").
_NOT_NAME = frozenset("""
i me my mine myself you your yours he him his she her it its we us our they them their this that these
those what which who whom whose why how where when there here is are was were be been being am do does
did don't doesn't didn't dont can can't cant could couldn't would wouldn't should will won't shall may
might must have has had not no nope never know think want need like just already told tell said say
repeat again sorry pardon wait hold hang on second minute moment for to of in at by with from about as
into the an and or but if because time afternoon morning evening today tomorrow better good fine great
appointment doctor dr son daughter child kid baby mother father husband wife mom dad is it's i'm
you're that's what's calling speaking here sure not
""".split())
# Ordinary words that are no name when said alone ("nothing", "sure thing"); after "my name is" the
# caller's word is taken ("my name is John Nobody").
_NOT_NAME_ALONE = _NOT_NAME | frozenset("""
nothing something anything everything thing things stuff none nobody anybody anyone someone somebody
whatever unknown skip pass later busy fine okay ok ready done sick tired hungry sorry question problem
help phone speaker call number weather forecast package game tonight yesterday soon now
""".split())
# "I'm waiting for a package": after "I'm" / "it's", a lowercase word in -ing, -ed or -ly is a verb
# or an adverb, not a name ("I'm Sterling" in Title Case still is one).
_NOT_A_NAME_FORM = re.compile(r"(?:ing|ed|ly)$")
_PARTICLES = frozenset({"de", "la", "del", "della", "di", "da", "van", "von", "der", "den", "le", "du", "st", "bin", "al"})


def _cap(w: str) -> str:
    """Capitalise a name word, keeping the caller's own mixed case ("O'Brien", "McDonald")."""
    if w != w.lower() and w != w.upper():
        return w
    return "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-"))


def _name_words(words: list[str], title_case: bool) -> list[str] | None:
    """The words of a name, fillers dropped; None when a word says this is not a name."""
    words = [w for w in words if w.lower() not in _FILLERS]
    if any(w.lower() in _NOT_NAME_ALONE and w.lower() not in _PARTICLES for w in words) and not title_case:
        return None
    return words


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
    words: list[str] | None = []
    m = _NAME_INTRO.search(raw)
    if m and (expecting or re.search(r"name", m.group(0), re.IGNORECASE)):
        # "my name is Maria Garcia and I need..." : the name ends where ordinary words begin
        captured = m.group(1).split()
        cut = next((k for k, w in enumerate(captured) if w.lower() in _NOT_NAME | _FILLERS
                    and w.lower() not in _PARTICLES), len(captured))
        words = captured[:cut]
        if "name" not in m.group(0).lower() and any(w.islower() and _NOT_A_NAME_FORM.search(w) for w in words):
            return None, None
    elif expecting and "?" not in raw:
        found = re.findall(_WORD, raw)
        title_case = len(found) >= 2 and all(w[0].isupper() for w in found) and not {
            w.lower() for w in found} & {"i", "i'm", "what", "why", "how", "can", "sorry"}
        words = _name_words(found, title_case)
    if not words or len(words) > 4:
        return None, None
    if len(words) == 1:
        return _cap(words[0]), None
    rest = words[1:]
    # "Ana de la Cruz": particles belong to the last name; otherwise a middle name is dropped
    i = next((k for k, w in enumerate(rest) if w.lower() in _PARTICLES), len(rest) - 1)
    last = " ".join(w.lower() if w.lower() in _PARTICLES else _cap(w) for w in rest[i:])
    return _cap(words[0]), last
