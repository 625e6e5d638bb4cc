"""Choose one implementation per seam at start-up (DESIGN.md: "one implementation chosen at start-up")."""
from __future__ import annotations

from dialogue.engine import Engine
from dialogue.nlu.embedded import EmbeddedUnderstanding
from ehr.builtin.calendar import BuiltinCalendar
from safety.pipeline import get_pipeline
from storage.audit_sink import AuditRepository
from storage.crypto import FieldCipher
from storage.sessions import SessionRepository
from storage.turn_lock import TurnLocks
from voice_agent.directory import ClinicDirectoryRepository
from voice_agent.observability import CountedSafety, TimedUnderstanding
from voice_agent.services import Services
from voice_agent.session_store import EncryptedSessionStore
from storage.consent import ConsentRepository
from storage.sms_log import SmsLogRepository


def calendar(services: Services) -> BuiltinCalendar:
    if "ehr" not in services.extras:
        services.extras["ehr"] = BuiltinCalendar(services.pool, anchors=services.anchors)
    return services.extras["ehr"]


def understanding(services: Services):
    embedded = EmbeddedUnderstanding()
    settings = services.settings
    if not settings.anthropic_api_key:
        return embedded
    from dialogue.claude_understanding import ClaudeUnderstanding  # only when configured
    return ClaudeUnderstanding.from_settings(settings, embedded,
                                             http_client=services.extras.get("anthropic_http_client"))


def phrasing(services: Services):
    """Claude rewords template replies when configured; None keeps the templates."""
    if not services.settings.anthropic_api_key:
        return None
    from dialogue.claude_phrasing import ClaudePhrasing  # only when configured
    return ClaudePhrasing.from_settings(services.settings, http_client=services.extras.get("anthropic_http_client"))


def engine(services: Services) -> Engine:
    if "engine" not in services.extras:
        settings = services.settings
        cipher = FieldCipher(settings.secret_key)
        services.extras["engine"] = Engine(
            sessions=EncryptedSessionStore(SessionRepository(services.pool, services.redis,
                                                             settings.redis_session_ttl), cipher),
            directory=ClinicDirectoryRepository(services.clinics),
            calendar=calendar(services),
            understanding=TimedUnderstanding(understanding(services),
                                             "claude" if settings.anthropic_api_key else "embedded"),
            audit=AuditRepository(services.pool, services.anchors),
            safety=CountedSafety(get_pipeline()),
            turn_lock=TurnLocks.build(services.redis, services.pool.conninfo, settings.secret_key),
            session_ttl=settings.redis_session_ttl,
            notifier=notifier(services),
            phrasing=phrasing(services),
        )
    return services.extras["engine"]


def cipher(services: Services) -> FieldCipher:
    if "cipher" not in services.extras:
        services.extras["cipher"] = FieldCipher(services.settings.secret_key)
    return services.extras["cipher"]


def consent_store(services: Services) -> ConsentRepository:
    if "consent_store" not in services.extras:
        services.extras["consent_store"] = ConsentRepository(services.pool, cipher(services), services.anchors)
    return services.extras["consent_store"]


def sms_log(services: Services) -> SmsLogRepository:
    if "sms_log" not in services.extras:
        services.extras["sms_log"] = SmsLogRepository(services.pool, cipher(services))
    return services.extras["sms_log"]


def twilio_client(services: Services):
    """The Twilio REST client, or None when TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN are not both set.
    Tests put an SDK `HttpClient` in `services.extras["twilio_http_client"]`."""
    settings = services.settings
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return None
    if "twilio_client" not in services.extras:
        from twilio.http.http_client import TwilioHttpClient  # imported only when configured
        from twilio.rest import Client
        http = services.extras.get("twilio_http_client") or TwilioHttpClient(timeout=10)
        services.extras["twilio_client"] = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                                                  http_client=http)
    return services.extras["twilio_client"]


def notifier(services: Services):
    """Texts confirmations through Twilio when configured; otherwise a notifier that only logs."""
    if "notifier" not in services.extras:
        from channels.sms_outbound import LoggingNotifier, TwilioNotifier
        client = twilio_client(services)
        services.extras["notifier"] = (
            TwilioNotifier(client, consent_store(services), sms_log(services), services.settings.public_base_url)
            if client is not None else LoggingNotifier())
    return services.extras["notifier"]
