"""DrChrono's fault cases against the stand-in: expired tokens, refresh-token rotation, revoked
grants, missing scopes, 429 storms, pagination, and the recorded payload shapes."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ehr.drchrono import mapping as M
from ehr.errors import AuthFailed, ScopeMissing, Unavailable
from ehr.http_retry import RetryPolicy, retrying_client
from ehr.resilient import ResiliencePolicy
from ehr.types import ClinicRef, SlotCriteria
from tests.ehr_contract.backend_drchrono import TEST_RETRY, MemorySink, adapter_for, seed
from tests.ehr_contract.harness import CLINIC_TZ, ZONE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ehr" / "drchrono"
CLINIC = ClinicRef("drchrono-unit", CLINIC_TZ, "Contract Clinic")
WED = date(2026, 12, 2)


async def _adapter(standin, world, sink, http, **kw):
    return await adapter_for(standin, world, CLINIC, sink, http, **kw)


def token_calls(standin) -> int:
    return sum(1 for m, p, s in standin.log if p == "/o/token/" and s == 200)


async def test_an_expired_access_token_is_refreshed_and_the_rotated_refresh_token_stored(standin):
    world, sink = seed(standin), MemorySink()
    first_refresh = world["credentials"]["refresh_token"]
    async with retrying_client(policy=TEST_RETRY) as http:
        ehr = await _adapter(standin, world, sink, http)
        await ehr.list_providers(CLINIC)
        assert token_calls(standin) == 1
        stored = sink.saved[CLINIC.id]
        assert stored["refresh_token"] != first_refresh and stored["access_token"]
        assert first_refresh not in standin.refresh_tokens            # rotation: the old one is dead
        standin.advance(172800 + 10)                                  # two days later the access token expired
        slots = await ehr.find_slots(SlotCriteria(clinic=CLINIC, date_from=WED, date_to=WED))
        assert slots and token_calls(standin) == 2
        assert sink.saved[CLINIC.id]["refresh_token"] != stored["refresh_token"]
        assert sink.saved[CLINIC.id]["refresh_token"] in standin.refresh_tokens


async def test_a_401_mid_life_refreshes_once_and_retries(standin):
    world, sink = seed(standin), MemorySink()
    async with retrying_client(policy=TEST_RETRY) as http:
        ehr = await _adapter(standin, world, sink, http)
        await ehr.list_providers(CLINIC)
        standin.access_tokens.clear()                                 # revoked server-side
        found = await ehr.find_patients(CLINIC, "Garcia", date(1985, 3, 14))
        assert [p.first_name for p in found] == ["Maria"]
        assert token_calls(standin) == 2


async def test_a_refresh_token_rotated_by_another_process_is_picked_up(standin):
    world, sink = seed(standin), MemorySink()
    async with retrying_client(policy=TEST_RETRY) as http:
        one = await _adapter(standin, world, sink, http)
        two = await _adapter(standin, world, sink, http)            # a second worker, same stored credentials
        await one.list_providers(CLINIC)                              # rotates: two's refresh token is now dead
        assert [p.last_name for p in await two.list_providers(CLINIC)] == ["Okafor", "Rivera"]


async def test_a_revoked_grant_is_auth_failed_and_never_a_booking(standin):
    world, sink = seed(standin), MemorySink()
    standin.refresh_tokens.clear()                                    # the practice disconnected the app
    async with retrying_client(policy=TEST_RETRY) as http:
        ehr = await _adapter(standin, world, sink, http)
        with pytest.raises(AuthFailed):
            await ehr.list_providers(CLINIC)
    assert all(p != "/api/appointments" for _, p, _ in standin.log)


async def test_a_missing_scope_is_scope_missing(standin):
    world, sink = seed(standin), MemorySink()
    client = world["credentials"]["client_id"]
    world["credentials"]["refresh_token"] = standin.grant(client, "contract", scope="user:read patients:read")
    async with retrying_client(policy=TEST_RETRY) as http:
        ehr = await _adapter(standin, world, sink, http)
        assert await ehr.list_providers(CLINIC)
        with pytest.raises(ScopeMissing):
            await ehr.find_slots(SlotCriteria(clinic=CLINIC, date_from=WED, date_to=WED))


async def test_a_429_with_retry_after_is_waited_out(standin):
    world, sink = seed(standin), MemorySink()
    async with retrying_client(policy=TEST_RETRY) as http:
        ehr = await _adapter(standin, world, sink, http)
        await ehr.list_providers(CLINIC)
        standin.throttle(2, retry_after="0")
        assert await ehr.find_slots(SlotCriteria(clinic=CLINIC, date_from=WED, date_to=WED))
    assert sum(1 for _, _, s in standin.log if s == 429) == 2


async def test_a_429_storm_is_unavailable_then_the_breaker_opens(standin):
    world, sink = seed(standin), MemorySink()
    policy = RetryPolicy(attempts=2, base_delay=0.01, max_retry_after=1.0, attempt_timeout=0.6, budget=1.5)
    async with retrying_client(policy=policy) as http:
        ehr = await _adapter(standin, world, sink, http, policy=ResiliencePolicy(call_timeout=2.0, cache_ttl=0))
        await ehr.list_providers(CLINIC)
        standin.throttle(10_000, retry_after="3600")                  # "come back at the top of the hour"
        for _ in range(5):
            with pytest.raises(Unavailable):
                await ehr.find_slots(SlotCriteria(clinic=CLINIC, date_from=WED, date_to=WED))
        asked = len(standin.log)
        with pytest.raises(Unavailable):
            await ehr.find_slots(SlotCriteria(clinic=CLINIC, date_from=WED, date_to=WED))
        assert len(standin.log) == asked                              # open: DrChrono is not even asked


async def test_listings_cross_pages(standin):
    world, sink = seed(standin), MemorySink()
    rivera = int(world["rivera"])
    maria = world["maria"]["id"]
    for hour in (9, 11, 13, 15, 16):                                  # five visits: three pages of two
        standin.add_appointment("contract", doctor=rivera, patient=maria, scheduled_time=f"2026-12-02T{hour:02}:00:00",
                                duration=30)
    async with retrying_client(policy=TEST_RETRY) as http:
        ehr = await _adapter(standin, world, sink, http)
        day = await ehr.list_appointments(CLINIC, datetime(2026, 12, 2, tzinfo=ZONE),
                                          datetime(2026, 12, 3, tzinfo=ZONE))
    assert [a.start.hour for a in day] == [9, 11, 13, 15, 16]
    assert sum(1 for m, p, s in standin.log if p == "/api/appointments") >= 3


def test_the_recorded_payloads_map():
    appt = json.loads((FIXTURES / "appointment.json").read_text())
    mapped = M.appointment(appt, "c", {"101": "Dr. Ana Rivera"}, ZONE)
    assert (mapped.id, mapped.provider_id, mapped.patient_id, mapped.status) == ("9001", "101", "301", "SCHEDULED")
    assert mapped.start == datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
    assert mapped.end - mapped.start == timedelta(minutes=30)
    patient = M.patient(json.loads((FIXTURES / "patient.json").read_text()), "c")
    assert (patient.last_name, patient.date_of_birth, patient.phone) == ("Garcia", date(1985, 3, 14), "+15555550101")
    doctor = M.provider(json.loads((FIXTURES / "doctor.json").read_text()), "c",
                        M.DrChronoOptions.parse({"durations": {"101": 20}}))
    assert (doctor.display_name, doctor.default_appointment_duration) == ("Dr. Ana Rivera", 20)
    assert M.appointment({**appt, "status": "Cancelled"}, "c", {}, ZONE).status == "CANCELLED"
