"""What the voice routes are handed by the composition root (voice_agent/app.py), built once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from channels.ports import AuditLog, ClinicLookup, Conversations
from channels.voice.draining import CallDrain
from channels.voice.kit import VoiceKit
from channels.voice.transfer import WarmTransfer
from dialogue.engine import Engine
from voice_agent.web.settings import Settings


class DisclosureLog(Protocol):
    """Where the recording disclosure that opens every call is recorded (storage/consent.py)."""

    async def record_disclosure(self, clinic_id: str, call_id: str, *, records_calls: bool) -> None: ...


@dataclass(frozen=True)
class VoiceDeps:
    settings: Settings
    engine: Engine
    clinics: ClinicLookup
    conversations: Conversations   # the call's conversation, as the engine saved it
    audit: AuditLog
    disclosures: DisclosureLog
    kit: VoiceKit
    drain: CallDrain          # this process's live calls; after SIGTERM new ones are refused
    transfer: WarmTransfer | None = None   # warm transfer to the front desk (None: no Twilio REST client)
