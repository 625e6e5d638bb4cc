"""Staff accounts and a signed-in staff client for the staff page tests."""
from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from storage.handoffs import HandoffStore
from storage.staff import StaffAccounts
from voice_agent.staff_auth import hash_password

PASSWORD = "correct horse battery staple"


async def add_staff(pool, clinic_id: str) -> str:
    email = f"desk-{uuid.uuid4().hex[:8]}@clinic.test"
    await StaffAccounts(pool).add(clinic_id, email, hash_password(PASSWORD))
    return email


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    form = await client.get("/staff")
    return await client.post("/staff/login", data={"email": email, "password": password,
                                                   "csrf": csrf_of(form.text)})


async def new_handoff(pool, clinic_id: str, **kw: Any):
    args = dict(channel="sms", reason="the patient asked for a person", summary="A texter asked for the front desk.",
                transcript=[{"role": "patient", "text": "a person please"}], conversation_id=str(uuid.uuid4()),
                callback_number="+13125550123")
    args.update(kw)
    return await HandoffStore(pool).create(clinic_id, **args)


@pytest.fixture
async def staff_client(app):
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 4000)),
                              base_url="https://receptionist.test")
        clients.append(c)
        return c
    yield make
    for c in clients:
        await c.aclose()
