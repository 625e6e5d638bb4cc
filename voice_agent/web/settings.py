"""Settings from the environment (and an optional `.env` file).

Names follow the seed's section 8 where it has them. A missing or malformed required setting
raises `SettingsError` with one line naming it; the CLI prints that line and exits 2.
"""
from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

from dotenv import dotenv_values

APP_ENVS = ("development", "test", "staging", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEV_SECRET = "dev-only-secret-key-change-me-0123456789abcdef"


# The Twilio token `voice-agent demo` serves with when TWILIO_AUTH_TOKEN is unset (never in
# production), so the caller simulator works against the demo with no Twilio account.
DEMO_TWILIO_AUTH_TOKEN = "demo-local-twilio-token"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    app_env: str = "development"
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = DEV_SECRET
    audit_anchor_key: str | None = None      # MACs the audit chain heads kept in Redis (else derived from SECRET_KEY)
    database_url: str = "postgresql://postgres@127.0.0.1:5432/voice_agent"
    redis_url: str = "redis://127.0.0.1:6379/0"
    anthropic_api_key: str | None = None
    claude_intent_model: str = "claude-haiku-4-5"
    claude_fallback_model: str = "claude-sonnet-4-6"
    claude_intent_confidence_threshold: float = 0.7
    claude_timeout_seconds: float = 1.5
    rate_limit_requests: int = 60
    rate_limit_window: int = 60
    webchat_clinic_rate_limit: int = 600
    redis_session_ttl: int = 1800
    session_retention_days: int = 30
    cors_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    public_base_url: str = "http://127.0.0.1:8000"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base_url: str | None = None   # http(s) base every Twilio REST call goes to instead (stand-ins, proxies)
    deepgram_api_key: str | None = None
    elevenlabs_api_key: str | None = None
    elevenlabs_voice_id: str | None = None
    embedded_tts: str = "natural"          # the voice calls use without ElevenLabs (and as its fallback)
    embedded_stt: str = "combined"         # calls' recogniser without Deepgram: grammar + Whisper, or grammar alone
    admin_token: str | None = None
    db_pool_max: int = 20
    deepgram_model: str = "nova-3"
    deepgram_url: str | None = None          # wss base override (tests point it at a fake server)
    elevenlabs_model: str = "eleven_flash_v2_5"
    elevenlabs_url: str | None = None        # https base override
    voice_barge_in_ms: int = 300             # caller speech during playback before we stop talking
    voice_silence_seconds: float = 6.0       # silence before a reprompt
    voice_decoder_processes: int = 0         # embedded recogniser worker processes (0: CPU count, at most 4)
    voice_stream_token_seconds: int = 900    # lifetime of the Media Streams token
    trusted_proxies: tuple[str, ...] = ()    # networks whose forwarded headers are believed (voice_agent/web/proxies.py)
    client_ip_header: str | None = None      # a header such a proxy overwrites with the client's address
    auth_failure_limit: int = 20             # failed API keys from one address in the window, then 429
    auth_failure_window: int = 900
    reminder_interval_seconds: int = 300     # the server's reminder job runs this often (0: never; docs/reminders.md)
    reminder_quiet_hours: tuple[str, str] = ("20:00", "08:00")   # clinic-local times no reminder is sent between
    shutdown_grace_seconds: float = 25.0     # after SIGTERM, live calls may run this long (fly.toml kill_timeout)
    ehr_credentials_keys: str | None = None  # "id:base64key,..." (first encrypts); else one key derived from SECRET_KEY
    ehr_call_timeout: float = 8.0            # seconds one EHR call may take, retries included
    ehr_availability_ttl: float = 20.0       # seconds a vendor EHR's free slots are reused (0: never)
    ehr_breaker_failures: int = 5            # consecutive failures that open a clinic's EHR circuit
    ehr_breaker_cooldown: float = 30.0       # seconds the circuit stays open before one probe
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _int(name: str, raw: str, lo: int, hi: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _float(name: str, raw: str, lo: float, hi: float) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(raw.strip())
    scheme = parsed.scheme.split("+", 1)[0]
    if scheme not in schemes or not parsed.netloc:
        raise SettingsError(f"{name} must be a {'/'.join(schemes)} URL, got {raw!r}")
    return raw.strip()


def _base_url(name: str, raw: str) -> str:
    """An http(s) origin with an optional path prefix; no query or fragment (a path is appended to it)."""
    value = _url(name, raw, ("http", "https")).rstrip("/")
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or parsed.query or parsed.fragment:
        raise SettingsError(f"{name} must be a plain http/https base URL (no query or fragment), got {raw!r}")
    return value


def _quiet_hours(name: str, raw: str) -> tuple[str, str]:
    """`HH:MM-HH:MM`, start first (it may wrap past midnight); start and end must differ."""
    match = re.fullmatch(r"\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)\s*", raw)
    if not match or match.group(1, 2) == match.group(3, 4):
        raise SettingsError(f"{name} must look like 20:00-08:00 (two different times), got {raw!r}")
    return f"{match.group(1)}:{match.group(2)}", f"{match.group(3)}:{match.group(4)}"


def _origins(name: str, raw: str) -> tuple[str, ...]:
    text = raw.strip()
    if not text:
        return ()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            raise SettingsError(f"{name} must be a JSON list or comma-separated origins") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise SettingsError(f"{name} must be a list of origin strings")
    else:
        items = [part.strip() for part in text.split(",") if part.strip()]
    return tuple(items)


def _networks(name: str, raw: str) -> tuple[str, ...]:
    out = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(f"{name} must be comma-separated IP addresses or CIDR networks, got {part!r}") from None
    return tuple(out)


def _header_name(name: str, raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", raw.strip()):
        raise SettingsError(f"{name} must be an HTTP header name, got {raw!r}")
    return raw.strip()


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Read settings; the process environment wins over `.env`."""
    values: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    get = values.get

    app_env = get("APP_ENV", "development").strip().lower()
    if app_env not in APP_ENVS:
        raise SettingsError(f"APP_ENV must be one of {', '.join(APP_ENVS)}, got {app_env!r}")
    production = app_env == "production"

    def required_in_production(name: str, default: str) -> str:
        raw = get(name)
        if raw is None or not raw.strip():
            if production:
                raise SettingsError(f"{name} is required when APP_ENV=production")
            return default
        return raw

    secret_key = required_in_production("SECRET_KEY", DEV_SECRET)
    if len(secret_key) < 32:
        raise SettingsError("SECRET_KEY must be at least 32 characters")
    if production and secret_key == DEV_SECRET:
        raise SettingsError("SECRET_KEY must not be the development default in production")

    audit_anchor_key = get("AUDIT_ANCHOR_KEY")
    audit_anchor_key = audit_anchor_key.strip() if audit_anchor_key and audit_anchor_key.strip() else None
    if audit_anchor_key is not None and len(audit_anchor_key) < 32:
        raise SettingsError("AUDIT_ANCHOR_KEY must be at least 32 characters")

    public_base_url = _url("PUBLIC_BASE_URL",
                           required_in_production("PUBLIC_BASE_URL", f"http://127.0.0.1:{get('PORT', '8000')}"),
                           ("http", "https")).rstrip("/")
    if production and not public_base_url.startswith("https://"):
        raise SettingsError("PUBLIC_BASE_URL must be an https URL in production")

    log_level = get("LOG_LEVEL", "INFO").strip().upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")

    def optional(name: str) -> str | None:
        raw = get(name)
        return raw.strip() if raw and raw.strip() else None

    return Settings(
        app_env=app_env,
        debug=_bool("DEBUG", get("DEBUG", "false")),
        host=get("HOST", "127.0.0.1").strip(),
        port=_int("PORT", get("PORT", "8000"), 1, 65535),
        secret_key=secret_key,
        audit_anchor_key=audit_anchor_key,
        database_url=_url("DATABASE_URL", required_in_production("DATABASE_URL", Settings.database_url),
                          ("postgresql", "postgres")),
        redis_url=_url("REDIS_URL", required_in_production("REDIS_URL", Settings.redis_url),
                       ("redis", "rediss", "unix")),
        anthropic_api_key=optional("ANTHROPIC_API_KEY"),
        claude_intent_model=get("CLAUDE_INTENT_MODEL", Settings.claude_intent_model).strip(),
        claude_fallback_model=get("CLAUDE_FALLBACK_MODEL", Settings.claude_fallback_model).strip(),
        claude_intent_confidence_threshold=_float(
            "CLAUDE_INTENT_CONFIDENCE_THRESHOLD", get("CLAUDE_INTENT_CONFIDENCE_THRESHOLD", "0.7"), 0.0, 1.0),
        claude_timeout_seconds=_float("CLAUDE_TIMEOUT_SECONDS", get("CLAUDE_TIMEOUT_SECONDS", "1.5"), 0.1, 30.0),
        rate_limit_requests=_int("RATE_LIMIT_REQUESTS", get("RATE_LIMIT_REQUESTS", "60"), 1, 1_000_000),
        rate_limit_window=_int("RATE_LIMIT_WINDOW", get("RATE_LIMIT_WINDOW", "60"), 1, 86_400),
        webchat_clinic_rate_limit=_int("WEBCHAT_CLINIC_RATE_LIMIT", get("WEBCHAT_CLINIC_RATE_LIMIT", "600"),
                                       1, 1_000_000),
        redis_session_ttl=_int("REDIS_SESSION_TTL", get("REDIS_SESSION_TTL", "1800"), 60, 86_400 * 7),
        session_retention_days=_int("SESSION_RETENTION_DAYS", get("SESSION_RETENTION_DAYS", "30"), 1, 36_500),
        cors_origins=_origins("CORS_ORIGINS", get("CORS_ORIGINS", "")),
        log_level=log_level,
        public_base_url=public_base_url,
        twilio_account_sid=optional("TWILIO_ACCOUNT_SID"),
        twilio_auth_token=optional("TWILIO_AUTH_TOKEN"),
        twilio_api_base_url=(_base_url("TWILIO_API_BASE_URL", get("TWILIO_API_BASE_URL"))
                             if optional("TWILIO_API_BASE_URL") else None),
        deepgram_api_key=optional("DEEPGRAM_API_KEY"),
        elevenlabs_api_key=optional("ELEVENLABS_API_KEY"),
        elevenlabs_voice_id=optional("ELEVENLABS_VOICE_ID"),
        embedded_tts=_embedded_tts(get("EMBEDDED_TTS", "natural")),
        embedded_stt=_choice("EMBEDDED_STT", get("EMBEDDED_STT", "combined"), ("combined", "grammar")),
        admin_token=optional("ADMIN_TOKEN"),
        db_pool_max=_int("DB_POOL_MAX", get("DB_POOL_MAX", "20"), 2, 500),
        deepgram_model=get("DEEPGRAM_MODEL", Settings.deepgram_model).strip(),
        deepgram_url=_url("DEEPGRAM_URL", get("DEEPGRAM_URL"), ("ws", "wss")) if optional("DEEPGRAM_URL") else None,
        elevenlabs_model=get("ELEVENLABS_MODEL", Settings.elevenlabs_model).strip(),
        elevenlabs_url=(_url("ELEVENLABS_URL", get("ELEVENLABS_URL"), ("http", "https")).rstrip("/")
                        if optional("ELEVENLABS_URL") else None),
        voice_barge_in_ms=_int("VOICE_BARGE_IN_MS", get("VOICE_BARGE_IN_MS", "300"), 60, 3000),
        voice_decoder_processes=_int("VOICE_DECODER_PROCESSES", get("VOICE_DECODER_PROCESSES", "0"), 0, 64),
        voice_silence_seconds=_float("VOICE_SILENCE_SECONDS", get("VOICE_SILENCE_SECONDS", "6"), 1.0, 60.0),
        voice_stream_token_seconds=_int("VOICE_STREAM_TOKEN_SECONDS", get("VOICE_STREAM_TOKEN_SECONDS", "900"),
                                        30, 86_400),
        trusted_proxies=_networks("TRUSTED_PROXIES", get("TRUSTED_PROXIES", "")),
        client_ip_header=_header_name("CLIENT_IP_HEADER", get("CLIENT_IP_HEADER")),
        auth_failure_limit=_int("AUTH_FAILURE_LIMIT", get("AUTH_FAILURE_LIMIT", "20"), 1, 1_000_000),
        auth_failure_window=_int("AUTH_FAILURE_WINDOW", get("AUTH_FAILURE_WINDOW", "900"), 1, 86_400),
        reminder_interval_seconds=_int("REMINDER_INTERVAL_SECONDS", get("REMINDER_INTERVAL_SECONDS", "300"),
                                       0, 86_400),
        reminder_quiet_hours=_quiet_hours("REMINDER_QUIET_HOURS", get("REMINDER_QUIET_HOURS", "20:00-08:00")),
        shutdown_grace_seconds=_float("SHUTDOWN_GRACE_SECONDS", get("SHUTDOWN_GRACE_SECONDS", "25"), 0.0, 3600.0),
        ehr_credentials_keys=optional("EHR_CREDENTIALS_KEYS"),
        ehr_call_timeout=_float("EHR_CALL_TIMEOUT", get("EHR_CALL_TIMEOUT", "8"), 0.5, 120.0),
        ehr_availability_ttl=_float("EHR_AVAILABILITY_TTL", get("EHR_AVAILABILITY_TTL", "20"), 0.0, 3600.0),
        ehr_breaker_failures=_int("EHR_BREAKER_FAILURES", get("EHR_BREAKER_FAILURES", "5"), 1, 1000),
        ehr_breaker_cooldown=_float("EHR_BREAKER_COOLDOWN", get("EHR_BREAKER_COOLDOWN", "30"), 1.0, 3600.0),
    )


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    picked = value.strip().lower()
    if picked not in allowed:
        raise SettingsError(f"{name} must be {' or '.join(allowed)}, got {value!r}")
    return picked


def _embedded_tts(value: str) -> str:
    voice = value.strip().lower()
    if voice not in ("natural", "espeak"):
        raise SettingsError(f"EMBEDDED_TTS must be natural or espeak, got {value!r}")
    return voice
