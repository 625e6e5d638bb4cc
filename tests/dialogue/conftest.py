"""A chat driver on a fixed clock: a fresh demo clinic, the real engine, calendar and database."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from ehr.builtin.calendar import BuiltinCalendar
from voice_agent.app import create_app
from voice_agent.services import Services


class ChatDriver:
    def __init__(self, app, clinic, pool, services: Services | None = None) -> None:
        self.app, self.clinic, self.pool, self.services = app, clinic, pool, services
        self.session_id: str | None = None
        self.last: dict[str, Any] = {}

    async def say(self, text: str, *, expect_status: int = 200) -> dict[str, Any]:
        body: dict[str, Any] = {"message": text}
        if self.session_id:
            body["session_id"] = self.session_id
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="https://t") as c:
            r = await c.post("/api/v1/chat", json=body, headers=self.clinic.headers)
        assert r.status_code == expect_status, r.text
        self.last = r.json()
        self.session_id = self.last.get("session_id", self.session_id)
        return self.last

    async def appointments(self) -> list[dict[str, Any]]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT a.id::text AS id, a.status::text AS status, a.scheduled_start, a.reason,
                          a.rescheduled_from_id::text AS rescheduled_from_id, a.booked_via,
                          a.is_new_patient_visit, p.last_name AS provider, pt.first_name, pt.last_name,
                          pt.date_of_birth, pt.phone
                   FROM appointments a JOIN providers p ON p.id = a.provider_id
                   JOIN patients pt ON pt.id = a.patient_id
                   WHERE a.clinic_id = %s ORDER BY a.created_at""", (self.clinic.id,))
            return await cur.fetchall()


@pytest.fixture
def chat(make_clinic, settings, pool, redis):
    async def make(now: datetime, **overrides: Any) -> ChatDriver:
        clinic = await make_clinic(**overrides)
        services = Services.build(settings, pool, redis, ehr=BuiltinCalendar(pool, now=lambda: now))
        engine = services.engine
        engine.now = lambda: now
        return ChatDriver(create_app(settings, services), clinic, pool, services)
    return make
