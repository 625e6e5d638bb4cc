"""Input sanitizer: NFKC, control characters, length limit, prompt-injection flag.

The text stays only text: injection is flagged (the engine logs SAFETY_TRIGGER) and the
message goes on through the normal flow, which never obeys instructions found in it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import List

MAX_CHARS = 2000

# C0/C1 controls except tab/newline, zero-width and bidi controls, BOM
_CONTROL_RE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)

_INJECTION_PATTERNS = [
    ("ignore_instructions", r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|the\s+|your\s+|my\s+)?"
     r"(?:previous|prior|above|earlier|preceding|system|original|initial)?\s*(?:instructions?|prompts?|rules?|directions?|guidelines?|context)\b"),
    ("new_instructions", r"\b(?:new|updated|real)\s+(?:system\s+)?instructions?\s*:|\bsystem\s+prompt\b|\bsystem\s*:\s|\[\s*system\s*\]|<\s*/?\s*system\s*>"),
    ("role_play", r"\b(?:you\s+are\s+now|from\s+now\s+on\s+you\s+are|act\s+as|pretend\s+(?:to\s+be|you(?:'re|\s+are))|role-?play\s+as|"
     r"you(?:'re|\s+are)\s+no\s+longer)\b"),
    ("privilege_claim", r"\b(?:i\s+am|i'm|this\s+is)\s+(?:the\s+|an?\s+)?(?:system|admin|administrator|developer|root|superuser|sysadmin)\b|"
     r"\b(?:admin|developer|debug|god|dan)\s+mode\b|\bjailbreak\b"),
    ("reveal_prompt", r"\b(?:reveal|show|print|repeat|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+)?(?:prompt|instructions|rules)\b"),
    ("other_patients", r"\b(?:list|show|give|tell|read|send|display|what\s+are)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|your\s+)?"
     r"(?:other\s+(?:patients?|people|persons?)|(?:all|every)\s+(?:the\s+)?patients?|patients?\s+(?:list|names|records|appointments|schedule)|"
     r"(?:everyone|everybody|someone|somebody|other\s+people)(?:'s|s')?\s+(?:appointments?|records?|info|information|details|schedule|phone|numbers?))\b|"
     r"\b(?:who\s+(?:else\s+)?(?:is|has)\s+(?:booked|scheduled|an?\s+appointment|coming\s+in))\b|"
     r"\b(?:other|another)\s+(?:patient|person)(?:'s|s')\s+(?:appointments?|records?|info|information|details|phone|address|date\s+of\s+birth)\b|"
     r"\b(?:appointments?|records?|schedule)\s+(?:of|for)\s+(?:all|other|every)\s+(?:the\s+)?(?:patients?|people)\b"),
]
_INJECTION = [(name, re.compile(p, re.IGNORECASE)) for name, p in _INJECTION_PATTERNS]


@dataclass(frozen=True)
class SanitizedText:
    text: str
    truncated: bool = False
    injection: bool = False
    injection_reasons: List[str] = field(default_factory=list)
    removed_chars: int = 0


class Sanitizer:
    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars

    def sanitize(self, text: str) -> SanitizedText:
        raw = text if isinstance(text, str) else str(text or "")
        t = unicodedata.normalize("NFKC", raw)
        cleaned = _CONTROL_RE.sub("", t)
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        cleaned = re.sub(r"[ \u00a0]{2,}", " ", cleaned).strip()
        removed = len(t) - len(_CONTROL_RE.sub("", t))
        truncated = len(cleaned) > self.max_chars
        if truncated:
            cleaned = cleaned[: self.max_chars]
        reasons = [name for name, rx in _INJECTION if rx.search(cleaned)]
        return SanitizedText(cleaned, truncated, bool(reasons), reasons, removed)
