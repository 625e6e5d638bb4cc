"""The staff scheduling REST API from the outside: shapes, errors, races, tenant isolation."""
from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import date, datetime, timedelta

import pytest


async def providers_by_last(client, clinic) -> dict[str, dict]:
    r = await client.get("/api/v1/providers", headers=clinic.headers)
    assert r.status_code == 200
    return {p["last_name"]: p for p in r.json()["providers"]}


async def first_slot(client, clinic, provider_id: str, **params) -> dict:
    r = await client.get("/api/v1/slots", headers=clinic.headers,
                         params={"provider_id": provider_id, "limit": 5, **params})
    assert r.status_code == 200, r.text
    return r.json()["slots"][0]


def booking(provider_id: str, start: str, **patient) -> dict:
    return {"provider_id": provider_id, "start": start, "reason": "checkup",
            "patient": {"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1985-03-04", **patient}}


async def audit_rows(pool, clinic_id: str) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM audit_logs WHERE clinic_id = %s", (clinic_id,))
        return (await cur.fetchone())["n"]


async def test_providers_and_slots(client, make_clinic):
    clinic = await make_clinic()
    providers = await providers_by_last(client, clinic)
    assert set(providers) == {"Raman", "Lee", "Oyelaran", "Nwosu", "Chen"}
    assert providers["Lee"]["name"] == "Dr. Marcus Lee" and providers["Lee"]["default_appointment_duration"] == 30

    r = await client.get("/api/v1/slots", headers=clinic.headers)
    assert r.status_code == 200
    slots = r.json()["slots"]
    assert slots and set(slots[0]) == {"provider_id", "provider_name", "start", "end"}
    starts = [datetime.fromisoformat(s["start"]) for s in slots]
    assert starts == sorted(starts) and all(s.utcoffset() in (timedelta(hours=-6), timedelta(hours=-5)) for s in starts)

    lee = providers["Lee"]["id"]
    r = await client.get("/api/v1/slots", headers=clinic.headers,
                         params={"provider_id": lee, "part_of_day": "afternoon", "limit": 50})
    got = r.json()["slots"]
    assert got and {s["provider_id"] for s in got} == {lee}
    assert all(12 <= datetime.fromisoformat(s["start"]).hour < 17 for s in got)
    assert all(datetime.fromisoformat(s["start"]).weekday() in (0, 2, 4) for s in got)   # Mon, Wed, Fri

    r = await client.get("/api/v1/slots", headers=clinic.headers, params={"specialty": "dermatology", "limit": 500})
    assert {s["provider_id"] for s in r.json()["slots"]} == {providers["Oyelaran"]["id"]}

    today = date.today()
    r = await client.get("/api/v1/slots", headers=clinic.headers,
                         params={"from": (today + timedelta(days=7)).isoformat(),
                                 "to": (today + timedelta(days=8)).isoformat(), "limit": 500})
    days = {datetime.fromisoformat(s["start"]).date() for s in r.json()["slots"]}
    assert days and days <= {today + timedelta(days=7), today + timedelta(days=8)}

    r = await client.get("/api/v1/slots", headers=clinic.headers, params={"limit": 6, "spread": "true"})
    per_day = Counter(datetime.fromisoformat(s["start"]).date() for s in r.json()["slots"])
    # at most 2 a day, so 6 options cover at least 3 days (more when a day has a single opening left)
    assert len(r.json()["slots"]) == 6 and max(per_day.values()) <= 2 and len(per_day) >= 3, per_day


