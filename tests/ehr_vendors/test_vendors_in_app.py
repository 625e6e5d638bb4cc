"""A clinic on Epic, on Oracle Health and on Google Calendar inside the app: the staff REST API books,
lists and cancels through the clinic's own EHR (chosen by its ehr_provider), and the sealed
credentials never come back out."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from tests.ehr_contract import backend_google
from tests.ehr_contract.harness import CLINIC_TZ, WEEK, ZONE
from tests.ehr_contract.standins import cerner, epic
from tests.ehr_contract.standins.fhir_backend import options as fhir_options
from tests.ehr_contract.standins.keys import key_pair
from tests.ehr_contract.standins.loopback import serve


def visit_day() -> date:
    """A Wednesday at least three days ahead of the app's real clock (never before the seeded world's
    2026-12-02), so these tests do not expire."""
    day = max(datetime.now(ZONE).date() + timedelta(days=3), date(2026, 12, 2))
    return day + timedelta(days=(2 - day.weekday()) % 7)


def at(day: date, hh: int, mm: int = 0) -> str:
    return datetime.combine(day, time(hh, mm), ZONE).isoformat()


def headers(clinic, key: str | None = None) -> dict[str, str]:
    out = {"X-API-Key": clinic.api_key, "X-Tenant-ID": clinic.id}
    if key:
        out["Idempotency-Key"] = key
    return out


async def book_and_cancel(client, clinic, provider_id: str, start: str) -> dict:
    body = {"provider_id": provider_id, "start": start, "reason": "cough",
            "patient": {"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1985-03-14",
                        "phone": "+15555550101"}}
    made = await client.post("/api/v1/appointments", json=body, headers=headers(clinic, f"in-app-{provider_id}"))
    assert made.status_code == 201, made.text
    booked = made.json()
    again = await client.post("/api/v1/appointments", json=body, headers=headers(clinic, f"in-app-{provider_id}"))
    assert again.status_code == 201 and again.json()["id"] == booked["id"]        # the retry is the same booking
    day = start[:10]
    listed = await client.get("/api/v1/appointments", params={"from": day, "to": day}, headers=headers(clinic))
    assert booked["id"] in [a["id"] for a in listed.json()["appointments"]]
    cancelled = await client.post(f"/api/v1/appointments/{booked['id']}/cancel", json={"reason": "better"},
                                  headers=headers(clinic))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    return booked


@pytest.mark.parametrize("vendor,module", [("epic", epic), ("cerner", cerner)])
async def test_a_fhir_clinic_books_through_its_ehr(client, services, make_clinic, vendor, module):
    private, public = key_pair(vendor)
    day = visit_day()
    standin = module.make(public, extra_days=(day,))
    async with serve(standin.app()) as root:
        standin.root = root
        clinic = await make_clinic(timezone=CLINIC_TZ, business_hours=WEEK, providers=[], patients=[],
                                   appointments=[])
        assert await services.ehr_store.set_ehr(clinic.id, vendor, fhir_options(standin, module.CLIENT_ID),
                                                {"private_key_pem": private})
        rivera = standin.world.ids["rivera"]
        booked = await book_and_cancel(client, clinic, rivera, at(day, 9))
        stored = standin.world.appointments[booked["id"]]
        assert stored["status"] == "cancelled" and stored["participant"][0]["actor"]["reference"] == \
            f"Patient/{standin.world.maria_id}"                                    # Maria was matched, not copied
        shown = await client.get("/api/v1/clinic", headers=headers(clinic))
        assert private.splitlines()[1] not in shown.text and "private_key_pem" not in shown.text


async def test_a_google_calendar_clinic_books_through_its_calendars(client, services, make_clinic):
    clinic = await make_clinic(timezone=CLINIC_TZ, business_hours=WEEK, providers=[], patients=[], appointments=[])
    async with backend_google.make_backend(None) as b:
        b.standin.calendars[backend_google.PATIENTS].clear()             # the registry of THIS clinic starts empty
        assert await services.ehr_store.set_ehr(clinic.id, "google", backend_google.options(b.standin),
                                                backend_google.service_account(b.standin, key_pair("google")[0]))
        booked = await book_and_cancel(client, clinic, "okafor", at(visit_day(), 9, 20))
        event = b.standin.calendars[backend_google.CALENDARS["okafor"]][booked["id"]]
        assert event["status"] == "cancelled"
        patients = list(b.standin.calendars[backend_google.PATIENTS].values())
        assert [p["extendedProperties"]["private"]["vap_last"] for p in patients] == ["Garcia"]
