"""Settings: one clear line naming a missing or malformed setting; the CLI exits 2 without a traceback."""
from __future__ import annotations

import subprocess
import sys

import pytest

from voice_agent.web.settings import SettingsError, load_settings


def test_defaults_for_development():
    s = load_settings({}, env_file=None)
    assert s.redis_session_ttl == 1800 and s.app_env == "development"


@pytest.mark.parametrize("env,name", [
    ({"PORT": "eighty"}, "PORT"),
    ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
    ({"CLAUDE_INTENT_CONFIDENCE_THRESHOLD": "2"}, "CLAUDE_INTENT_CONFIDENCE_THRESHOLD"),
    ({"APP_ENV": "production"}, "SECRET_KEY"),
    ({"APP_ENV": "production", "SECRET_KEY": "x" * 40}, "PUBLIC_BASE_URL"),
    ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
])
def test_bad_setting_is_named(env, name):
    with pytest.raises(SettingsError) as err:
        load_settings(env, env_file=None)
    assert name in str(err.value)


def test_cli_prints_one_line_not_a_traceback():
    proc = subprocess.run([sys.executable, "-m", "voice_agent.cli", "migrate"], env={"PORT": "x", "PATH": ""},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["configuration error: PORT must be a whole number, got 'x'"]


def test_the_demo_phone_line_needs_no_twilio_account():
    """`voice-agent demo` serves with the local demo token unless TWILIO_AUTH_TOKEN is set; the
    caller simulator signs with the same default. Never in production."""
    from voice_agent.cli import demo_settings
    from voice_agent.web.settings import DEMO_TWILIO_AUTH_TOKEN
    assert demo_settings(load_settings({}, env_file=None)).twilio_auth_token == DEMO_TWILIO_AUTH_TOKEN
    own = load_settings({"TWILIO_AUTH_TOKEN": "mine"}, env_file=None)
    assert demo_settings(own).twilio_auth_token == "mine"
    prod = load_settings({"APP_ENV": "production", "SECRET_KEY": "x" * 40,
                          "PUBLIC_BASE_URL": "https://clinic.example", "DATABASE_URL": "postgresql://db/x",
                          "REDIS_URL": "redis://cache:6379/0"}, env_file=None)
    assert demo_settings(prod).twilio_auth_token is None
