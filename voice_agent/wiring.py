"""Choose one implementation per seam at start-up (DESIGN.md: "one implementation chosen at start-up")."""
from __future__ import annotations

from dialogue.engine import Engine
from dialogue.nlu.embedded import EmbeddedUnderstanding
from ehr.builtin.calendar import BuiltinCalendar
from safety.pipeline import get_pipeline
from storage.audit_sink import AuditRepository
from storage.crypto import FieldCipher
from storage.sessions import SessionRepository
from voice_agent.directory import ClinicDirectoryRepository
from voice_agent.services import Services
from voice_agent.session_store import EncryptedSessionStore


def calendar(services: Services) -> BuiltinCalendar:
    if "ehr" not in services.extras:
        services.extras["ehr"] = BuiltinCalendar(services.pool)
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
            understanding=understanding(services),
            audit=AuditRepository(services.pool),
            safety=get_pipeline(),
            phrasing=phrasing(services),
            session_ttl=settings.redis_session_ttl,
        )
    return services.extras["engine"]
