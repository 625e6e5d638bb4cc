"""A clinic on DrChrono inside the app: its credentials sealed and never shown, its webhooks verified
(forged and replayed deliveries refused), and a slot taken in DrChrono not offered afterwards."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import date, datetime

from ehr.types import SlotCriteria
from tests.ehr_contract.harness import ZONE
from tests.ehr_contract.standins.drchrono import DrChronoStandIn

WED = date(2026, 12, 2)


def secrets_of(clinic) -> list[str]:
    c = clinic.world["credentials"]
    return [c["client_secret"], c["refresh_token"], c["webhook_secret"]]


async def rivera_wed(services, clinic) -> list[datetime]:
    slots = await services.ehr.find_slots(SlotCriteria(clinic=clinic.ref, provider_ids=(clinic.world["rivera"],),
                                                       date_from=WED, date_to=WED, limit=50, spread_days=False))
    return [s.start.astimezone(ZONE) for s in slots]


async def test_the_verification_handshake(client, drchrono_clinic, make_clinic):
    secret = drchrono_clinic.world["credentials"]["webhook_secret"]
    r = await client.get(f"/webhooks/drchrono/{drchrono_clinic.id}", params={"msg": "hello-123"})
    assert r.status_code == 200
    assert r.json() == {"secret_token": hmac.new(secret.encode(), b"hello-123", hashlib.sha256).hexdigest()}
    builtin = await make_clinic()
    assert (await client.get(f"/webhooks/drchrono/{builtin.id}", params={"msg": "x"})).status_code == 404
    assert (await client.get("/webhooks/drchrono/not-a-uuid", params={"msg": "x"})).status_code == 404
    assert (await client.get(f"/webhooks/drchrono/{drchrono_clinic.id}")).status_code == 400


async def test_a_slot_taken_in_drchrono_is_not_offered_after_the_webhook(client, services, drchrono_clinic, standin):
    nine = datetime(2026, 12, 2, 9, 0, tzinfo=ZONE)
    assert nine in await rivera_wed(services, drchrono_clinic)
    appt = standin.add_appointment("contract", doctor=int(drchrono_clinic.world["rivera"]),
                                   patient=drchrono_clinic.world["maria"]["id"], scheduled_time="2026-12-02T09:00:00",
                                   duration=30)
    assert nine in await rivera_wed(services, drchrono_clinic)        # still the cached answer
    headers, body = DrChronoStandIn.delivery("APPOINTMENT_CREATE", appt,
                                             drchrono_clinic.world["credentials"]["webhook_secret"], "d-1")
    r = await client.post(f"/webhooks/drchrono/{drchrono_clinic.id}", content=body, headers=headers)
    assert (r.status_code, r.json()) == (200, {"status": "ok"})
    assert nine not in await rivera_wed(services, drchrono_clinic)


async def test_forged_and_replayed_deliveries(client, services, drchrono_clinic):
    secret = drchrono_clinic.world["credentials"]["webhook_secret"]
    url = f"/webhooks/drchrono/{drchrono_clinic.id}"
    headers, body = DrChronoStandIn.delivery("APPOINTMENT_MODIFY", {"id": "1"}, "not-the-secret", "d-forged")
    before = await services.ehr_cache.generation(drchrono_clinic.id)
    r = await client.post(url, content=body, headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_signature"
    headers.pop("X-drchrono-signature")
    assert (await client.post(url, content=body, headers=headers)).status_code == 401
    assert await services.ehr_cache.generation(drchrono_clinic.id) == before
    headers, body = DrChronoStandIn.delivery("APPOINTMENT_MODIFY", {"id": "1"}, secret, "d-replayed")
    assert (await client.post(url, content=body, headers=headers)).json() == {"status": "ok"}
    assert (await client.post(url, content=body, headers=headers)).json() == {"status": "duplicate"}
    assert int(await services.ehr_cache.generation(drchrono_clinic.id)) == int(before) + 1
    # the verification GET signs any msg: its answer must not pass as a delivery's signature
    oracle = (await client.get(url, params={"msg": body.decode()})).json()["secret_token"]
    assert oracle == hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    forged = {**headers, "X-drchrono-signature": oracle, "X-drchrono-delivery": "d-oracle"}
    assert (await client.post(url, content=body, headers=forged)).status_code == 401
    assert int(await services.ehr_cache.generation(drchrono_clinic.id)) == int(before) + 1


async def test_credentials_are_sealed_and_never_returned_or_logged(client, services, pool, drchrono_clinic, caplog):
    caplog.set_level(logging.DEBUG)
    await services.ehr.list_providers(drchrono_clinic.ref)             # a refresh: the rotated token is stored
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT ehr_credentials::text AS c, ehr_provider FROM clinics WHERE id = %s",
                                 (drchrono_clinic.id,))
        row = await cur.fetchone()
    stored = await services.ehr_store.load(drchrono_clinic.id)
    assert stored["refresh_token"] != drchrono_clinic.world["credentials"]["refresh_token"]   # rotated, kept
    assert row["ehr_provider"] == "drchrono" and set(json.loads(row["c"])) == {"kid", "token"}
    r = await client.get("/api/v1/clinic", headers=drchrono_clinic.headers)
    assert r.status_code == 200 and r.json()["ehr_provider"] == "drchrono"
    for secret in secrets_of(drchrono_clinic) + [stored["refresh_token"], stored["access_token"]]:
        assert secret not in row["c"]
        assert secret not in r.text
        assert all(secret not in str(rec.__dict__) for rec in caplog.records)


async def test_the_staff_api_works_through_the_seam_with_drchrono_ids(client, drchrono_clinic, standin):
    h = drchrono_clinic.headers
    r = await client.get("/api/v1/providers", headers=h)
    assert r.status_code == 200 and {p["last_name"] for p in r.json()["providers"]} == {"Rivera", "Okafor"}
    okafor = drchrono_clinic.world["okafor"]
    r = await client.get("/api/v1/slots", headers=h, params={"provider_id": okafor, "from": "2026-12-03",
                                                            "to": "2026-12-03", "limit": 3})
    assert r.status_code == 200, r.text
    first = r.json()["slots"][0]
    assert first["start"] == "2026-12-03T09:00:00-06:00"
    body = {"provider_id": okafor, "start": first["start"], "reason": "palpitations",
            "patient": {"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1985-03-14"}}
    r = await client.post("/api/v1/appointments", headers={**h, "Idempotency-Key": "staff-1"}, json=body)
    assert r.status_code == 201, r.text
    booked = r.json()
    assert booked["provider_id"] == okafor and booked["patient_id"] == str(drchrono_clinic.world["maria"]["id"])
    again = await client.post("/api/v1/appointments", headers={**h, "Idempotency-Key": "staff-1"}, json=body)
    assert again.status_code == 201 and again.json()["id"] == booked["id"]        # replayed, not doubled
    taken = await client.post("/api/v1/appointments", headers=h, json=body)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slot_taken"
    r = await client.post(f"/api/v1/appointments/{booked['id']}/cancel", headers=h, json={"reason": "x"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert standin.practices["contract"].appointments[booked["id"]]["status"] == "Cancelled"
    foreign = drchrono_clinic.world["foreign"]
    assert (await client.get(f"/api/v1/appointments/{foreign.appointment_id}", headers=h)).status_code == 404
    assert (await client.get("/api/v1/slots", headers=h, params={"provider_id": "bad id!"})).status_code == 400


async def test_a_webhook_whose_secret_cannot_be_opened_is_503_not_500(client, services, drchrono_clinic, pool):
    async with pool.connection() as conn:      # sealed with a key this process does not hold
        await conn.execute("""UPDATE clinics SET ehr_credentials = '{"kid": "gone", "token": "x"}'::jsonb
                              WHERE id = %s""", (drchrono_clinic.id,))
    headers, body = DrChronoStandIn.delivery("APPOINTMENT_MODIFY", {"id": "1"}, "whatever", "d-503")
    r = await client.post(f"/webhooks/drchrono/{drchrono_clinic.id}", content=body, headers=headers)
    assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable"
    r = await client.get(f"/webhooks/drchrono/{drchrono_clinic.id}", params={"msg": "m"})
    assert r.status_code == 503
