"""Corrections that name the old value ("Wednesday not Tuesday", "make that 10, not 9"), a visit
asked for by its topic ("can I come in to talk about my blood pressure meds"), and hours answered as
asked: lunch closures, a given day, a given time."""
from __future__ import annotations

from datetime import datetime

import pytest

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")     # Friday


async def test_a_correction_that_names_the_old_day(chat):
    d = await chat(NOW)
    await d.say("I'd like to book with Dr. Raman next Tuesday")
    body = await d.say("sorry, Wednesday not Tuesday")
    assert body["collected_data"]["date"] == "2027-03-10", body          # Wednesday, not the Tuesday
    assert "didn't catch" not in body["message"], body["message"]


async def test_a_correction_that_names_the_old_time(chat):
    d = await chat(NOW)
    await d.say("I'd like to book with Dr. Raman next Tuesday at 9")
    body = await d.say("make that 10, not 9")
    assert body["state"] == "showing_slots", body
    assert datetime.fromisoformat(body["available_slots"][0]["start"]).hour == 10, body


@pytest.mark.parametrize("text", ["not Tuesday, Wednesday", "no not tuesday but wednesday", "Wednesday, not Tuesday"])
async def test_the_negated_value_is_never_the_one_taken(chat, text):
    d = await chat(NOW)
    await d.say("I'd like to book with Dr. Raman next Tuesday")
    body = await d.say(text)
    assert body["collected_data"]["date"] == "2027-03-10", (text, body)


@pytest.mark.parametrize("text", ["can I come in to talk about my blood pressure meds",
                                  "I'd like to come in and discuss my test results",
                                  "I need to see the doctor about my knee"])
async def test_a_visit_asked_for_by_its_topic_is_a_booking(chat, text):
    d = await chat(NOW)
    body = await d.say(text)
    assert body["state"] in ("collect_provider", "collect_date"), (text, body)


async def test_the_hours_answer_says_the_lunch_closure(chat):
    d = await chat(NOW)
    body = await d.say("what are your hours")
    assert "Monday to Friday, 8 AM to noon and 1 PM to 5 PM" in body["message"], body["message"]


@pytest.mark.parametrize("text, answer", [
    ("are you open on saturday?", "Yes, on Saturday we're open 9 AM to noon."),
    ("are you open on Sunday?", "No, we're closed on Sunday."),
    ("are you open at noon?", "No, today we're not open at noon. We're open 8 AM to noon and 1 PM to 5 PM."),
    ("are you open saturday at 10?", "Yes, on Saturday we're open at 10 AM: 9 AM to noon."),
])
async def test_hours_for_a_given_day_or_time(chat, text, answer):
    d = await chat(NOW)
    body = await d.say(text)
    assert body["message"].startswith(answer), body["message"]
