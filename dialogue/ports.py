"""The seams the engine calls through; implementations are chosen once at start-up.

The engine speaks neither SQL nor HTTP: sessions, clinic profiles, calendars and audit events all
arrive through these protocols.
"""
from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from dialogue.session import SessionData
from storage.clinics import Clinic      # the one clinic type, re-exported for dialogue and the channels


class StaleSession(Exception):
    """A session save found a newer version than the one it read (another turn saved meanwhile):
    the turn is redone from a fresh read, never written over the other's."""


class TurnBusy(Exception):
    """Another turn of this conversation held its turn lock for the whole wait."""


class SessionStore(Protocol):
    async def load(self, clinic_id: str, session_id: str) -> SessionData | None: ...

    async def find_active(self, clinic_id: str, channel: str, channel_user_id: str) -> SessionData | None: ...

    async def save(self, session: SessionData) -> None:
        """Compare-and-set on `session.version` (the version read; None: a new session), which it
        then advances; raises `StaleSession` when another writer saved first."""


class TurnLock(Protocol):
    """Held for one turn of a conversation, on every process and instance (a Redis lock, or a
    PostgreSQL advisory lock while Redis does not answer: `storage/turn_lock.py`, adapted by
    `voice_agent/conversation_locks.py`); raises `TurnBusy` when another turn keeps it past the
    wait bound."""

    def hold(self, key: str) -> AbstractAsyncContextManager[Any]: ...


class ClinicDirectory(Protocol):
    async def by_id(self, clinic_id: str) -> Clinic | None: ...

    async def by_phone(self, phone: str) -> Clinic | None: ...

    async def by_slug(self, slug: str) -> Clinic | None: ...


class AuditSink(Protocol):
    """Stand-alone audit events (safety triggers, PHI detected, consent). `record_many` takes
    `storage.audit.AuditEvent`-shaped objects: action, resource_type, resource_id, details,
    session_id, severity."""

    async def record_many(self, clinic_id: str, events: list[Any]) -> None: ...

    async def record(self, clinic_id: str, action: str, *, resource_type: str | None = None,
                     resource_id: str | None = None, details: dict[str, Any] | None = None,
                     session_id: str | None = None, severity: str = "info") -> None: ...


@dataclass(frozen=True)
class AppointmentNotice:
    """A booking, cancellation or reschedule that the patient should be told about out of band."""
    kind: str                 # "booked", "cancelled", "rescheduled"
    clinic: Clinic
    appointment_id: str
    provider_name: str
    start_local: str          # as spoken: "Tuesday, March 9th at 8 AM"
    patient_phone: str | None
    channel: str              # where it happened
    session_id: str


@dataclass(frozen=True)
class ReminderReply:
    """A texted "C" or "R" answering a reminder: the channel found which appointment it named."""
    action: str               # "cancel" or "reschedule"
    appointment_id: str


class Notifier(Protocol):
    async def appointment_changed(self, notice: AppointmentNotice) -> None: ...


class RecordedHandoff(Protocol):
    id: str


class HandoffRecorder(Protocol):
    """Where a handoff becomes a record staff can see (`storage.handoffs.HandoffStore`). `create`
    returns the conversation's live record when it already has one, so a retried turn makes no second."""

    async def create(self, clinic_id: str, *, channel: str, reason: str, summary: str,
                     transcript: list[dict[str, str]], conversation_id: str, patient_id: str | None = None,
                     patient_name: str | None = None, callback_number: str | None = None,
                     call_sid: str | None = None) -> RecordedHandoff: ...

    async def refresh_transcript(self, clinic_id: str, channel: str, conversation_id: str,
                                 transcript: list[dict[str, str]]) -> str | None:
        """The conversation's live handoff gets the transcript as it now is; its id, or None."""
