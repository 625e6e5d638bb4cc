"""When the asked day cannot give what was asked, the offers keep every other constraint and the
reply says which one was relaxed: a clock time taken offers that time on the same weekday later and
the nearest times that day; a weekday the clinic is closed is said so; a kind of doctor nobody here
is, is said so with who is here; "who can see me soonest? anyone" offers the earliest openings; a
one-doctor clinic never asks which doctor."""
from __future__ import annotations

from datetime import datetime

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")     # Friday (summer time from March 14th: -05:00)
OTHER = {"first_name": "James", "last_name": "O'Connor", "date_of_birth": "1952-06-30"}


def _starts(body: dict) -> list[datetime]:
    return [datetime.fromisoformat(s["start"]) for s in body.get("available_slots") or []]


async def test_a_clock_time_taken_offers_it_on_the_same_weekday_later(chat):
    d = await chat(NOW, appointments=[{"provider_last_name": "Lee", "patient": OTHER,
                                       "start": "2027-03-10T10:00:00-06:00"}])
    body = await d.say("Book Dr. Lee Wednesday at 10")
    assert body["message"].startswith("I don't have 10 AM on Wednesday, March 10th with Dr. Marcus Lee, "
                                      "but I have"), body["message"]
    starts = _starts(body)
    assert datetime.fromisoformat("2027-03-17T10:00:00-05:00") in starts, starts     # next Wednesday at 10
    assert any(s.date().isoformat() == "2027-03-10" for s in starts), starts          # and the nearest that day


async def test_a_correction_keeps_the_day_and_the_next_offers_keep_the_time(chat):
    d = await chat(NOW, appointments=[{"provider_last_name": "Lee", "patient": OTHER,
                                       "start": "2027-03-10T10:00:00-06:00"}])
    await d.say("Book Dr. Lee Wednesday at 9")
    body = await d.say("make that 10, not 9")
    shown = _starts(body)
    assert datetime.fromisoformat("2027-03-17T10:00:00-05:00") in shown, body["message"]
    body = await d.say("none of those work for me. Do you have anything at 10 am on Wednesday?")
    starts = _starts(body)
    assert datetime.fromisoformat("2027-03-31T10:00:00-05:00") in starts, body["message"]   # later Wednesdays
    assert all(s.weekday() == 2 for s in starts) and not set(starts) & set(shown), (shown, starts)


async def test_a_closed_weekday_is_said_and_the_nearest_days_keep_the_part_of_day(chat):
    d = await chat(NOW)
    body = await d.say("Dr. Raman on Sunday morning")
    assert body["message"].startswith("We're closed on Sundays. The nearest openings with Dr. Priya Raman are"), \
        body["message"]
    starts = _starts(body)
    assert starts and all(s.weekday() != 6 and s.hour < 12 for s in starts), starts


async def test_a_weekday_with_nothing_left_offers_that_weekday_later(chat):
    d = await chat(NOW)
    body = await d.say("Dr. Raman Friday morning")       # asked on a Friday: Friday the 12th is next
    assert body["state"] == "showing_slots", body
    late = await chat(datetime.fromisoformat("2027-03-05T16:50:00-06:00"))
    body = await late.say("Dr. Raman Friday morning")      # this Friday's morning is over
    assert body["message"].startswith("Nothing is open that"), body["message"]
    starts = _starts(body)
    assert starts and all(s.weekday() == 4 and s.hour < 12 for s in starts), starts


async def test_a_kind_of_doctor_nobody_here_is_is_said_with_who_is_here(chat):
    d = await chat(NOW)
    body = await d.say("Do you have a neurologist? I'd like an appointment")
    assert body["state"] == "collect_provider", body
    assert body["message"].startswith("I'm sorry, we don't have neurology here. Our providers are "), body
    assert "Dr. Emily Chen, orthopedics" in body["message"], body["message"]
    body = await d.say("Dr. Chen")
    assert body["state"] == "collect_date", body


async def test_soonest_with_anyone_offers_the_earliest_openings(chat):
    d = await chat(NOW)
    body = await d.say("Who can see me soonest? Anyone is fine")
    starts = _starts(body)
    assert body["state"] == "showing_slots" and starts, body
    assert starts == sorted(starts) and starts[0].date().isoformat() == "2027-03-05", starts
    assert len({s["provider_name"] for s in body["available_slots"]}) >= 1


async def test_a_one_doctor_clinic_does_not_ask_which_doctor(chat, make_clinic):
    from tests.conftest import demo_clinic_data
    raman = [p for p in demo_clinic_data()["providers"] if p["last_name"] == "Raman"]
    d = await chat(NOW, providers=raman)
    body = await d.say("as soon as possible please, I need to see the doctor")
    assert body["state"] == "showing_slots", body
    assert all(s["provider_name"] == "Dr. Priya Raman" for s in body["available_slots"]), body


async def test_none_of_those_with_a_constraint_keeps_every_constraint(chat):
    d = await chat(NOW)
    body = await d.say("Any day but Monday, morning if possible, with Dr Raman")
    shown = _starts(body)
    assert shown and all(s.weekday() != 0 and s.hour < 12 for s in shown), body["message"]
    for _ in range(3):
        body = await d.say("none of those work for me. Do you have anything in the morning on a day other than Monday?")
        starts = _starts(body)
        assert body["state"] == "showing_slots" and starts, body
        assert all(s.weekday() != 0 and s.hour < 12 for s in starts), starts
        assert not set(starts) & set(shown), (shown, starts)
        shown += starts


async def test_after_three_survives_a_correction_of_the_day(chat):
    d = await chat(NOW)
    await d.say("Dr. Raman on Tuesday after 3")
    body = await d.say("sorry, Wednesday not Tuesday")
    starts = _starts(body)
    assert starts and all(s.weekday() == 2 and s.hour >= 15 for s in starts), body["message"]


async def test_a_holiday_is_never_offered_and_is_said(chat):
    from tests.conftest import demo_clinic_data
    settings = {**demo_clinic_data()["settings"], "holidays": ["2027-03-10"]}
    d = await chat(NOW, settings=settings)
    body = await d.say("Dr. Raman on Wednesday morning")
    assert body["message"].startswith("We're closed on Wednesday, March 10th for a holiday. The nearest openings "
                                      "with Dr. Priya Raman are"), body["message"]
    starts = _starts(body)
    assert starts and all(s.date().isoformat() != "2027-03-10" and s.hour < 12 for s in starts), starts
    d = await chat(NOW, settings=settings)
    body = await d.say("Dr. Raman next week")
    await d.say("any time")
    for _ in range(3):
        body = await d.say("none of those work for me")
        assert all(s.date().isoformat() != "2027-03-10" for s in _starts(body)), body["message"]
