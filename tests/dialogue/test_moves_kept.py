"""A reschedule keeps what its first message said ("move my Dr. Raman appointment to Thursday
morning": that appointment, and Thursday morning's openings right after identification, no day
question again) and reads days said relative to the appointment moved ("later that same day",
"push it back a week", "a week later, same weekday", "the same day"). Checking an appointment is
not a booking, even after a booking was started."""
from __future__ import annotations

from datetime import datetime

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")     # Friday
MARIA = {"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1985-03-04"}
WEDNESDAY_3PM = "2027-03-10T15:00:00-06:00"


async def _with_appointment(chat, start: str = WEDNESDAY_3PM, provider: str = "Raman"):
    return await chat(NOW, appointments=[{"provider_last_name": provider, "patient": MARIA, "start": start}])


async def _identify(d) -> dict:
    await d.say("Maria Garcia")
    return await d.say("03/04/1985")


def _starts(body: dict) -> list[datetime]:
    return [datetime.fromisoformat(s["start"]) for s in body.get("available_slots") or []]


async def test_the_first_message_names_the_appointment_and_the_new_day(chat):
    d = await _with_appointment(chat)
    body = await d.say("Can I move my Dr. Raman appointment to Thursday morning?")
    assert body["state"] == "collect_patient_info", body            # not a new booking's openings
    body = await _identify(d)
    assert body["state"] == "showing_slots", body                   # no "What day works best" again
    assert body["message"].startswith("Okay, let's move your appointment with Dr. Priya Raman on "
                                      "Wednesday, March 10th at 3 PM."), body["message"]
    starts = _starts(body)
    assert starts and all(s.date().isoformat() == "2027-03-11" and s.hour < 12 for s in starts), starts
    await d.say("1")
    body = await d.say("yes")
    assert body["state"] == "booked", body
    rows = await d.appointments()
    live = [r for r in rows if r["status"] in ("SCHEDULED", "CONFIRMED")]
    assert len(rows) == 2 and len(live) == 1 and live[0]["scheduled_start"] == starts[0], rows


async def test_later_that_same_day(chat):
    d = await _with_appointment(chat)
    await d.say("Can I move my appointment to later that same day?")
    body = await _identify(d)
    starts = _starts(body)
    assert body["state"] == "showing_slots", body
    assert starts and all(s.date().isoformat() == "2027-03-10" and (s.hour, s.minute) >= (15, 20)
                          for s in starts), starts


async def test_push_it_back_a_week_keeps_the_hour_when_free(chat):
    d = await _with_appointment(chat)
    await d.say("Could I push my appointment back a week?")
    body = await _identify(d)
    starts = _starts(body)
    assert starts and starts[0] == datetime.fromisoformat("2027-03-17T15:00:00-05:00"), body["message"]


async def test_a_week_later_same_weekday_is_the_new_day_not_a_goodbye(chat):
    d = await _with_appointment(chat)
    await d.say("I need to reschedule my appointment")
    body = await _identify(d)
    assert body["state"] == "collect_date", body
    body = await d.say("a week later, same weekday")
    assert body["state"] == "showing_slots", body
    assert all(s.date().isoformat() == "2027-03-17" for s in _starts(body)), body


async def test_the_same_day_at_the_day_question(chat):
    d = await _with_appointment(chat)
    await d.say("I need to reschedule my appointment")
    await _identify(d)
    body = await d.say("the same day")
    assert body["state"] == "collect_time", body
    body = await d.say("in the afternoon")
    starts = _starts(body)
    assert starts and all(s.date().isoformat() == "2027-03-10" and s.hour >= 13 for s in starts), body


async def test_the_old_appointments_day_in_the_first_message_is_not_the_new_day(chat):
    d = await _with_appointment(chat)
    await d.say("I can't make Wednesday, can we reschedule?")
    body = await _identify(d)
    assert body["state"] == "collect_date" and "What day works best" in body["message"], body


async def test_what_day_am_i_seeing_the_doctor_checks_without_booking(chat):
    d = await _with_appointment(chat)
    body = await d.say("What day am I seeing Dr. Raman?")
    assert body["state"] == "collect_patient_info", body
    body = await _identify(d)
    assert "Wednesday, March 10th at 3 PM" in body["message"], body
    assert len(await d.appointments()) == 1


async def test_no_i_just_want_to_know_when_switches_to_checking(chat):
    d = await _with_appointment(chat)
    await d.say("I'd like to book with Dr. Raman next Tuesday morning")
    body = await d.say("no, I don't want to book anything, I just want to know when my appointment is")
    assert body["state"] == "collect_patient_info" and body["collected_data"].get("flow") == "check", body
    body = await _identify(d)
    assert "Wednesday, March 10th at 3 PM" in body["message"], body


async def test_with_two_appointments_the_named_doctor_picks_one_and_the_old_time_is_not_the_new_one(chat):
    two = [{"provider_last_name": "Raman", "patient": MARIA, "start": WEDNESDAY_3PM},
           {"provider_last_name": "Lee", "patient": MARIA, "start": "2027-03-12T10:00:00-06:00"}]
    d = await chat(NOW, appointments=two)
    await d.say("Can I move my Dr. Lee appointment?")
    body = await _identify(d)
    assert body["message"].startswith("Okay, let's move your appointment with Dr. Marcus Lee"), body["message"]
    d = await chat(NOW, appointments=two)
    await d.say("I need to reschedule my appointment")
    body = await _identify(d)
    assert body["collected_data"].get("flow") == "reschedule" and "Which one" in body["message"], body
    body = await d.say("the 3 pm one")
    assert body["state"] == "collect_date" and "Dr. Priya Raman" in body["message"], body
    assert "time" not in body["collected_data"], body["collected_data"]
