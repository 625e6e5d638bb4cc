"""What a crisis rule is: the categories, the severities, and the `Rule` record the lexicons
(`crisis_rules_harm.py`, `crisis_rules_body.py`) are written in."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Severity(enum.IntEnum):
    LOW = 1  # gentle line, then carry on
    MEDIUM = 2  # resources and an offer of a person; may continue after
    HIGH = 3  # immediate escalation to a person
    CRITICAL = 4  # stop the booking flow; emergency resources at once


SUICIDE = "suicide_self_harm"
VIOLENCE = "violence"      # harm to others
ABUSE = "abuse"            # the writer (or someone in their care) is being hurt or threatened
MEDICAL = "medical_emergency"
POISONING = "poisoning"
DISTRESS = "distress"

CATEGORIES = (SUICIDE, VIOLENCE, ABUSE, MEDICAL, POISONING, DISTRESS)


SUBJ = r"(?:i|i'm|i am|he|she|they|he's|she's|they're|my \w+|my \w+ \w+|someone|somebody|the \w+|el|ella|mi \w+)"


@dataclass(frozen=True)
class Rule:
    name: str
    category: str
    severity: Severity
    pattern: re.Pattern
    lang: str = "en"
    negatable: bool = False  # suppressed by a preceding negation ("not suicidal")
    history_sensitive: bool = False  # suppressed by history/routine context ("had a seizure last year")
    imminence_bump: bool = False  # HIGH -> CRITICAL when imminence/means markers are present


def rule(name: str, category: str, severity: Severity, pattern: str, lang: str = "en", negatable: bool = False,
         history: bool = False, bump: bool = False) -> Rule:
    """A `Rule`, its pattern compiled once at import (the lexicons are read on every message)."""
    return Rule(name, category, severity, re.compile(pattern), lang, negatable, history, bump)


C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
