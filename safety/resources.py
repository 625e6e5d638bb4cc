"""Every help line a safety reply may give a patient, in one table.

The crisis replies are written from this table (`crisis_replies.py`), and the output privacy
check allows exactly these numbers (`pipeline.SafetyPipeline.check_output`). Because both read
the same rows, a hotline can never be mistaken for a leaked phone number: a resource added here
is allowed everywhere it is used, with nothing else to keep in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Resource:
    key: str       # the name a reply template uses: "{poison_control}"
    number: str    # as written in a text reply
    spoken: str    # as read out on a call: digit by digit, grouped as people say it
    name_en: str
    name_es: str


EMERGENCY = Resource("emergency", "911", "9 1 1", "emergency services", "servicios de emergencia")
CRISIS_LINE = Resource("crisis_line", "988", "9 8 8", "the 988 Suicide and Crisis Lifeline",
                       "la Línea 988 de Prevención del Suicidio y Crisis")
CRISIS_TEXT = Resource("crisis_text", "741741", "7 4 1 7 4 1", "the Crisis Text Line",
                       "la Línea de Crisis por Texto")
POISON_CONTROL = Resource("poison_control", "1-800-222-1222", "1 8 0 0, 2 2 2, 1 2 2 2", "Poison Control",
                          "el Centro de Toxicología")
DV_HOTLINE = Resource("dv_hotline", "1-800-799-7233", "1 8 0 0, 7 9 9, 7 2 3 3",
                      "the National Domestic Violence Hotline", "la Línea Nacional contra la Violencia Doméstica")

RESOURCES: tuple[Resource, ...] = (EMERGENCY, CRISIS_LINE, CRISIS_TEXT, POISON_CONTROL, DV_HOTLINE)


def numbers(spoken: bool = False) -> Mapping[str, str]:
    """Template values: ``{"poison_control": "1-800-222-1222", ...}`` (spoken forms for a call)."""
    return {r.key: (r.spoken if spoken else r.number) for r in RESOURCES}


def allowed_values() -> tuple[str, ...]:
    """What the output privacy check must let through: each number as written and as spoken."""
    return tuple(v for r in RESOURCES for v in (r.number, r.spoken))


_MENTION = re.compile("|".join(rf"(?<![\w-]){re.escape(v)}(?![\w-])" for v in allowed_values()))


def mentions_help_line(text: str) -> bool:
    """Whether a reply gives a help line (a call plays such a reply to its end, whatever the caller does)."""
    return bool(_MENTION.search(text))
