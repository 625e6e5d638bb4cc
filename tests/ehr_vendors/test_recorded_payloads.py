"""The recorded vendor payloads (fixtures/ehr/): valid R4 where they are FHIR, read correctly by the
adapters (Google's through respx at the HTTP layer), and answered in the same shape by the stand-ins."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx
from fhir.resources.R4B.appointment import Appointment as R4Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as R4Patient

from ehr.bearer import SigningKey
from ehr.errors import ScopeMissing, Unavailable
from ehr.fhir.client import Outcome
from ehr.fhir.resources import appointment_in, patient_in
from ehr.google_calendar.adapter import GoogleCalendarAdapter
from ehr.google_calendar.api import GoogleError
from ehr.google_calendar.settings import CalendarProvider, GoogleSettings
from tests.ehr_contract.harness import WEEK
from tests.ehr_contract.standins.keys import key_pair
from tests.ehr_vendors.test_fhir_faults import backend

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "ehr"
CHICAGO = ZoneInfo("America/Chicago")


def load(path: str):
    return json.loads((ROOT / path).read_text())


@pytest.mark.parametrize("path,model", [
    ("epic/slot_bundle.json", Bundle), ("epic/patient.json", R4Patient),
    ("epic/appointment_booked.json", R4Appointment), ("epic/operation_outcome.json", OperationOutcome),
    ("cerner/slot_bundle.json", Bundle), ("cerner/appointment.json", R4Appointment),
    ("cerner/appointment_create.json", R4Appointment), ("cerner/operation_outcome_422.json", OperationOutcome)])
def test_recorded_fhir_payloads_are_valid_r4(path, model):
    model.model_validate(load(path))


def test_the_adapters_read_the_recorded_fhir_resources():
    maria = patient_in(load("epic/patient.json"), "clinic-1")
    assert (maria.first_name, maria.last_name, maria.date_of_birth, maria.phone) == \
        ("Maria", "Garcia", date(1985, 3, 14), "+15555550101")          # official name, phone to E.164
    epic = appointment_in(load("epic/appointment_booked.json"), "clinic-1", CHICAGO, {"eAnaRivera.0Z": "Dr. Ana Rivera"})
    assert (epic.status, epic.patient_id, epic.start.isoformat()) == \
        ("SCHEDULED", "eJzlzKe3KPzAV5TtkxmNivQ3", "2026-12-01T10:00:00-06:00")
    assert epic.extra["idempotency_keys"] == ("call-42-confirm",)
    cerner = appointment_in(load("cerner/appointment.json"), "clinic-1", CHICAGO, {"4122622": "Dr. Ana Rivera"})
    assert (cerner.provider_id, cerner.patient_id, cerner.end - cerner.start) == \
        ("4122622", "12724066", timedelta(minutes=30))
    assert cerner.start == datetime(2026, 12, 2, 15, tzinfo=timezone.utc)
    assert appointment_in(load("cerner/appointment.json"), "clinic-1", CHICAGO, {}) is None   # not our roster
    assert Outcome.of(load("epic/operation_outcome.json")).codes == ("conflict",)
    assert Outcome.of(load("cerner/operation_outcome_422.json")).codes == ("business-rule",)


async def test_the_stand_ins_answer_in_the_recorded_shapes():
    for vendor, recorded in (("epic", "epic/slot_bundle.json"), ("cerner", "cerner/slot_bundle.json")):
        async with backend(vendor) as b:
            params = b.inner.slot_params(b.provider_ids["rivera"], datetime(2026, 12, 2, 15, tzinfo=timezone.utc),
                                         datetime(2026, 12, 2, 16, tzinfo=timezone.utc))
            answer = (await b.inner.client.request("GET", "Slot", params=params)).json()
            shape = load(recorded)
            assert {"resourceType", "type", "link", "entry"} <= set(answer) & set(shape)
            ours, theirs = answer["entry"][0]["resource"], shape["entry"][0]["resource"]
            assert set(ours) - {"meta"} <= set(theirs) and ours["status"] == theirs["status"] == "free"
    body = load("cerner/appointment_create.json")
    assert set(body) == {"resourceType", "status", "slot", "participant", "reasonCode"}


def google_adapter(http: httpx.AsyncClient) -> GoogleCalendarAdapter:
    account = load("google/service_account.json")
    settings = GoogleSettings(
        client_email=account["client_email"], key=SigningKey(key_pair("google-recorded")[0], account["private_key_id"]),
        token_uri=account["token_uri"], api_base="https://www.googleapis.com/calendar/v3",
        providers=(), patients_calendar_id="c_patients@group.calendar.google.com", business_hours=WEEK)
    return GoogleCalendarAdapter(settings, "clinic-1", http)


@respx.mock
async def test_google_recorded_answers_through_the_http_layer():
    respx.post("https://oauth2.googleapis.com/token").mock(
        return_value=httpx.Response(200, json=load("google/token_response.json")))
    free_busy = respx.post("https://www.googleapis.com/calendar/v3/freeBusy").mock(
        return_value=httpx.Response(200, json=load("google/freebusy_response.json")))
    async with httpx.AsyncClient() as http:
        adapter = google_adapter(http)
        busy = await adapter.api.free_busy(["c_rivera@group.calendar.google.com"], "a", "b")
        assert busy == {"c_rivera@group.calendar.google.com": [{"start": "2026-12-01T16:00:00Z",
                                                                "end": "2026-12-01T16:30:00Z"}]}
        sent = json.loads(free_busy.calls.last.request.content)
        assert sent["items"] == [{"id": "c_rivera@group.calendar.google.com"}] and sent["timeZone"] == "UTC"
        with pytest.raises(ScopeMissing):                    # notFound: not shared with the service account
            await adapter.api.free_busy(["c_missing@group.calendar.google.com"], "a", "b")

        respx.post(url__regex=r".*/events").mock(return_value=httpx.Response(409, json=load("google/error_duplicate.json")))
        with pytest.raises(GoogleError) as caught:
            await adapter.api.insert_event("c_rivera@group.calendar.google.com", {"id": "vaabcde"})
        assert (caught.value.status, caught.value.reason) == (409, "duplicate")

        respx.get(url__regex=r".*/events/.*").mock(return_value=httpx.Response(403, json=load("google/error_rate_limit.json")))
        with pytest.raises(Unavailable):                     # 403 rateLimitExceeded is an outage, not an auth error
            await adapter.api.get_event("c_rivera@group.calendar.google.com", "vaabcde")


def test_a_recorded_event_is_read_as_an_appointment():
    entry = CalendarProvider("rivera", "c_rivera@group.calendar.google.com", "Ana", "Rivera", "Dr.", "Family Medicine",
                             30, True, WEEK)
    adapter = google_adapter(httpx.AsyncClient())
    appointment = adapter._appointment(entry, load("google/event.json"), CHICAGO)
    assert (appointment.provider_id, appointment.patient_id, appointment.booked_via, appointment.reason) == \
        ("rivera", "ptexamplepatient0000000000000000000000000", "voice", "annual checkup")
    assert appointment.start == datetime(2026, 12, 1, 10, tzinfo=CHICAGO)
