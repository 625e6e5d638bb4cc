"""SessionData (the seed's section 4.4): one conversation of one channel user with one clinic."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from dialogue.states import BookingState, check_transition
from ehr.types import TimeSlot

MAX_TURNS = 10


@dataclass
class ConversationTurn:
    role: str            # "patient" or "assistant"
    text: str            # redacted: never raw identifiers
    at: str
    state: str | None = None
    intent: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)   # e.g. voice timings, interruption marks


@dataclass
class SessionData:
    session_id: str
    clinic_id: str
    channel: str
    channel_user_id: str | None = None
    patient_id: str | None = None
    current_state: BookingState = BookingState.IDLE
    previous_state: BookingState | None = None
    collected_data: dict[str, Any] = field(default_factory=dict)
    intent_history: list[str] = field(default_factory=list)
    message_history: list[ConversationTurn] = field(default_factory=list)
    shown_slots: list[TimeSlot] = field(default_factory=list)
    selected_slot: TimeSlot | None = None
    booking_id: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    updated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    expires_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc) + timedelta(minutes=30))
    message_count: int = 0
    version: int | None = None       # as read from the store (None: never saved); saves compare-and-set on it

    @classmethod
    def new(cls, clinic_id: str, channel: str, channel_user_id: str | None, ttl_seconds: int,
            session_id: str | None = None) -> "SessionData":
        now = datetime.now(timezone.utc)
        return cls(session_id=session_id or str(uuid.uuid4()), clinic_id=clinic_id, channel=channel,
                   channel_user_id=channel_user_id, created_at=now, updated_at=now,
                   expires_at=now + timedelta(seconds=ttl_seconds))

    def move_to(self, state: BookingState) -> None:
        check_transition(self.current_state, state)
        if state != self.current_state:
            self.previous_state = self.current_state
        self.current_state = state

    def open_question(self) -> str | None:
        """What the patient's next message answers: the open question, or after a handoff the
        question the handoff interrupted (the conversation may resume there)."""
        if self.current_state == BookingState.HANDED_OFF:
            return self.collected_data.get("resume")
        return self.collected_data.get("awaiting")

    def add_turn(self, turn: ConversationTurn) -> None:
        self.message_history.append(turn)
        del self.message_history[:-MAX_TURNS]

    def touch(self, ttl_seconds: int) -> None:
        self.updated_at = datetime.now(timezone.utc)
        self.expires_at = self.updated_at + timedelta(seconds=ttl_seconds)

    # Serialisation. `collected_data` is handed to the store separately, which encrypts it.
    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id, "clinic_id": self.clinic_id, "channel": self.channel,
            "channel_user_id": self.channel_user_id, "patient_id": self.patient_id,
            "current_state": self.current_state.value,
            "previous_state": self.previous_state.value if self.previous_state else None,
            "intent_history": self.intent_history[-20:],
            "message_history": [t.__dict__ for t in self.message_history],
            "shown_slots": [s.to_json() for s in self.shown_slots],
            "selected_slot": self.selected_slot.to_json() if self.selected_slot else None,
            "booking_id": self.booking_id, "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(), "expires_at": self.expires_at.isoformat(),
            "message_count": self.message_count,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], collected_data: dict[str, Any]) -> "SessionData":
        return cls(
            session_id=data["session_id"], clinic_id=data["clinic_id"], channel=data["channel"],
            channel_user_id=data.get("channel_user_id"), patient_id=data.get("patient_id"),
            current_state=BookingState(data["current_state"]),
            previous_state=BookingState(data["previous_state"]) if data.get("previous_state") else None,
            collected_data=collected_data, intent_history=list(data.get("intent_history", [])),
            message_history=[ConversationTurn(**t) for t in data.get("message_history", [])],
            shown_slots=[TimeSlot.from_json(s) for s in data.get("shown_slots", [])],
            selected_slot=TimeSlot.from_json(data["selected_slot"]) if data.get("selected_slot") else None,
            booking_id=data.get("booking_id"), created_at=datetime.fromisoformat(data["created_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            expires_at=datetime.fromisoformat(data["expires_at"]), message_count=data.get("message_count", 0),
            version=data.get("version"),
        )
