"""What the safety pipeline is told about a turn, and what the session keeps of its verdict.

The pipeline is pure (no session, no database): the engine hands it the channel, the patient's
last messages (already redacted), the highest crisis severity already answered, and the clinic's
own names, which are never a patient's PII.
"""
from __future__ import annotations

from typing import Any

from dialogue.ports import Clinic
from dialogue.session import SessionData
from ehr.types import Provider

RECENT_TURNS = 2


def known_names(clinic: Clinic, roster: list[Provider]) -> list[str]:
    """The clinic's own names (providers, the clinic, its street): not a patient's PII."""
    return [clinic.name, clinic.address or ""] + [f"{p.first_name} {p.last_name}" for p in roster]


def input_context(session: SessionData, clinic: Clinic, roster: list[Provider]) -> dict[str, Any]:
    c = session.collected_data
    return {"abuse_strikes": c.get("abuse_strikes", 0), "channel": session.channel,
            "recent": [t.text for t in session.message_history if t.role == "patient"][-RECENT_TURNS:],
            "raised": c.get("crisis_raised", 0), "known_names": known_names(clinic, roster),
            "answers": session.open_question()}


def remember_crisis(session: SessionData, severity: int | None) -> None:
    """The highest severity answered so far: turns read together do not raise it again."""
    if severity is not None:
        c = session.collected_data
        c["crisis_raised"] = max(int(c.get("crisis_raised", 0)), int(severity))
