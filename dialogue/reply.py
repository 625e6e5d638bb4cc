"""What a turn returns to its channel: the message and the public state of the conversation."""
from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from typing import Any

from dialogue.session import SessionData
from dialogue.states import BookingState
from ehr.types import Provider

# The documented fields of `collected_data` (docs/api.md); nothing else a session holds leaves the core.
PUBLIC_FIELDS = ("flow", "provider_id", "provider_name", "specialty", "date", "date_from", "date_to", "time",
                 "earliest_time", "part_of_day", "first_name", "last_name", "date_of_birth", "phone", "reason",
                 "patient_id", "booking_id")


@dataclass
class EngineReply:
    message: str
    session_id: str
    state: BookingState
    intent: str
    confidence: float
    booking_id: str | None
    collected_data: dict[str, Any]
    available_slots: list[dict[str, str]] | None
    processing_time_ms: float
    expecting: str | None = None
    keypad_options: int = 0           # a numbered menu of the open question is on offer (calls)
    handoff: bool = False
    handoff_id: str | None = None     # the handoff record made (or found) for this conversation
    end_conversation: bool = False
    safety_action: str = "continue"
    events: list[tuple[str, dict]] = field(default_factory=list)
    turns: list[tuple[str, str]] = field(default_factory=list)   # filled by `history()`


def build_reply(session: SessionData, message: str, intent: str, confidence: float, started: float,
                roster: list[Provider]) -> EngineReply:
    """The reply for `session` as it now stands; `started` is the turn's perf_counter start."""
    c = session.collected_data
    data = {k: c[k] for k in PUBLIC_FIELDS if c.get(k) is not None}
    provider = next((p for p in roster if p.id == c.get("provider_id")), None)
    if provider:
        data["provider_name"] = provider.display_name
    showing = session.current_state == BookingState.SHOWING_SLOTS and c.get("awaiting") == "slot_choice"
    menu = c.get("menu") or {}
    keys = len(menu.get("values") or []) if menu.get("for") == c.get("awaiting") else 0
    return EngineReply(
        message=message, session_id=session.session_id, state=session.current_state, intent=intent,
        confidence=round(confidence, 3), booking_id=session.booking_id, collected_data=data,
        available_slots=[s.to_json() for s in session.shown_slots] if showing else None,
        processing_time_ms=round((clock.perf_counter() - started) * 1000, 2), expecting=c.get("awaiting"),
        keypad_options=keys)
