"""Spoken numbers to digits.

A small parser of our own (the PyPI libraries ``word2number``/``text2num`` do not handle
digit-by-digit phone readings, "oh", "double five" or spoken clock times):

* ``words_to_digits(text)`` -> every number word as digits, concatenated, for phone
  numbers and keypad-style dates: "five five five one two three four" -> "5551234",
  "double five" -> "55", "eight hundred" -> "800".
* ``normalize_numbers(text)`` rewrites number words inside running text:
  "twenty one" -> "21", "the twenty first" -> "the 21st", "nineteen eighty five" -> "1985",
  "three thirty" -> "3:30", "three oh five" -> "3:05", "five five five one" -> "5551".
"""

from __future__ import annotations

import re

UNITS = {
    "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
        "seventy": 70, "eighty": 80, "ninety": 90}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
MULTIPLIERS = {"double": 2, "triple": 3}
SCALES = {"hundred": 100, "thousand": 1000}

_NUMBER_WORDS = set(UNITS) | set(TEENS) | set(TENS) | set(ORDINALS) | set(MULTIPLIERS) | set(SCALES)
_NUMBER_WORDS.discard("o")
_NUMBER_WORDS.discard("oh")
_WORD_ALT = "|".join(sorted(_NUMBER_WORDS | {"oh", "o"}, key=len, reverse=True))
# A run of number words (and "and" inside, hyphens, commas) -- "oh"/"o" only count inside a run.
_RUN_RE = re.compile(
    rf"\b(?:{_WORD_ALT}|\d+)(?:(?:[\s,-]+|\s+and\s+)(?:{_WORD_ALT}|\d+))*\b"
)
_TOKEN_RE = re.compile(r"[a-z]+|\d+")
_ONE_BEFORE = re.compile(r"\b(?:at|by|around|after|before|until|till|about|to|past|number|option|choice|press)\s+$")
_ONE_AFTER = re.compile(r"\s*(?:[ap]\.?\s?m\b|o'?\s?clock|oclock|in the|thirty|fifteen|forty|o\b|oh\b|:)")


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def ordinal(n: int) -> str:
    """12 -> '12th'."""
    return f"{n}{_suffix(n)}"


def words_to_digits(text: str) -> str:
    """Every digit and number word in ``text`` as one digit string (phone/keypad use)."""
    out: list[str] = []
    toks = _TOKEN_RE.findall(text.lower())
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.isdigit():
            out.append(t)
        elif t in MULTIPLIERS and i + 1 < len(toks) and (toks[i + 1] in UNITS or toks[i + 1].isdigit()):
            nxt = toks[i + 1]
            d = nxt if nxt.isdigit() else str(UNITS[nxt])
            out.append(d * MULTIPLIERS[t])
            i += 1
        elif t in UNITS:
            out.append(str(UNITS[t]))
        elif t in TEENS:
            out.append(str(TEENS[t]))
        elif t in TENS:
            v = TENS[t]
            if i + 1 < len(toks) and toks[i + 1] in UNITS and UNITS[toks[i + 1]] > 0:
                v += UNITS[toks[i + 1]]
                i += 1
            out.append(str(v))
        elif t == "hundred":
            out.append("00")
        elif t == "thousand":
            out.append("000")
        i += 1
    return "".join(out)


def _val(tok: str) -> tuple[str, int] | None:
    """Classify one token: (kind, value) with kind unit/teen/tens/ord/num/scale/mult."""
    if tok.isdigit():
        return ("num", int(tok))
    if tok in UNITS:
        return ("unit", UNITS[tok])
    if tok in TEENS:
        return ("teen", TEENS[tok])
    if tok in TENS:
        return ("tens", TENS[tok])
    if tok in ORDINALS:
        return ("ord", ORDINALS[tok])
    if tok in SCALES:
        return ("scale", SCALES[tok])
    if tok in MULTIPLIERS:
        return ("mult", MULTIPLIERS[tok])
    return None


