"""'Doctor Park' with a nurse practitioner Sam Park and a Dr. Lena Parks on the roster: the patient
is asked which one, both named, and the answer settles it — nobody is booked with the wrong one."""
from __future__ import annotations

from datetime import datetime

from tests.conftest import demo_clinic_data

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")


def _park_roster() -> list[dict]:
    providers = demo_clinic_data()["providers"]
    return [{**providers[0], "first_name": "Sam", "last_name": "Park", "title": "NP"},
            {**providers[1], "first_name": "Lena", "last_name": "Parks", "title": "Dr."}, *providers[2:]]


async def test_doctor_park_asks_which_one_naming_both(chat):
    d = await chat(NOW, providers=_park_roster(), appointments=[])
    body = await d.say("I'd like to book with doctor Park")
    assert body["state"] == "collect_provider" and "provider_id" not in body["collected_data"], body
    assert "Sam Park" in body["message"] and "Lena Parks" in body["message"], body["message"]
    body = await d.say("Lena Parks")
    assert body["collected_data"]["provider_name"] == "Dr. Lena Parks", body
