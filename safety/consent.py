"""Consent, the pure part: SMS carrier keywords and the call disclosure text.

Storage of consent lives in ``safety/consent_store.py`` (written separately).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, Optional

ConsentKeyword = Literal["opt_out", "opt_in", "help"]

OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
# "YES" is deliberately absent: it is a dialogue answer ("yes, book it"), not a re-subscribe.
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


def classify_sms_keyword(body: Optional[str]) -> Optional[ConsentKeyword]:
    """Classify a *whole* SMS body as a carrier keyword, or None.

    Case, surrounding whitespace and trailing punctuation are ignored ("  Stop. " → opt_out);
    a sentence that merely contains the word ("stop calling me about my appointment") is not a
    keyword and returns None, so the dialogue handles it.
    """
    if not body:
        return None
    t = unicodedata.normalize("NFKC", body).strip()
    t = re.sub(r"^[\s\"'“”‘’]+|[\s\"'“”‘’.!?,;:]+$", "", t).upper()
    t = re.sub(r"\s+", " ", t)
    if t in ("STOP ALL", "OPT OUT", "OPT-OUT"):
        return "opt_out"
    if t in OPT_OUT_WORDS:
        return "opt_out"
    if t in OPT_IN_WORDS:
        return "opt_in"
    if t in HELP_WORDS:
        return "help"
    return None


def disclosure(clinic_name: str, records_calls: bool) -> str:
    """The opening line of every call: who answered, that it is automated, and recording."""
    name = " ".join((clinic_name or "").split()) or "the clinic"
    text = (
        f"You've reached {name}. I'm an automated assistant and I can help with appointments and questions. "
    )
    if records_calls:
        text += "This call may be recorded for quality and safety. "
    text += "If this is a medical emergency, hang up and call 911. You can ask for a person at any time."
    return text


def sms_help_text(clinic_name: str) -> str:
    name = " ".join((clinic_name or "").split()) or "the clinic"
    return (
        f"{name}: automated appointment messages. Reply STOP to opt out, START to opt back in. "
        "Msg & data rates may apply. For emergencies call 911."
    )


def sms_opt_out_text(clinic_name: str) -> str:
    name = " ".join((clinic_name or "").split()) or "the clinic"
    return f"{name}: you're unsubscribed and will get no more messages. Reply START to opt back in."


def sms_opt_in_text(clinic_name: str) -> str:
    name = " ".join((clinic_name or "").split()) or "the clinic"
    return f"{name}: you're subscribed again. Reply HELP for help, STOP to opt out."
