"""A server process killed (SIGKILL) in the middle of the turn that books: the booking is in the
calendar, the session was not saved yet. The patient's retry, to a new process, must be answered
"booked" with the same appointment: nothing lost, nothing doubled (appointments, patients, audit)."""
from __future__ import annotations

import asyncio
import os
import signal

import httpx
import pytest

from tests.faults.claude_standin import ClaudeStandIn
from tests.foundation.served import Served


@pytest.fixture
def claude():
    stand_in = ClaudeStandIn()
    yield stand_in
    stand_in.close()


class Patient:
    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.base, self.headers, self.session_id = base, headers, None

    async def say(self, text: str) -> dict:
        body = {"message": text, **({"session_id": self.session_id} if self.session_id else {})}
        async with httpx.AsyncClient(base_url=self.base, timeout=20) as client:
            r = await client.post("/api/v1/chat", json=body, headers=self.headers)
        assert r.status_code == 200, r.text
        self.session_id = r.json()["session_id"]
        return r.json()


async def _rows(pool, sql: str, clinic_id: str) -> list[dict]:
    async with pool.connection() as conn:
        return await (await conn.execute(sql, (clinic_id,))).fetchall()


async def test_a_worker_killed_after_booking_and_before_saving_books_once(test_env, database, make_clinic, pool,
                                                                           claude):
    env = {**test_env, "ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": claude.url}
    clinic = await make_clinic()
    first = Served(env)
    try:
        patient = Patient(first.base, clinic.headers)
        for line in ("I'd like to book with Dr. Marcus Lee", "next Tuesday", "in the afternoon", "1",
                     "Maria Garcia", "03/04/1985", "312-555-0123", "palpitations"):
            reply = await patient.say(line)
        assert reply["state"] == "confirm_booking", reply

        claude.armed.set()                                 # hold the wording of the next reply
        answer = asyncio.ensure_future(patient.say("yes"))
        assert await asyncio.to_thread(claude.holding.wait, 15), "the server never asked for the wording"
        os.killpg(first.proc.pid, signal.SIGKILL)          # the worker dies mid-turn
        with pytest.raises(httpx.HTTPError):
            await answer
    finally:
        claude.release.set()
        first.stop()

    booked = await _rows(pool, "SELECT id::text AS id FROM appointments WHERE clinic_id = %s "
                               "AND booked_via <> 'import'", clinic.id)
    assert len(booked) == 1, "the kill was meant to land after the booking was written"

    second = Served(env)                                   # a new process; the patient says it again
    patient.base = second.base
    try:
        reply = await patient.say("yes")
        assert reply["state"] == "booked" and reply["booking_id"] == booked[0]["id"], reply
        assert "all set" in reply["message"].lower(), reply["message"]
        reply = await patient.say("thanks")                # and the conversation goes on
        assert reply["state"] != "confirm_booking", reply
    finally:
        second.stop()

    assert len(await _rows(pool, "SELECT id FROM appointments WHERE clinic_id = %s "
                                 "AND booked_via <> 'import'", clinic.id)) == 1
    patients = await _rows(pool, "SELECT id FROM patients WHERE clinic_id = %s AND last_name = 'Garcia'", clinic.id)
    assert len(patients) == 1, f"{len(patients)} patient records for one patient"
    audit = await _rows(pool, "SELECT resource_id FROM audit_logs WHERE clinic_id = %s "
                              "AND action = 'APPOINTMENT_BOOKED'", clinic.id)
    assert len(audit) == 1, audit
