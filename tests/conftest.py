"""Shared fixtures: a fresh PostgreSQL database and a Redis db for the run, the app, and clinics.

Tests talk to real PostgreSQL and Redis (never mocks). The database named by TEST_DATABASE_URL is
dropped and re-created, then migrated, once per run.
"""
from __future__ import annotations

import asyncio
import copy
import json
import os
import uuid
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import urlparse

import httpx
import psycopg
import pytest
import pytest_asyncio

from storage.clinic_import import import_clinic
from storage.db import open_pool, to_conninfo
from storage.migrate import migrate
from storage.redis_client import open_redis
from voice_agent.web.apikeys import generate_api_key, hash_api_key
from voice_agent.app import create_app
from voice_agent.clinic_file import validate_clinic_file
from voice_agent.services import Services
from voice_agent.web.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
# Two workers share two cores: each encoder runs one thread instead of two fighting for both.
os.environ.setdefault("SAFETY_ENCODER_THREADS", "1")
# One database per test run (several runs may share a machine); stale ones from dead runs are dropped.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL",
                                   f"postgresql://postgres@127.0.0.1:5432/voice_agent_test_{os.getpid()}")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ADMIN_TOKEN = "test-admin-token-0123456789"
# The `client` fixture's address, one per run: failed API keys are counted per address in the shared
# Redis for 15 minutes, and runs that follow one another must not inherit each other's count.
CLIENT_ADDRESS = f"127.{(os.getpid() >> 16) & 255}.{(os.getpid() >> 8) & 255}.{os.getpid() & 255}"


def _admin(url: str) -> str:
    return to_conninfo(url).rsplit("/", 1)[0] + "/postgres"


def _recreate_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        for (stale,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'voice_agent_test_%'"):
            pid = stale.rsplit("_", 1)[-1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                conn.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def test_env() -> dict[str, str]:
    return {"APP_ENV": "test", "DATABASE_URL": TEST_DATABASE_URL, "REDIS_URL": TEST_REDIS_URL,
            "ADMIN_TOKEN": ADMIN_TOKEN, "SECRET_KEY": "test-secret-key-for-the-suite-0123456789",
            "PUBLIC_BASE_URL": "https://receptionist.test", "LOG_LEVEL": "INFO", "TWILIO_AUTH_TOKEN": "test-twilio-auth-token"}


@pytest.fixture(scope="session")
def settings(test_env):
    return load_settings(test_env, env_file=None)


@pytest_asyncio.fixture(scope="session")
async def database(settings) -> str:
    _recreate_database(TEST_DATABASE_URL)
    await migrate(to_conninfo(TEST_DATABASE_URL))
    yield TEST_DATABASE_URL
    if "TEST_DATABASE_URL" not in os.environ:
        _drop_database(TEST_DATABASE_URL)


@pytest_asyncio.fixture(scope="session")
async def pool(database):
    pool = await open_pool(database, min_size=2, max_size=40, timeout=30.0)  # slack for 200-way races
    yield pool
    await pool.close()


@pytest_asyncio.fixture(scope="session")
async def redis(settings):
    client = open_redis(settings.redis_url)  # keys are per clinic/session uuid: runs never collide
    yield client
    await client.aclose()


@pytest_asyncio.fixture(scope="session")
async def services(settings, pool, redis) -> Services:
    return Services.build(settings, pool, redis)


@pytest_asyncio.fixture(scope="session")
async def app(settings, services):
    return create_app(settings, services)


@pytest_asyncio.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(CLIENT_ADDRESS, 123))
    async with httpx.AsyncClient(transport=transport, base_url="https://receptionist.test") as c:
        yield c


def demo_clinic_data(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(json.loads((ROOT / "fixtures" / "demo_clinic.json").read_text()))
    suffix = uuid.uuid4().hex[:8]
    data["slug"] = f"{data['slug']}-{suffix}"
    data["phone"] = None
    data.update(overrides)
    if data.get("phone") is None:
        data.pop("phone")
    return data


class TestClinic:
    """A clinic created for one test: its id, API key and auth headers."""

    def __init__(self, clinic_id: str, api_key: str, data: dict[str, Any]) -> None:
        self.id, self.api_key, self.data = clinic_id, api_key, data

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key, "X-Tenant-ID": self.id}


@pytest.fixture
def make_clinic(pool, services):
    async def make(**overrides: Any) -> TestClinic:
        data = demo_clinic_data(**overrides)
        clinic, problems = validate_clinic_file(data)
        assert not problems, problems
        key = generate_api_key("test")
        clinic_id = await import_clinic(pool, clinic, hash_api_key(key), services.anchors)  # anchored, as the CLI does
        return TestClinic(clinic_id, key, data)
    return make
