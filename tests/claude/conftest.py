"""Fixtures for the Claude path: the demo roster on a fixed clock, and the chat API driven with
ClaudeUnderstanding on a mock Anthropic transport."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dialogue.claude_understanding import ClaudeUnderstanding, basic_redact
from dialogue.nlu.embedded import EmbeddedUnderstanding
from dialogue.nlu.types import NLUContext, RosterEntry
from ehr.builtin.calendar import BuiltinCalendar
from tests.claude.anthropic_mock import AnthropicMock
from tests.dialogue.conftest import ChatDriver
from voice_agent.app import create_app
from voice_agent.services import Services
from voice_agent.web.settings import load_settings

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2027, 3, 5, 9, 0, tzinfo=CHICAGO)    # Friday; "next Tuesday" = 2027-03-09
ROSTER = [
    RosterEntry("7d1c6a52-0000-4000-8000-000000000001", "Priya", "Raman", "Dr.", "Family Medicine"),
    RosterEntry("7d1c6a52-0000-4000-8000-000000000002", "Marcus", "Lee", "Dr.", "Cardiology"),
    RosterEntry("7d1c6a52-0000-4000-8000-000000000003", "Ana", "Oyelaran", "Dr.", "Dermatology"),
    RosterEntry("7d1c6a52-0000-4000-8000-000000000004", "Samuel", "Nwosu", "Dr.", "Pediatrics"),
    RosterEntry("7d1c6a52-0000-4000-8000-000000000005", "Emily", "Chen", "Dr.", "Orthopedics"),
]
LEE = ROSTER[1].id
PRIMARY, FALLBACK = "claude-haiku-4-5", "claude-sonnet-4-6"   # sonnet-4-5 is deprecated in anthropic 2.14


def ctx(expecting: str | None = None, shown: int = 0) -> NLUContext:
    return NLUContext("America/Chicago", NOW, ROSTER, expecting=expecting, shown_options=shown)


def claude(mock: AnthropicMock, *, timeout: float = 1.5, threshold: float = 0.7,
           fallback: str | None = FALLBACK) -> ClaudeUnderstanding:
    return ClaudeUnderstanding(mock.sdk_client(timeout), EmbeddedUnderstanding(), model=PRIMARY,
                               fallback_model=fallback, threshold=threshold, timeout=timeout, redact=basic_redact)


@pytest.fixture
def claude_chat(make_clinic, test_env, pool, redis):
    """A ChatDriver whose engine understands through ClaudeUnderstanding.from_settings on `mock`."""

    async def make(mock: AnthropicMock, now: datetime = NOW, timeout: float = 1.5, **overrides) -> ChatDriver:
        settings = load_settings({**test_env, "ANTHROPIC_API_KEY": "sk-ant-test-0000",
                                  "CLAUDE_TIMEOUT_SECONDS": str(timeout)}, env_file=None)
        clinic = await make_clinic(**overrides)
        services = Services.build(settings, pool, redis, ehr=BuiltinCalendar(pool, now=lambda: now))
        engine = services.engine
        engine.now = lambda: now
        # the seam: the wiring builds ClaudeUnderstanding from settings; here the same, on a mock transport
        engine.understanding = ClaudeUnderstanding.from_settings(settings, EmbeddedUnderstanding(),
                                                                 http_client=mock.http_client(),
                                                                 pii=engine.safety.inner.pii)
        return ChatDriver(create_app(settings, services), clinic, pool, services)
    return make
