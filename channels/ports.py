"""What the channels read besides the engine, handed to them by the composition root
(voice_agent/services.py builds each once and gives the same object to the engine): the clinic a
request names, the conversation a call is in, and the audit log. Channels never reach into the
engine's own parts for these."""
from __future__ import annotations

from typing import Any, Protocol

from dialogue.ports import Clinic
from dialogue.session import SessionData


class ClinicLookup(Protocol):
    """A clinic by id, by its phone number (Twilio's `To`) or its web-chat slug; None if none."""

    async def by_id(self, clinic_id: str) -> Clinic | None: ...

    async def by_phone(self, phone: str) -> Clinic | None: ...

    async def by_slug(self, slug: str) -> Clinic | None: ...


class Conversations(Protocol):
    """The conversation a caller or texter is in (read only: the engine writes it)."""

    async def find_active(self, clinic_id: str, channel: str, channel_user_id: str) -> SessionData | None: ...


class AuditLog(Protocol):
    async def record(self, clinic_id: str, action: str, *, resource_type: str | None = None,
                     resource_id: str | None = None, details: dict[str, Any] | None = None,
                     session_id: str | None = None, severity: str = "info") -> None: ...
