"""Choose one implementation per seam at start-up (DESIGN.md: "one implementation chosen at start-up").

Plain functions of what each part needs; `Services.build` (voice_agent/services.py) calls them once.
"""
from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from psycopg_pool import AsyncConnectionPool

from channels.reminders import ReminderJob
from dialogue.engine import Engine
from dialogue.nlu.embedded import EmbeddedUnderstanding
from dialogue.ports import AuditSink, ClinicDirectory, HandoffRecorder, Notifier, SessionStore, TurnLock
from ehr.protocol import EHRAdapter
from safety import crisis_model
from safety.pii import PIIDetector
from safety.pipeline import SafetyPipeline
from storage.consent import ConsentRepository
from storage.reminders import ReminderRepository
from storage.crypto import FieldCipher
from storage.sessions import SessionRepository
from storage.sms_log import SmsLogRepository
from voice_agent.observability import CountedSafety, TimedUnderstanding
from voice_agent.session_store import EncryptedSessionStore
from voice_agent.web.settings import Settings


def sentence_encoder() -> Any:
    """The process's one MiniLM sentence encoder: the crisis classifier's (loaded once, SHA-256 checked),
    shared with the understanding's intent classifier; None when the weights are missing (development),
    and then both run on their rules. In production a missing weight file stops start-up (warm_up)."""
    state = crisis_model.current()
    return state.model.encoder if state.model is not None else None


def understanding(settings: Settings, anthropic_http: Any = None, pii: PIIDetector | None = None) -> Any:
    """Claude when ANTHROPIC_API_KEY is set (the embedded NLU as its fallback), else the embedded NLU.
    `anthropic_http`: an `httpx2.AsyncClient` for the SDK (tests pass one on a mock transport).
    `pii`: the safety pipeline's detector, which redacts what is sent to Claude."""
    embedded = EmbeddedUnderstanding(encoder=sentence_encoder())
    if not settings.anthropic_api_key:
        return embedded
    from dialogue.claude_understanding import ClaudeUnderstanding  # only when configured
    return ClaudeUnderstanding.from_settings(settings, embedded, http_client=anthropic_http, pii=pii)


def phrasing(settings: Settings, anthropic_http: Any = None) -> Any:
    """Claude rewords template replies when configured; None keeps the templates."""
    if not settings.anthropic_api_key:
        return None
    from dialogue.claude_phrasing import ClaudePhrasing  # only when configured
    return ClaudePhrasing.from_settings(settings, http_client=anthropic_http)


def twilio_client(settings: Settings, http: Any = None) -> Any:
    """The Twilio REST client, or None when TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN are not both set.
    Every REST call goes to TWILIO_API_BASE_URL when that is set (voice_agent/twilio_http.py).
    `http`: the SDK's `HttpClient` (tests pass a recording one)."""
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return None
    from twilio.rest import Client  # imported only when configured
    from voice_agent import twilio_http
    return Client(settings.twilio_account_sid, settings.twilio_auth_token,
                  http_client=http or twilio_http.http_client(settings.twilio_api_base_url))


def reminder_job(settings: Settings, pool: AsyncConnectionPool, cipher: FieldCipher, consent: ConsentRepository,
                 client: Any) -> ReminderJob | None:
    """The reminder sender (channels/reminders.py), or None when Twilio is not configured."""
    if client is None:
        return None
    return ReminderJob(client, ReminderRepository(pool, cipher), consent, settings.public_base_url,
                       quiet=settings.reminder_quiet_hours)


def notifier(settings: Settings, client: Any, consent: ConsentRepository, sms_log: SmsLogRepository) -> Notifier:
    """Texts confirmations through Twilio when configured; otherwise a notifier that only logs."""
    from channels.sms_outbound import LoggingNotifier, TwilioNotifier
    if client is None:
        return LoggingNotifier()
    return TwilioNotifier(client, consent, sms_log, settings.public_base_url)


def session_store(settings: Settings, pool: AsyncConnectionPool, redis: aioredis.Redis,
                  cipher: FieldCipher) -> EncryptedSessionStore:
    return EncryptedSessionStore(SessionRepository(pool, redis, settings.redis_session_ttl), cipher)


def engine(settings: Settings, *, sessions: SessionStore, directory: ClinicDirectory, audit: AuditSink,
           calendar: EHRAdapter, notifier: Notifier, turn_lock: TurnLock, handoffs: HandoffRecorder | None = None,
           anthropic_http: Any = None, safety: SafetyPipeline | None = None) -> Engine:
    """The engine over the ports built once by `Services.build` (the channels get the same directory,
    sessions and audit log: they never reach into the engine for them). `safety`: the one safety
    pipeline of this process (built here when not given); the engine screens every message with it
    and Claude's redaction uses its PII detector."""
    safety = safety or SafetyPipeline()
    return Engine(
        sessions=sessions,
        directory=directory,
        calendar=calendar,
        understanding=TimedUnderstanding(understanding(settings, anthropic_http, safety.pii),
                                         "claude" if settings.anthropic_api_key else "embedded"),
        audit=audit,
        safety=CountedSafety(safety),
        turn_lock=turn_lock,
        session_ttl=settings.redis_session_ttl,
        notifier=notifier,
        phrasing=phrasing(settings, anthropic_http),
        handoffs=handoffs,
    )
