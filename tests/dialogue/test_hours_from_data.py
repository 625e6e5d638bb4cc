"""Opening hours answered from the clinic's own data: the lunch closure named, holidays
(`settings.holidays`) in the overview and for a day asked about ("on Christmas?", "on March 19th?"),
and the closing time of today."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import demo_clinic_data

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")     # Friday
HOLIDAYS = ["2027-03-19", "2027-12-24", "2027-12-25"]


async def _clinic(chat):
    settings = {**demo_clinic_data()["settings"], "holidays": HOLIDAYS}
    return await chat(NOW, settings=settings)


async def test_the_overview_names_lunch_and_the_coming_holiday(chat):
    d = await _clinic(chat)
    body = await d.say("what are your hours")
    assert body["message"].startswith(
        "Our hours are Monday to Friday, 8 AM to noon and 1 PM to 5 PM; Saturday, 9 AM to noon. "
        "We close for lunch from noon to 1 PM on Monday to Friday. "
        "We're also closed on Friday, March 19th."), body["message"]


@pytest.mark.parametrize("text, answer", [
    ("are you open on Christmas?", "No, we're closed on Saturday, December 25th for a holiday. "
                                   "We're open again on Monday, December 27th at 8 AM."),
    ("are you open on March 19th?", "No, we're closed on Friday, March 19th for a holiday. "
                                    "We're open again on Saturday, March 20th at 9 AM."),
    ("how late are you open today?", "Today we're open until 5 PM, with a lunch break from noon to 1 PM: "
                                     "8 AM to noon and 1 PM to 5 PM."),
    ("are you open at 12:30?", "No, today we're not open at 12:30 PM. We're open 8 AM to noon and 1 PM to 5 PM. "
                               "That's our lunch break."),
    ("are you open on Sunday?", "No, we're closed on Sunday."),
    ("are you open on Saturday?", "Yes, on Saturday we're open 9 AM to noon."),
])
async def test_a_day_or_time_asked_about(chat, text, answer):
    d = await _clinic(chat)
    body = await d.say(text)
    assert body["message"].startswith(answer), body["message"]
    assert body["state"] == "idle" and not await d.appointments()


async def test_the_front_desks_number_is_an_answer_not_a_handoff(chat):
    d = await _clinic(chat)
    body = await d.say("what's the phone number for the front desk")
    assert body["state"] == "idle" and "+13125550101" in body["message"], body


async def test_a_weekday_asked_on_that_day_names_it(chat):
    settings = {**demo_clinic_data()["settings"], "holidays": HOLIDAYS}
    d = await chat(datetime.fromisoformat("2027-03-06T14:00:00-06:00"), settings=settings)     # Saturday afternoon
    body = await d.say("are you open on Saturday?")
    assert body["message"].startswith("Yes, on Saturday we're open 9 AM to noon. We've closed for today."), body


async def test_after_closing_how_late_says_closed_and_when_it_opens(chat):
    settings = {**demo_clinic_data()["settings"], "holidays": HOLIDAYS}
    d = await chat(datetime.fromisoformat("2027-03-06T14:00:00-06:00"), settings=settings)     # Saturday afternoon
    body = await d.say("how late are you open today?")
    assert body["message"].startswith("We closed at noon today. We're open again on Monday at 8 AM."), body


async def test_a_holiday_the_clinic_did_not_list_gets_the_usual_hours_said_so(chat):
    d = await _clinic(chat)
    body = await d.say("are you open on thanksgiving?")
    assert body["message"].startswith("I don't have that day listed as a holiday closure, so on Thursday, "
                                      "November 25th we're open 8 AM to noon and 1 PM to 5 PM."), body["message"]
