"""Fixtures of the fault suite: servers the test owns, and the product's own app over them.

`redis_server` is a redis-server of this test alone; `pg_cluster` a PostgreSQL cluster of this
module, migrated with the project's migrations. `stack(now, redis=..., pool=...)` builds the app on a
fixed clock over whichever of them the test breaks (the suite's shared ones otherwise), with a
clinic imported into that database; the chat API, web chat and SMS drivers of the other suites
then talk to it.
"""
from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, AsyncIterator

import pytest
import pytest_asyncio

from ehr.builtin.calendar import BuiltinCalendar
from storage.clinic_import import import_clinic
from storage.db import open_pool, to_conninfo
from storage.migrate import migrate
from storage.redis_client import open_redis
from tests.channels.conftest import ACCOUNT_SID, RecordingTwilioHttp, SmsDriver, WebDriver
from tests.conftest import TestClinic, demo_clinic_data
from tests.dialogue.conftest import ChatDriver
from tests.faults.servers import PostgresCluster, RedisServer
from voice_agent.web.apikeys import generate_api_key, hash_api_key
from voice_agent.app import create_app
from voice_agent.clinic_file import validate_clinic_file
from voice_agent.services import Services


@pytest.fixture
def redis_server(tmp_path) -> RedisServer:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.close()


@pytest_asyncio.fixture
async def own_redis(redis_server):
    """The product's Redis client (its timeouts and retries) on the test's own server."""
    client = open_redis(redis_server.url)
    yield client
    await client.aclose()


@pytest_asyncio.fixture(scope="module")
async def pg_cluster() -> AsyncIterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.init()
    await migrate(to_conninfo(cluster.url))
    yield cluster
    cluster.close()


@pytest_asyncio.fixture
async def own_pool(pg_cluster):
    """A pool as the app opens it (same size and wait) on the module's own cluster."""
    pool = await open_pool(pg_cluster.url, min_size=2, max_size=10)
    yield pool
    await pool.close()


@dataclass
class Stack:
    """One app over a given pool and Redis, a clinic in that database, and the channel drivers."""
    app: Any
    services: Services
    clinic: TestClinic
    pool: Any
    settings: Any
    twilio: RecordingTwilioHttp

    def chat(self) -> ChatDriver:
        return ChatDriver(self.app, self.clinic, self.pool)

    def web(self) -> WebDriver:
        return WebDriver(self.app, self.clinic, self.pool)

    def sms(self) -> SmsDriver:
        return SmsDriver(self.app, self.clinic, self.pool, self.settings, self.twilio, self.services)

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(sql, (self.clinic.id, *args))
            return await cur.fetchall()

    async def bookings(self) -> list[dict[str, Any]]:
        return await self.rows("SELECT id::text AS id, status::text AS status FROM appointments "
                               "WHERE clinic_id = %s AND booked_via <> 'import' ORDER BY created_at")

    async def audit(self, action: str) -> list[dict[str, Any]]:
        return await self.rows("SELECT resource_id FROM audit_logs WHERE clinic_id = %s AND action = %s", action)


@pytest_asyncio.fixture
async def stack(settings, pool, redis):
    async def make(now: datetime, *, redis_client=None, db_pool=None) -> Stack:
        db = db_pool or pool
        data = demo_clinic_data(phone=f"+1872555{uuid.uuid4().int % 10**4:04d}")   # a range no other suite uses
        clinic, problems = validate_clinic_file(data)
        assert not problems, problems
        key = generate_api_key("test")
        clinic_id = await import_clinic(db, clinic, hash_api_key(key))
        configured = dataclasses.replace(settings, twilio_account_sid=ACCOUNT_SID)
        twilio = RecordingTwilioHttp()
        services = Services.build(configured, db, redis_client or redis, ehr=BuiltinCalendar(db, now=lambda: now),
                                  twilio_http=twilio)
        engine = services.engine
        engine.now = lambda: now
        return Stack(create_app(configured, services), services, TestClinic(clinic_id, key, data), db,
                     configured, twilio)
    return make