@pytest.mark.parametrize("params, status", [
    ({"part_of_day": "night"}, 400),
    ({"from": "tomorrow"}, 400),
    ({"from": "2027-02-30"}, 400),
    # Well-formed but refused by the calendar's rules: 422 (the description allows the values).
    ({"from": "2027-03-10", "to": "2027-03-01"}, 422),
    ({"from": "2027-03-10", "to": "2027-12-31"}, 422),
    ({"limit": "lots"}, 400),
    ({"limit": "0"}, 400),
    ({"weekdays": "mon,funday"}, 400),
    ({"weekdays": "Monday"}, 400),          # the description's form only: mon,tue,...
    ({"provider_id": "not-a-uuid"}, 400),   # not a UUID: a bad request, not an unknown provider
    ({"provider_id": ""}, 400),             # used to mean "no filter"
    ({"from": "0001-01-01T00:00:00Z"}, 422),
    ({"to": "9999-12-31T23:59:59-06:00"}, 422),
    ({"part_of_day": ""}, 400),             # empty is none of the described values
    ({"limit": ""}, 400),
    ({"spread": ""}, 400),
    ({"provider_id": str(uuid.uuid4())}, 404),
])
async def test_slot_query_errors(client, make_clinic, params, status):
    clinic = await make_clinic()
    r = await client.get("/api/v1/slots", headers=clinic.headers, params=params)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] and r.json()["error"]["request_id"]


async def test_datetime_bounds_with_offsets(client, make_clinic):
    clinic = await make_clinic()
    lee = (await providers_by_last(client, clinic))["Lee"]["id"]
    slot = await first_slot(client, clinic, lee)
    start = datetime.fromisoformat(slot["start"])
    # An unencoded "+" arrives as a space; a UTC "Z" works too.
    r = await client.get(f"/api/v1/slots?provider_id={lee}&from={start.isoformat()}&to="
                         f"{(start + timedelta(hours=1)).isoformat()}", headers=clinic.headers)
    assert r.status_code == 200, r.text
    assert [s["start"] for s in r.json()["slots"]] == [slot["start"], (start + timedelta(minutes=30)).isoformat()]