def _convert_run(run: str) -> str:
    """Convert one run of number words into numerals (see module docstring)."""
    toks = [t for t in _TOKEN_RE.findall(run) if t != "and"]
    vals = [_val(t) for t in toks]
    out: list[str] = []
    i, n = 0, len(toks)

    def kind(j: int) -> str:
        return vals[j][0] if 0 <= j < n and vals[j] else ""

    def is_oh(j: int) -> bool:
        return 0 <= j < n and toks[j] in ("oh", "o")

    def below_hundred(j: int) -> tuple[int, int]:
        """The 0–99 that may follow "hundred"/"thousand" ("three", "twenty", "twenty one"); (value, next)."""
        if kind(j) in ("unit", "teen") and not is_oh(j):
            return vals[j][1], j + 1
        if kind(j) == "tens":
            value, j = vals[j][1], j + 1
            if kind(j) == "unit" and vals[j][1] > 0:
                return value + vals[j][1], j + 1
            return value, j
        return 0, j

    while i < n:
        k, v = vals[i] if vals[i] else ("", 0)
        tok = toks[i]
        # lone "oh"/"o" not followed by a digit word is an interjection / letter
        if tok in ("oh", "o") and not (kind(i + 1) in ("unit", "num") and not is_oh(i + 1) or
                                       (i > 0 and kind(i - 1) == "unit")):
            out.append(tok)
            i += 1
            continue
        if k == "num":
            out.append(tok)
            i += 1
            continue
        # years: nineteen eighty five / nineteen oh five / twenty twenty four / two thousand (and) five
        if tok == "nineteen" or (tok == "twenty" and kind(i + 1) in ("teen", "tens")):
            base = 1900 if tok == "nineteen" else 2000
            if kind(i + 1) == "tens":
                y = vals[i + 1][1]
                j = i + 2
                if kind(j) == "unit" and vals[j][1] > 0 and not is_oh(j):
                    y += vals[j][1]
                    j += 1
                out.append(str(base + y))
                i = j
                continue
            if kind(i + 1) == "teen":
                out.append(str(base + vals[i + 1][1]))
                i += 2
                continue
            if is_oh(i + 1) and kind(i + 2) == "unit":
                out.append(str(base + vals[i + 2][1]))
                i += 3
                continue
            if tok == "nineteen" and toks[i + 1:i + 2] == ["hundred"]:
                out.append("1900")
                i += 2
                continue
        if k == "unit" and v > 0 and toks[i + 1:i + 2] == ["thousand"]:
            rest, j = below_hundred(i + 2)
            out.append(str(v * 1000 + rest))
            i = j
            continue
        # digit-by-digit runs (phone numbers, keypad dates): 3+ unit words
        if k == "unit" or (k == "mult" and kind(i + 1) == "unit"):
            j = i
            digits = ""
            while j < n:
                if kind(j) == "unit":
                    digits += str(vals[j][1])
                    j += 1
                elif kind(j) == "mult" and kind(j + 1) == "unit":
                    digits += str(vals[j + 1][1]) * vals[j][1]
                    j += 2
                else:
                    break
            # "three oh five" is a clock time, not digits
            if j - i == 3 and is_oh(i + 1) and v > 0 and kind(i + 2) == "unit":
                out.append(f"{v}:0{vals[i + 2][1]}")
                i = j
                continue
            if len(digits) >= 3 or k == "mult":
                out.append(digits)
                i = j
                continue
        # hour + minutes: "three thirty", "eleven forty five", "ten fifteen", "two oh five"
        if k in ("unit", "teen") and 1 <= v <= 12:
            if kind(i + 1) == "tens" and vals[i + 1][1] <= 50:
                m = vals[i + 1][1]
                j = i + 2
                if kind(j) == "unit" and vals[j][1] > 0 and not is_oh(j):
                    m += vals[j][1]
                    j += 1
                out.append(f"{v}:{m:02d}")
                i = j
                continue
            if kind(i + 1) == "teen" and vals[i + 1][1] >= 10 and toks[i + 1] != "ten":
                out.append(f"{v}:{vals[i + 1][1]:02d}")
                i += 2
                continue
            if is_oh(i + 1) and kind(i + 2) == "unit" and not is_oh(i + 2):
                out.append(f"{v}:0{vals[i + 2][1]}")
                i += 3
                continue
        if k == "tens":
            if kind(i + 1) == "unit" and vals[i + 1][1] > 0 and not is_oh(i + 1):
                out.append(str(v + vals[i + 1][1]))
                i += 2
                continue
            if kind(i + 1) == "ord" and vals[i + 1][1] < 10:
                out.append(ordinal(v + vals[i + 1][1]))
                i += 2
                continue
            out.append(str(v))
            i += 1
            continue
        if k == "ord":
            out.append(ordinal(v))
            i += 1
            if toks[i:i + 1] == ["one"]:  # "the second one"
                out.append("one")
                i += 1
            continue
        if k in ("unit", "teen"):
            if toks[i + 1:i + 2] == ["hundred"]:
                rest, j = below_hundred(i + 2)
                out.append(str(v * 100 + rest))
                i = j
                continue
            out.append(str(v))
            i += 1
            continue
        out.append(tok)
        i += 1
    return " ".join(out)


def normalize_numbers(text: str) -> str:
    """Rewrite number words in lowercase ``text`` as numerals (see module docstring)."""
    if not any(w in text for w in ("o", "e", "t", "f", "n", "s", "h", "d")):
        return text

    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        if s.isdigit() or not re.search(r"[a-z]", s):
            return s
        if s == "one":  # the pronoun ("that one", "the later one") unless clearly a number
            before = text[max(0, m.start() - 12): m.start()]
            after = text[m.end(): m.end() + 12]
            if not (_ONE_BEFORE.search(before) or _ONE_AFTER.match(after)):
                return s
        return _convert_run(s)

    return _RUN_RE.sub(repl, text)


_SIMPLE_CARDINAL = {**UNITS, **TEENS, **TENS}


def word_to_int(tok: str) -> int | None:
    """'seven' -> 7, '7' -> 7, 'seventh'/'7th' -> 7; None when not a number."""
    tok = tok.lower()
    if tok.isdigit():
        return int(tok)
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", tok)
    if m:
        return int(m.group(1))
    if tok in ("oh", "o"):
        return None
    if tok in _SIMPLE_CARDINAL:
        return _SIMPLE_CARDINAL[tok]
    return ORDINALS.get(tok)
