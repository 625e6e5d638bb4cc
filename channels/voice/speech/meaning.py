"""A small normaliser from grammar text to a comparable meaning, per question type.

Used by the benchmark and tests to score "correct meaning" (yep == yes; "doctor raman" == "raman";
"three thirty" == "three thirty p m"). The dialogue layer has its own NLU; this is not it.
"""
from __future__ import annotations

import re

from .grammar import (HOURS, MONTHS, ORDINALS, WEEKDAYS, YES, NO, Provider, specialty_phrases,
                      spoken_words)
from .recognizer import detect_escape

_NUM = {w: i + 1 for i, w in enumerate(HOURS)}
_MIN = {"oh five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25, "thirty": 30,
        "thirty five": 35, "forty": 40, "forty five": 45, "fifty": 50, "fifty five": 55}
_ORD = {w: i + 1 for i, w in enumerate(ORDINALS)}
_PICK = {"first": 1, "second": 2, "third": 3, "last": -1, "earlier": 1, "earliest": 1,
         "later": 2, "latest": -1}


def _escape(text: str) -> str | None:
    e = detect_escape(text)
    return f"escape:{e}" if e else None


def provider_meaning(text: str, providers: list[Provider]) -> str | None:
    if not text:
        return None
    words = f" {text} "
    for p in providers:
        if f" {p.last} " in words:
            return p.last
    for p in providers:
        if p.first and f" {p.first} " in words:
            return p.last
    for p in providers:
        for phrase in specialty_phrases(p.specialty):
            if f" {phrase} " in words:
                return p.last
    if re.search(r"\b(anyone|anybody|any doctor|whoever|first available|doesn't matter|no preference)\b", text):
        return "any"
    return _escape(text) or text


def yes_no_meaning(text: str) -> str | None:
    if not text:
        return None
    if m := re.search(r"\b(?:option|number) (one|two|three)\b", text):
        return f"pick:{['one', 'two', 'three'].index(m.group(1)) + 1}"
    for w, n in _PICK.items():
        if re.search(rf"\b{w}\b", text):
            return f"pick:{n}"
    esc = _escape(text)
    if esc:
        return esc
    if any(re.fullmatch(rf"{n}( thank you)?", text) for n in NO):
        return "no"
    if any(re.fullmatch(rf"{y}( thank you)?", text) for y in YES):
        return "yes"
    return text


def date_meaning(text: str) -> str | None:
    if not text:
        return None
    t = text
    for rel in ("the day after tomorrow", "tomorrow", "today", "as soon as possible"):
        if rel in t:
            return rel
    if m := re.search(r"\b(this|next) week\b", t):
        return f"{m.group(1)} week"
    ords = sorted(_ORD, key=len, reverse=True)
    month = next((mo for mo in MONTHS if re.search(rf"\b{mo}\b", t)), None)
    day = next((o for o in ords if re.search(rf"\b{o}\b", t)), None)
    wd = next((w for w in WEEKDAYS if re.search(rf"\b{w}\b", t)), None)
    if day:
        return f"{MONTHS.index(month) + 1 if month else '?'}-{_ORD[day]}"
    if wd:
        mod = "next" if re.search(r"\bnext\b", t) else "this"
        return f"{mod} {wd}"
    return _escape(t) or t


def time_meaning(text: str) -> str | None:
    if not text:
        return None
    t = text
    rel = ""
    if m := re.search(r"\b(after|before)\b", t):
        rel = m.group(1) + " "
    if re.search(r"\b(noon|midday)\b", t):
        return rel + "12:00"
    hour = minute = None
    if m := re.search(r"\bhalf past (\w+)", t):
        hour, minute = _NUM.get(m.group(1)), 30
    elif m := re.search(r"\bquarter (past|after|to) (\w+)", t):
        h = _NUM.get(m.group(2))
        hour, minute = (h, 15) if m.group(1) != "to" else ((h - 1) or 12 if h else None, 45)
    else:
        for w in sorted(_NUM, key=len, reverse=True):
            if m := re.search(rf"\b(at |around |about |after |before |by |^){w}\b( .*)?$", t):
                hour = _NUM[w]
                rest = (m.group(2) or "").strip()
                minute = next((v for k, v in sorted(_MIN.items(), key=lambda kv: -len(kv[0]))
                               if rest.startswith(k)), 0)
                break
    if hour is None:
        for part in ("morning", "afternoon", "evening"):
            if part in t:
                return part
        if re.search(r"\b(first|earliest)\b", t):
            return "earliest"
        if re.search(r"\b(latest|last)\b", t):
            return "latest"
        if "any" in t:
            return "any"
        return _escape(t) or t
    pm = bool(re.search(r"\b(p m|afternoon|evening)\b", t))
    am = bool(re.search(r"\b(a m|morning)\b", t))
    if not (pm or am):              # clinic hours: 7-11 are morning, 12-6 afternoon
        pm = hour == 12 or hour <= 6
    h24 = (hour % 12) + (12 if pm else 0)
    return f"{rel}{h24}:{minute or 0:02d}"


_INTENTS = [
    ("human", r"\b(person|someone|somebody|human|front desk|representative|receptionist|operator|nurse)\b"),
    ("repeat", r"\b(repeat|say that again|what did you say)\b"),
    ("cancel", r"\bcancel\b"),
    ("reschedule", r"\b(reschedule|change|move)\b"),
    ("when", r"\b(when is my|what time is my|do i have an|check my|confirm my)\b"),
    ("hours", r"\b(hours|open|close)\b"),
    ("where", r"\b(where|address|get there)\b"),
    ("book", r"\b(book|make|schedule|set up|see|need an appointment|need a)\b"),
    ("goodbye", r"\b(goodbye|bye|that's all)\b"),
    ("yes", r"^(yes|yeah)\b"),
    ("no", r"^(no|nope)\b"),
    ("greet", r"\b(hi|hello|hey|good morning|good afternoon)\b"),
]


def opening_meaning(text: str, providers: list[Provider]) -> str | None:
    if not text:
        return None
    for name, pattern in _INTENTS:
        if re.search(pattern, text):
            if name == "book":
                prov = None
                words = f" {text} "
                for p in providers:
                    if f" {p.last} " in words or (p.first and f" {p.first} " in words):
                        prov = p.last
                return f"book:{prov}" if prov else "book"
            return name
    return text


def name_meaning(text: str) -> str | None:
    if not text:
        return None
    t = re.sub(r"^(my name is|this is|it's|i'm|the name is|the patient is) ", "", text)
    return " ".join(spoken_words(t)) or _escape(text) or text


def reason_meaning(text: str) -> str | None:
    if not text:
        return None
    t = re.sub(r"^(it's for|i need to get|i'm coming in for|i need|i'd like|i have|i've got|i want|for|just) ", "", text)
    t = re.sub(r"^(a|an|the|my) ", "", t)
    return t.replace(" please", "")


def meaning(question: str, text: str, providers: list[Provider] | None = None) -> str | None:
    """Canonical meaning of a grammar text for a question type; None for nothing heard."""
    providers = providers or []
    text = (text or "").strip().lower()
    if question == "provider":
        return provider_meaning(text, providers)
    if question in ("yes_no", "choice"):
        return yes_no_meaning(text)
    if question == "date":
        return date_meaning(text)
    if question == "time":
        return time_meaning(text)
    if question == "opening":
        return opening_meaning(text, providers)
    if question == "name":
        return name_meaning(text)
    if question == "reason":
        return reason_meaning(text)
    raise ValueError(question)
