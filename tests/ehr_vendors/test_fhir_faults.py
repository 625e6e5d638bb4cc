"""Epic and Oracle Health adapters against their stand-ins: the faults the contract suite does not
name — expired tokens, refused assertions, 429 storms, stale ETags — and the vendor rules the
stand-ins enforce (so a green contract run means the adapter obeyed them)."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, time as clock_time, timedelta

import httpx
import jwt
import pytest

from ehr.bearer import AuthRejected
from ehr.errors import Unavailable
from ehr.types import SlotCriteria, TimeSlot
from tests.ehr_contract.harness import ZONE
from tests.ehr_contract.standins import cerner, epic
from tests.ehr_contract.standins.fhir_backend import fhir_backend
from tests.ehr_contract.standins.keys import key_pair

WED = datetime(2026, 12, 2).date()
VENDORS = {"epic": (epic.make, epic.CLIENT_ID), "cerner": (cerner.make, cerner.CLIENT_ID)}


def backend(name: str, **kw):
    make, client_id = VENDORS[name]
    return fhir_backend(name, make, client_id, **kw)


def wed(backend, provider: str = "rivera") -> SlotCriteria:
    return SlotCriteria(clinic=backend.clinic, provider_ids=(backend.provider_ids[provider],), date_from=WED,
                        date_to=WED, limit=100, spread_days=False)


def rivera_at(b, hh: int, mm: int = 0) -> TimeSlot:
    start = datetime.combine(WED, clock_time(hh, mm), ZONE)
    return TimeSlot(b.provider_ids["rivera"], "Dr. Ana Rivera", start, start + timedelta(minutes=30))


@pytest.mark.parametrize("vendor", VENDORS)
async def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(vendor):
    async with backend(vendor) as b:                          # b.inner: no availability cache in between
        assert await b.inner.find_slots(wed(b))
        assert b.standin.tokens.granted == 1
        assert await b.inner.find_slots(wed(b))
        assert b.standin.tokens.granted == 1                 # cached, not fetched per call
        b.standin.tokens.expire_all()                         # the EHR expires it early
        assert len(await b.inner.find_slots(wed(b))) == 14
        assert b.standin.tokens.granted == 2 and b.inner.bearer.fetches == 2


@pytest.mark.parametrize("vendor", VENDORS)
async def test_an_assertion_signed_with_another_key_is_refused_as_an_outage(vendor):
    async with backend(vendor) as b:
        b.inner.bearer._key = type(b.inner.bearer._key)(key_pair("not-registered")[0], "rogue")
        with pytest.raises(AuthRejected) as caught:
            await b.inner.find_slots(wed(b))
        assert isinstance(caught.value, Unavailable) and "invalid_client" in caught.value.reason
        assert b.standin.tokens.refused == ["invalid client assertion: InvalidSignatureError"]


async def test_the_token_endpoint_enforces_aud_exp_and_jti():
    async with backend("epic") as b, httpx.AsyncClient() as http:
        private = key_pair("epic")[0]
        now = int(time.time())

        async def ask(**claims) -> httpx.Response:
            body = {"iss": epic.CLIENT_ID, "sub": epic.CLIENT_ID, "aud": b.standin.token_url,
                    "jti": uuid.uuid4().hex, "exp": now + 240, **claims}
            assertion = claims.pop("_raw", None) or jwt.encode(body, private, algorithm="RS384")
            return await http.post(b.standin.token_url, data={
                "grant_type": "client_credentials", "scope": "system/Slot.read",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion})

        assert (await ask()).status_code == 200
        assert (await ask(aud=b.standin.base_url)).json()["error_description"] == "aud must be the token endpoint URL"
        assert "five minutes" in (await ask(exp=now + 900)).json()["error_description"]
        assert (await ask(exp=now - 5)).json()["error_description"] == "client assertion expired"
        assert (await ask(jti="same")).status_code == 200
        assert (await ask(jti="same")).json()["error_description"] == "jti was already used (replay)"
        refused = await ask(sub="someone-else")
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_client"


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_429_storm_waits_as_retry_after_says(vendor):
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with backend(vendor, sleep=sleep) as b:
        await b.adapter.list_providers(b.clinic)
        b.faults.storm(2, retry_after=1)
        assert len(await b.inner.find_slots(wed(b))) == 14
        assert waits == [1.0, 1.0] and b.faults.throttled == 2
        b.faults.storm(10, retry_after=1)                     # longer than the retry budget: an outage
        with pytest.raises(Unavailable):
            await b.adapter.find_slots(wed(b, "okafor"))


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_stale_etag_is_read_again_and_the_cancel_goes_through(vendor):
    async with backend(vendor) as b:
        booked = await b.adapter.book(b.clinic, rivera_at(b, 9), b.maria, None, "stale-etag")
        b.standin.touch(booked.id)                            # staff edited it in the EHR meanwhile
        # the adapter read version 1 before the edit: make it so by cancelling through a stale read
        stale = await b.inner.client.read("Appointment", booked.id)
        stale = type(stale)(stale.resource, 'W/"1"')
        await b.inner._cancel_versioned(b.clinic, stale, "feeling better")
        updates = [status for method, _, status in b.standin.calls if method in ("PUT", "PATCH")]
        assert updates == [412 if vendor == "epic" else 409, 200]   # refused, read again, accepted
        assert b.standin.world.appointments[booked.id]["status"] == "cancelled"
        assert rivera_at(b, 9).start in [s.start for s in await b.adapter.find_slots(wed(b))]


async def test_oracle_health_refuses_an_update_without_if_match_and_a_stale_version():
    async with backend("cerner") as b:
        booked = await b.adapter.book(b.clinic, rivera_at(b, 9), b.maria, None, "no-if-match")
        patch = [{"op": "replace", "path": "/status", "value": "cancelled"}]
        response = await b.inner.client.request("PATCH", f"Appointment/{booked.id}", json=patch,
                                                content_type="application/json-patch+json")
        assert response.status_code == 412 and response.json()["resourceType"] == "OperationOutcome"
        response = await b.inner.client.request("PATCH", f"Appointment/{booked.id}", json=patch,
                                                headers={"If-Match": 'W/"7"'}, content_type="application/json-patch+json")
        assert response.status_code == 409


@pytest.mark.parametrize("vendor", VENDORS)
async def test_the_stand_in_validates_resources_with_fhir_resources(vendor):
    async with backend(vendor) as b:
        bad_status = {"resourceType": "Appointment", "status": "confirmed-ish",
                      "participant": [{"actor": {"reference": f"Patient/{b.maria.id}"}, "status": "accepted"}]}
        response = await b.inner.client.request("POST", "Appointment", json=bad_status)
        assert response.status_code == 400 and response.json()["issue"][0]["code"] == "code-invalid"
        unknown_field = {"resourceType": "Patient", "name": [{"family": "X"}], "favouriteColour": "blue"}
        response = await b.inner.client.request("POST", "Patient", json=unknown_field)
        assert response.status_code == 400 and "favouriteColour" in response.json()["issue"][0]["diagnostics"]


async def test_oracle_health_wants_exactly_one_slot_and_one_accepted_patient():
    async with backend("cerner") as b:
        slot = b.standin.world.slot_at(b.provider_ids["rivera"], rivera_at(b, 9).start)
        body = {"resourceType": "Appointment", "status": "booked", "slot": [{"reference": f"Slot/{slot['id']}"}],
                "participant": [{"actor": {"reference": f"Patient/{b.maria.id}"}, "status": "needs-action"}]}
        response = await b.inner.client.request("POST", "Appointment", json=body)
        assert response.status_code == 422 and "accepted" in response.json()["issue"][0]["diagnostics"]
        body["participant"][0]["status"] = "accepted"
        body["participant"].append({"actor": {"reference": f"Practitioner/{b.provider_ids['rivera']}"},
                                    "status": "accepted"})
        response = await b.inner.client.request("POST", "Appointment", json=body)
        assert response.status_code == 422 and "exactly one patient" in response.json()["issue"][0]["diagnostics"]
        sent = [r["body"] for r in b.standin.received if r["path"].endswith("/Appointment")]
        await b.adapter.book(b.clinic, rivera_at(b, 9, 30), b.maria, "cough", "cerner-shape")
        ours = [r["body"] for r in b.standin.received if r["path"].endswith("/Appointment")][len(sent)]
        assert len(ours["slot"]) == 1 and len(ours["participant"]) == 1
        assert ours["participant"][0]["status"] == "accepted" and "type" not in ours["participant"][0]


async def test_paging_follows_next_links():
    async with backend("epic") as b:
        b.standin.page_size = 5
        assert len(await b.inner.find_slots(wed(b))) == 14
        pages = [path for method, path, _ in b.standin.calls if path == b.standin.dialect.base_path]
        assert len(pages) == 2                                # 14 slots in pages of 5: two next links followed


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_scope_the_vendor_did_not_grant_is_scope_missing(vendor):
    from ehr.errors import ScopeMissing
    async with backend(vendor) as b:
        client = next(iter(b.standin.clients.values()))
        b.standin.clients[client.client_id] = type(client)(client.client_id, client.public_key_pem,
                                                           client.scopes - {"system/Appointment.write"})
        with pytest.raises(ScopeMissing):
            await b.inner.list_providers(b.clinic)
        assert b.standin.tokens.refused == ["scope not granted to this client"]


async def test_an_oracle_health_system_account_with_a_client_secret_books():
    async with fhir_backend("cerner", cerner.make, cerner.SYSTEM_ACCOUNT,
                            secrets={"client_secret": cerner.SYSTEM_SECRET}) as b:
        booked = await b.adapter.book(b.clinic, rivera_at(b, 9), b.maria, None, "system-account")
        assert booked.status == "SCHEDULED" and b.standin.tokens.granted == 1
    async with fhir_backend("cerner", cerner.make, cerner.SYSTEM_ACCOUNT,
                            secrets={"client_secret": "wrong"}) as b:
        with pytest.raises(AuthRejected):
            await b.inner.list_providers(b.clinic)
        assert b.standin.tokens.refused == ["client authentication failed"]


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_reschedule_whose_old_visit_cannot_be_cancelled_withdraws_the_new_one(vendor):
    async with backend(vendor) as b:
        seeded = (await b.adapter.upcoming_appointments(b.clinic, b.maria))[0]
        real_cancel = b.inner.cancel_appointment

        async def flaky(versioned, reason):
            if versioned.resource["id"] == seeded.id:
                raise Unavailable("the EHR went away mid-reschedule")
            await real_cancel(versioned, reason)

        b.inner.cancel_appointment = flaky
        with pytest.raises(Unavailable):
            await b.adapter.reschedule(b.clinic, seeded.id, rivera_at(b, 11), "move-fails")
        statuses = {a["id"]: a["status"] for a in b.standin.world.appointments.values()
                    if a["participant"][0]["actor"]["reference"] == f"Patient/{b.maria.id}"}
        assert statuses[seeded.id] == "booked"
        assert sorted(statuses.values()) == ["booked", "cancelled"]     # the new one was withdrawn
        assert rivera_at(b, 11).start in [s.start for s in await b.adapter.find_slots(wed(b))]


@pytest.mark.parametrize("vendor", [*VENDORS, "google"])
async def test_another_clinics_ref_sees_nothing_of_this_clinics_ehr(vendor):
    from ehr.errors import NotFound
    from ehr.types import ClinicRef
    from tests.ehr_contract import backend_google
    made = backend_google.make_backend(None) if vendor == "google" else backend(vendor)
    async with made as b:
        other = ClinicRef(str(uuid.uuid4()), b.clinic.timezone, "Another clinic")
        seeded = (await b.adapter.upcoming_appointments(b.clinic, b.maria))[0]
        assert await b.adapter.list_providers(other) == []
        assert await b.adapter.find_slots(SlotCriteria(clinic=other, date_from=WED, date_to=WED)) == []
        assert await b.adapter.find_patients(other, "Garcia", b.maria.date_of_birth) == []
        assert await b.adapter.upcoming_appointments(other, b.maria) == []
        with pytest.raises(NotFound):
            await b.adapter.get_appointment(other, seeded.id)
        with pytest.raises(NotFound):
            await b.adapter.cancel(other, seeded.id, None, "patient")
        assert (await b.adapter.get_appointment(b.clinic, seeded.id)).status == "SCHEDULED"


@pytest.mark.parametrize("vendor", VENDORS)
async def test_one_idempotency_key_names_one_booking(vendor):
    from ehr.errors import IdempotencyConflict
    async with backend(vendor) as b:
        first = await b.adapter.book(b.clinic, rivera_at(b, 9), b.maria, None, "one-key")
        assert (await b.adapter.book(b.clinic, rivera_at(b, 9), b.maria, None, "one-key")).id == first.id
        with pytest.raises(IdempotencyConflict):
            await b.adapter.book(b.clinic, rivera_at(b, 10), b.maria, None, "one-key")
        live = [a for a in b.standin.world.appointments.values() if a["status"] == "booked"
                and a["participant"][0]["actor"]["reference"] == f"Patient/{b.maria.id}"]
        assert len(live) == 2                                  # the seeded visit and the one booking
