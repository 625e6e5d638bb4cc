"""The PII entity types and the Presidio recognisers that find them (patterns, context, checks).

Data and small recognisers; `pii.PIIDetector` builds the engines around them.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Optional, Sequence


# --- entity types -----------------------------------------------------------------

US_SSN = "US_SSN"
CREDIT_CARD = "CREDIT_CARD"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
PHONE_NUMBER = "PHONE_NUMBER"
PERSON = "PERSON"
MEDICAL_RECORD_NUMBER = "MEDICAL_RECORD_NUMBER"
US_DRIVER_LICENSE = "US_DRIVER_LICENSE"
DATE_OF_BIRTH = "DATE_OF_BIRTH"

ENTITY_TYPES: tuple[str, ...] = (
    US_SSN,
    CREDIT_CARD,
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    PERSON,
    MEDICAL_RECORD_NUMBER,
    US_DRIVER_LICENSE,
    DATE_OF_BIRTH,
)

#: Values a receptionist never needs: the engine drops them and tells the patient
#: not to share them.
NEVER_NEEDED: frozenset[str] = frozenset({US_SSN, CREDIT_CARD, US_DRIVER_LICENSE})
#: Values the booking flow may use (identity check, call-backs, look-ups).
FLOW_NEEDED: frozenset[str] = frozenset(
    {PERSON, DATE_OF_BIRTH, PHONE_NUMBER, EMAIL_ADDRESS, MEDICAL_RECORD_NUMBER}
)


# --- recognisers ------------------------------------------------------------------

NUM_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
_NUM_WORD_RE = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|\d)"
_SPOKEN_DIGITS = re.compile(
    rf"(?<![\w-])(?:(?:double|triple)\s+)?{_NUM_WORD_RE}(?:[\s,.\-]+(?:(?:double|triple)\s+)?{_NUM_WORD_RE}){{6,}}(?![\w-])",
    re.IGNORECASE,
)

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)"
)
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DATE_PATTERNS = [
    # 2/8/1935, 02-08-35, 2.8.1935
    re.compile(r"\b(?P<m>0?[1-9]|1[0-2]|[12][0-9]|3[01])[/\-.](?P<d>0?[1-9]|[12][0-9]|3[01])[/\-.](?P<y>\d{4}|\d{2})\b"),
    # 1978-04-13
    re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>0?[1-9]|1[0-2])-(?P<d>0?[1-9]|[12][0-9]|3[01])\b"),
    # March 4th, 1985 / Mar 4 85
    re.compile(rf"\b(?P<mon>{_MONTHS})\.?\s+(?P<d>{_DAY}),?\s+(?:of\s+)?(?P<y>\d{{4}}|'?\d{{2}})\b", re.IGNORECASE),
    # 4 March 1985 / 4th of March, 1985 / 4 de marzo de 1985
    re.compile(rf"\b(?P<d>{_DAY})\s+(?:of\s+|de\s+)?(?P<mon>{_MONTHS})\.?,?\s+(?:de\s+)?(?P<y>\d{{4}})\b", re.IGNORECASE),
    # dates without a year, only with a birth keyword (checked below): March 4th / 3/4
    re.compile(rf"\b(?P<mon>{_MONTHS})\.?\s+(?P<d>{_DAY})\b(?!\s*,?\s*\d)", re.IGNORECASE),
]
_BIRTH_CONTEXT = re.compile(
    r"\b(?:born|birth|birthday|bday|b-day|dob|d\.o\.b\.?|nacimiento|nac[ií]|cumplea[nñ]os)\b",
    re.IGNORECASE,
)

_NAME_WORD = r"[A-Z][a-z'\-]+|[A-Z][A-Z'\-]+|[A-Z]\.?"
_NAME_STOP = {
    "calling", "trying", "looking", "having", "just", "not", "so", "very", "sorry", "here", "the",
    "a", "an", "going", "really", "still", "also", "new", "sick", "fine", "ok", "okay", "good",
    "great", "in", "on", "at", "with", "from", "about", "to", "your", "my", "his", "her", "their",
    "wondering", "hoping", "feeling", "done", "ready", "available", "free", "busy", "late", "running",
    "scheduled", "booked", "pregnant", "diabetic", "allergic", "worried", "concerned", "afraid",
    "thinking", "gonna", "wanting", "asking", "wanna", "interested", "able", "unable", "sure",
    "it", "that", "this", "what", "who", "why", "how", "when", "where", "because", "and", "or",
    "yes", "no", "hi", "hello", "hey", "thanks", "thank", "please", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "back",
    "patient", "mom", "dad", "mother", "father", "wife", "husband", "dr", "doctor", "nurse",
}
_NAME_PATTERNS = [
    # my name is john smith / name: Toshimi Arata / me llamo ...
    (re.compile(
        r"\b(?:my\s+name\s+is|my\s+name's|name\s+is|name:|me\s+llamo|mi\s+nombre\s+es|"
        r"patient(?:'s)?\s+name\s+is|(?:son|daughter|child|wife|husband|mom|mother|dad|father)(?:'s)?\s+name\s+is)"
        r"\s+(?P<n>[A-Za-zÀ-ÿ'\-]+(?:\s+[A-Za-zÀ-ÿ]\.?(?=\s))?(?:\s+[A-Za-zÀ-ÿ'\-]+)?)",
        re.IGNORECASE), 0.85),
    # Mr. Leiva / Mrs. Jane Schwarz / Ms Jones
    (re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Sr|Sra|Srta)\.?\s+(?P<n>(?:{_NAME_WORD})(?:\s+(?:{_NAME_WORD}))?)"), 0.7),
    # this is Maria Lopez / I'm Maria / I am John Smith / it's Maria Lopez calling
    (re.compile(
        rf"\b(?:[Tt]his\s+is|I'm|I\s+am|[Ii]t's|[Ii]t\s+is|[Cc]alled)\s+(?P<n>(?:{_NAME_WORD})(?:\s+(?:{_NAME_WORD}))?)"),
        0.7),
]
TITLE_BEFORE = re.compile(r"\b(?:dr|doctor|dra|doc|nurse|np|pa)\.?\s*$", re.IGNORECASE)

_MRN = re.compile(
    r"\b(?:mrn|medical\s+record(?:\s+(?:number|no\.?|num|#))?|chart\s+(?:number|no\.?|#)|patient\s+id(?:\s+number)?)"
    r"\s*(?:is|was|:|#|-)?\s*(?:is\s+)?(?:#\s*)?(?P<v>[A-Z]{0,3}\d[\d\-]{3,14}\d)\b",
    re.IGNORECASE,
)
_DL = re.compile(
    r"\b(?:driver'?s?\s+licen[cs]e|drivers\s+licen[cs]e|driving\s+licen[cs]e|licen[cs]e|dl)"
    r"(?:\s+(?:number|no\.?|num|#))?\s*(?:is|was|:|#|-)?\s*(?:is\s+)?(?:#\s*)?"
    r"(?P<v>[A-Z]{0,2}\d[\dA-Z\-]{4,17})\b",
    re.IGNORECASE,
)
_SSN_SHAPE = re.compile(r"(?<![\d\-])(?P<v>\d{3}([\- .])\d{2}\2\d{4})(?![\d\-])")
_SSN_CONTEXT_9 = re.compile(
    r"\b(?:ssn|social(?:\s+security)?(?:\s+(?:number|no\.?|#))?|seguro\s+social)\s*(?:is|:|#|-)?\s*(?:is\s+)?"
    r"(?P<v>\d{9}|\d{3}[\- .]?\d{2}[\- .]?\d{4})\b",
    re.IGNORECASE,
)
_SSN_WORD_CONTEXT = re.compile(r"\b(?:ssn|social|seguro)\b", re.IGNORECASE)
_CARD_CONTEXT = re.compile(r"\b(?:card|cc|credit|debit|visa|mastercard|amex|tarjeta)\b", re.IGNORECASE)
_CARD_RUN = re.compile(r"(?<![\d\-])(?P<v>\d(?:[ \-]?\d){11,18})(?![\d\-])")
# phone numbers in many layouts: +46 (0)8 928 571 38, (579)888-3058, 01.84.17.61.18, 467 3395,
# 345-899-3560x4587, 5403926876
_PHONE = re.compile(
    r"(?<![\w+\-./])(?P<v>(?:\+\d{1,3}[ \t.\-]?)?(?:\(0\)[ \t]?)?(?:\(\d{1,4}\)[ \t]?)?\d{1,11}(?:[ \t.\-]\d{1,8}){0,5}"
    r"(?:[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6})?)(?!\w|-\d|/|\.\d)",
    re.IGNORECASE,
)
_PHONE_AFTER = re.compile(r"[\s\-,;:]{0,3}(?:office|fax|mobile|cell|home|work|desk)\b", re.IGNORECASE)
_IP_LIKE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_PHONE_CONTEXT = re.compile(
    r"\b(?:phone|tel|telephone|cell|cellphone|mobile|fax|desk|office|call|text|number|reach|contact|"
    r"registered|messages|answering|n[uú]mero|tel[eé]fono|celular)\b",
    re.IGNORECASE,
)
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _current_year() -> int:
    return _dt.date.today().year


def _year_of(raw: str) -> Optional[int]:
    raw = raw.lstrip("'")
    if len(raw) == 4:
        return int(raw)
    if len(raw) == 2:
        yy = int(raw)
        cy = _current_year() % 100
        return 2000 + yy if yy <= cy else 1900 + yy
    return None


def build_recognisers():
    """Return the list of Presidio recognisers (imported lazily)."""
    from presidio_analyzer import EntityRecognizer, RecognizerResult
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        UsSsnRecognizer,
    )
    import tldextract

    offline_tld = tldextract.TLDExtract(suffix_list_urls=())

    class OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's email recogniser with an offline public-suffix snapshot."""

        def validate_result(self, pattern_text: str):  # noqa: D102
            return offline_tld(pattern_text).fqdn != ""

    class FunctionRecognizer(EntityRecognizer):
        """A recogniser defined by a plain function ``text -> [(entity, start, end, score)]``."""

        def __init__(self, name: str, entities: Sequence[str], fn):
            self._fn = fn
            super().__init__(supported_entities=list(entities), name=name, supported_language="en")

        def load(self) -> None:  # noqa: D102
            pass

        def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
            out = []
            for ent, s, e, score in self._fn(text):
                if ent in entities:
                    out.append(RecognizerResult(ent, s, e, score))
            return out

    def ssn_fn(text: str):
        for m in _SSN_SHAPE.finditer(text):
            digits = re.sub(r"\D", "", m.group("v"))
            # treat the 3-2-4 shape as an SSN even for Presidio's "dummy" values
            # (123-45-6789); dots/spaces only with context, else it's too often something else
            sep = m.group(2)
            ctx = _SSN_WORD_CONTEXT.search(text, max(0, m.start() - 40), m.start())
            if sep == "-" or ctx:
                yield (US_SSN, m.start("v"), m.end("v"), 0.9 if ctx else 0.75)
            del digits
        for m in _SSN_CONTEXT_9.finditer(text):
            yield (US_SSN, m.start("v"), m.end("v"), 0.95)

    def card_fn(text: str):
        for m in _CARD_RUN.finditer(text):
            digits = re.sub(r"\D", "", m.group("v"))
            if not 12 <= len(digits) <= 19:
                continue
            ctx = _CARD_CONTEXT.search(text, max(0, m.start() - 60), m.start())
            if ctx:
                yield (CREDIT_CARD, m.start("v"), m.end("v"), 0.95 if _luhn_ok(digits) else 0.8)
            elif _luhn_ok(digits) and len(digits) >= 13:
                yield (CREDIT_CARD, m.start("v"), m.end("v"), 0.7)

    def phone_fn(text: str):
        for m in _PHONE.finditer(text):
            v = m.group("v")
            main = re.split(r"(?i)\s?(?:x|ext)", v)[0]
            digits = re.sub(r"\D", "", main)
            n = len(digits)
            if n < 7 or n > 15:
                continue
            if _ISO_DATETIME.match(v):
                continue
            has_sep = bool(re.search(r"[\s.\-()+]", main.strip()))
            if not has_sep and n > 11:
                continue  # a bare long digit run: card/account, not a phone
            ctx = _PHONE_CONTEXT.search(text, max(0, m.start() - 40), m.start()) or _PHONE_CONTEXT.match(
                text, m.end(), min(len(text), m.end() + 10)
            ) or _PHONE_AFTER.match(text, m.end(), min(len(text), m.end() + 10))
            groups = re.findall(r"\d+", main)
            if _IP_LIKE.match(main):
                continue
            if not ctx and not (n >= 10 or (len(groups) >= 3 and n >= 8)):
                # "370 3911 Fourth Avenue", "ZIP: 75534-030": short numbers with no
                # phone word nearby are too often addresses or codes
                continue
            score = 0.75 if ctx else (0.6 if n >= 10 else 0.5)
            yield (PHONE_NUMBER, m.start("v"), m.end("v"), score)
        for m in _SPOKEN_DIGITS.finditer(text):
            toks = re.findall(r"(?i)double|triple|zero|oh|o|one|two|three|four|five|six|seven|eight|nine|\d", m.group(0))
            digits = []
            mult = 1
            for t in toks:
                tl = t.lower()
                if tl == "double":
                    mult = 2
                    continue
                if tl == "triple":
                    mult = 3
                    continue
                digits.extend([NUM_WORDS.get(tl, tl)] * mult)
                mult = 1
            n = len(digits)
            if not any(t.isalpha() for t in toks) or n < 7:
                continue  # pure digits are handled by the written-number patterns
            if sum(1 for t in toks if t.lower() in ("o", "oh")) == len(toks):
                continue
            ctx = _SSN_WORD_CONTEXT.search(text, max(0, m.start() - 40), m.start())
            if ctx and n == 9:
                yield (US_SSN, m.start(), m.end(), 0.9)
            elif 7 <= n <= 15:
                yield (PHONE_NUMBER, m.start(), m.end(), 0.8)

    def mrn_fn(text: str):
        for m in _MRN.finditer(text):
            yield (MEDICAL_RECORD_NUMBER, m.start("v"), m.end("v"), 0.9)

    def dl_fn(text: str):
        for m in _DL.finditer(text):
            v = m.group("v")
            if len(re.sub(r"\D", "", v)) < 4:
                continue
            yield (US_DRIVER_LICENSE, m.start("v"), m.end("v"), 0.9)

    def dob_fn(text: str):
        cy = _current_year()
        for i, pat in enumerate(_DATE_PATTERNS):
            for m in pat.finditer(text):
                ctx = _BIRTH_CONTEXT.search(text, max(0, m.start() - 50), min(len(text), m.end() + 15))
                gd = m.groupdict()
                year = _year_of(gd["y"]) if gd.get("y") else None
                if ctx:
                    yield (DATE_OF_BIRTH, m.start(), m.end(), 0.95)
                elif year is not None and year < cy - 1 and i != 4:
                    if i == 0 and len(gd["y"]) == 2:
                        continue  # 3/4/85 without context: could be anything
                    yield (DATE_OF_BIRTH, m.start(), m.end(), 0.6)

    def person_fn(text: str):
        for pat, score in _NAME_PATTERNS:
            for m in pat.finditer(text):
                base = m.start("n")
                words = [(w.start() + base, w.end() + base, w.group(0)) for w in re.finditer(r"\S+", m.group("n"))]
                # drop trailing stop words ("this is Maria calling")
                while words and words[-1][2].lower().strip(".,") in _NAME_STOP:
                    words.pop()
                if not words or words[0][2].lower().strip(".,") in _NAME_STOP:
                    continue
                if len(words[0][2].strip(".")) == 1:
                    continue
                s, e = words[0][0], words[-1][1]
                if TITLE_BEFORE.search(text, max(0, s - 10), s):
                    continue  # "Dr. Patel": a provider, not patient PII
                yield (PERSON, s, e, score)

    recs = [
        OfflineEmailRecognizer(),
        CreditCardRecognizer(),
        UsSsnRecognizer(),
        FunctionRecognizer("ssn_shape", [US_SSN], ssn_fn),
        FunctionRecognizer("card_context", [CREDIT_CARD], card_fn),
        FunctionRecognizer("phone_any", [PHONE_NUMBER, US_SSN], phone_fn),
        FunctionRecognizer("mrn", [MEDICAL_RECORD_NUMBER], mrn_fn),
        FunctionRecognizer("driver_license", [US_DRIVER_LICENSE], dl_fn),
        FunctionRecognizer("date_of_birth", [DATE_OF_BIRTH], dob_fn),
        FunctionRecognizer("person_cues", [PERSON], person_fn),
    ]
    return recs
