"""What the channels are handed by the composition root (voice_agent/app.py), built once at start-up.

Channels never import the root: each module's `routes(deps)` closes its handlers over this (the
voice routes get their own `channels.voice.deps.VoiceDeps`).
"""
from __future__ import annotations

from dataclasses import dataclass

from channels.ports import ClinicLookup
from channels.sms_outbound import ConsentStore, SmsLog
from dialogue.engine import Engine
from voice_agent.web.ratelimit import Limiter
from voice_agent.web.settings import Settings


@dataclass(frozen=True)
class ChannelDeps:
    settings: Settings
    engine: Engine
    clinics: ClinicLookup     # the clinic a number or a web-chat slug names
    consent: ConsentStore
    sms_log: SmsLog
    limiter: Limiter          # web chat: per address and per clinic