async def test_book_cancel_reschedule_flow(client, make_clinic, pool):
    clinic = await make_clinic()
    providers = await providers_by_last(client, clinic)
    lee = providers["Lee"]["id"]
    slot = await first_slot(client, clinic, lee)

    r = await client.post("/api/v1/appointments", headers={**clinic.headers, "Idempotency-Key": "abc-1"},
                          json=booking(lee, slot["start"], phone="(312) 555-0123"))
    assert r.status_code == 201, r.text
    appt = r.json()
    assert appt["start"] == slot["start"] and appt["status"] == "scheduled" and appt["provider_id"] == lee
    assert appt["is_new_patient_visit"] is True and appt["booked_via"] == "api"
    # Maria Garcia (1985-03-04) is the demo clinic's patient: matched, not created.
    async with pool.connection() as conn:
        cur = await conn.execute("""SELECT count(*) AS n FROM patients WHERE clinic_id = %s
                                    AND fold_name(last_name) = 'garcia'""", (clinic.id,))
        assert (await cur.fetchone())["n"] == 1

    again = await client.post("/api/v1/appointments", headers={**clinic.headers, "Idempotency-Key": "abc-1"},
                              json=booking(lee, slot["start"]))
    assert again.status_code == 201 and again.json()["id"] == appt["id"]
    clash = await client.post("/api/v1/appointments", headers={**clinic.headers, "Idempotency-Key": "abc-1"},
                              json=booking(providers["Chen"]["id"], slot["start"]))
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "idempotency_conflict"

    taken = await client.post("/api/v1/appointments", headers=clinic.headers,
                              json=booking(lee, slot["start"], first_name="Someone", last_name="Else"))
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slot_taken"
    next_slots = taken.json()["error"]["next_slots"]
    assert next_slots and all(datetime.fromisoformat(s["start"]) > datetime.fromisoformat(slot["start"])
                              for s in next_slots)
    assert slot["start"] not in [s["start"] for s in next_slots]

    r = await client.get(f"/api/v1/appointments/{appt['id']}", headers=clinic.headers)
    assert r.status_code == 200 and r.json()["id"] == appt["id"]
    r = await client.get("/api/v1/appointments", headers=clinic.headers, params={"provider_id": lee})
    assert [a["id"] for a in r.json()["appointments"]] == [appt["id"]]

    moved = await client.post(f"/api/v1/appointments/{appt['id']}/reschedule", headers=clinic.headers,
                              json={"start": next_slots[0]["start"]})
    assert moved.status_code == 201, moved.text
    new = moved.json()
    assert new["rescheduled_from_id"] == appt["id"] and new["start"] == next_slots[0]["start"]
    old = (await client.get(f"/api/v1/appointments/{appt['id']}", headers=clinic.headers)).json()
    assert old["status"] == "cancelled" and old["cancellation_reason"] == "rescheduled" and old["cancelled_by"] == "staff"

    r = await client.post(f"/api/v1/appointments/{new['id']}/cancel", headers=clinic.headers, json={"reason": "x"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["cancelled_at"]
    r = await client.post(f"/api/v1/appointments/{new['id']}/cancel", headers=clinic.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_allowed"
    r = await client.get("/api/v1/appointments", headers=clinic.headers)
    assert {a["status"] for a in r.json()["appointments"]} == {"cancelled"}


async def test_booking_errors(client, make_clinic, pool):
    clinic = await make_clinic()
    providers = await providers_by_last(client, clinic)
    lee, derm = providers["Lee"]["id"], providers["Oyelaran"]["id"]
    slot = await first_slot(client, clinic, lee)
    post = lambda body, **kw: client.post("/api/v1/appointments", headers=clinic.headers, **kw, json=body)  # noqa: E731

    naive = slot["start"][:19]
    cases = [
        ([1, 2], 400), ("text", 400), ({}, 400),
        (booking(lee, naive), 400),
        (booking(lee, "next tuesday"), 400),
        ({**booking(lee, slot["start"]), "patient": "Maria"}, 400),
        (booking(lee, slot["start"], date_of_birth="1985-02-30"), 400),
        (booking(lee, slot["start"], date_of_birth="2999-01-01"), 422),   # a date, but not a birth date
        (booking(lee, slot["start"], phone="call me"), 422),              # a string, but not a number
        (booking(lee, slot["start"], last_name=""), 400),
        (booking("not-a-uuid", slot["start"]), 400),
        (booking(str(uuid.uuid4()), slot["start"]), 404),
        (booking(lee, "2020-01-06T09:00:00-06:00"), 422),                      # past
        (booking(lee, "0001-01-01T00:00:00Z"), 422),                           # out of the calendar's years
    ]
    before = await audit_rows(pool, clinic.id)
    for body, status in cases:
        r = await post(body)
        assert r.status_code == status, (body, r.text)
        assert "error" in r.json()
    r = await client.post("/api/v1/appointments", headers=clinic.headers, content=b"{not json")
    assert r.status_code == 400
    r = await client.post("/api/v1/appointments", headers={**clinic.headers, "Idempotency-Key": "x" * 300},
                          json=booking(lee, slot["start"]))
    assert r.status_code == 400
    assert await audit_rows(pool, clinic.id) == before

    # A new patient for a provider not accepting new ones → 422.
    dslot = await first_slot(client, clinic, derm)
    r = await post(booking(derm, dslot["start"], first_name="New", last_name="Person"))
    assert r.status_code == 422 and "new patients" in r.json()["error"]["message"]
    # Outside the provider's hours (Lee does not work Tuesdays or at 7 am) → 422.
    start = datetime.fromisoformat(slot["start"])
    r = await post(booking(lee, start.replace(hour=7).isoformat()))
    assert r.status_code == 422


async def test_200_concurrent_rest_bookings(client, make_clinic, pool):
    clinic = await make_clinic(tier="unlimited")
    lee = (await providers_by_last(client, clinic))["Lee"]["id"]
    slot = await first_slot(client, clinic, lee)
    responses = await asyncio.gather(*[
        client.post("/api/v1/appointments", headers=clinic.headers,
                    json=booking(lee, slot["start"], first_name=f"Caller{i}", last_name="Racer"))
        for i in range(200)])
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 409: 199}, codes
    assert all(r.json()["error"]["code"] == "slot_taken" for r in responses if r.status_code == 409)
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM appointments WHERE clinic_id = %s", (clinic.id,))
        assert (await cur.fetchone())["n"] == 1


async def test_tenant_isolation_every_route(client, make_clinic, pool):
    mine, theirs = await make_clinic(), await make_clinic()
    their_providers = await providers_by_last(client, theirs)
    their_lee = their_providers["Lee"]["id"]
    slot = await first_slot(client, theirs, their_lee)
    r = await client.post("/api/v1/appointments", headers=theirs.headers, json=booking(their_lee, slot["start"]))
    assert r.status_code == 201
    their_appt = r.json()
    my_lee = (await providers_by_last(client, mine))["Lee"]["id"]
    my_slot = await first_slot(client, mine, my_lee)
    r = await client.post("/api/v1/appointments", headers=mine.headers, json=booking(my_lee, my_slot["start"]))
    my_appt = r.json()

    async def snapshot():
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT * FROM appointments WHERE clinic_id = %s ORDER BY id", (theirs.id,))
            rows = await cur.fetchall()
            cur = await conn.execute("SELECT count(*) AS n FROM patients WHERE clinic_id = %s", (theirs.id,))
            return rows, (await cur.fetchone())["n"], await audit_rows(pool, theirs.id)

    before = await snapshot()
    h = mine.headers
    probes = [
        client.get("/api/v1/slots", headers=h, params={"provider_id": their_lee}),
        client.get("/api/v1/appointments", headers=h, params={"provider_id": their_lee}),
        client.get(f"/api/v1/appointments/{their_appt['id']}", headers=h),
        client.post("/api/v1/appointments", headers=h, json=booking(their_lee, slot["start"])),
        client.post(f"/api/v1/appointments/{their_appt['id']}/cancel", headers=h, json={}),
        client.post(f"/api/v1/appointments/{their_appt['id']}/reschedule", headers=h,
                    json={"start": slot["start"]}),
        client.post(f"/api/v1/appointments/{my_appt['id']}/reschedule", headers=h,
                    json={"start": slot["start"], "provider_id": their_lee}),
        client.get("/api/v1/appointments/not-a-uuid", headers=h),
        client.post("/api/v1/appointments/not-a-uuid/cancel", headers=h),
        client.post("/api/v1/appointments/not-a-uuid/reschedule", headers=h, json={"start": slot["start"]}),
    ]
    for r in await asyncio.gather(*probes):
        assert r.status_code == 404, (r.request.url, r.text)
        assert r.json()["error"]["code"] == "not_found"
    r = await client.get("/api/v1/providers", headers=h)
    assert their_lee not in r.text
    r = await client.get("/api/v1/appointments", headers=h)
    assert their_appt["id"] not in r.text
    assert await snapshot() == before


async def test_openapi_documents_every_route(client):
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path, method in [("/api/v1/providers", "get"), ("/api/v1/slots", "get"), ("/api/v1/appointments", "get"),
                         ("/api/v1/appointments", "post"), ("/api/v1/appointments/{appointment_id}", "get"),
                         ("/api/v1/appointments/{appointment_id}/cancel", "post"),
                         ("/api/v1/appointments/{appointment_id}/reschedule", "post")]:
        assert method in paths[path], path
    for name in ("TimeSlot", "Appointment", "Provider", "BookingRequest"):
        assert name in spec["components"]["schemas"]
    assert "409" in paths["/api/v1/appointments"]["post"]["responses"]


async def test_calendar_down_is_503(make_clinic, settings, pool, redis):
    import httpx
    from psycopg_pool import AsyncConnectionPool
    from ehr.builtin import BuiltinCalendar
    from voice_agent.app import create_app
    from voice_agent.services import Services
    clinic = await make_clinic()
    down = AsyncConnectionPool("postgresql://postgres@127.0.0.1:1/nowhere", min_size=1, max_size=1, timeout=0.5,
                               open=False)
    await down.open(wait=False)
    app = create_app(settings, Services.build(settings, pool, redis, ehr=BuiltinCalendar(down)))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://receptionist.test") \
                as client:
            for r in [await client.get("/api/v1/providers", headers=clinic.headers),
                      await client.get("/api/v1/slots", headers=clinic.headers)]:
                assert r.status_code == 503 and r.json()["error"]["code"] == "calendar_unavailable"
    finally:
        await down.close()
