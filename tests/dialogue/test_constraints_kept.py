"""A search keeps what the patient asked for through its fallbacks: a full day keeps the part of day
on the next days, and the reply says what was relaxed ("Nothing is open that afternoon. The next
afternoon openings with Dr. Marcus Lee are …"), in one sentence that reads right."""
from __future__ import annotations

from datetime import datetime

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")     # Friday


async def test_a_full_afternoon_offers_the_next_afternoons_not_mornings(chat):
    d = await chat(NOW)
    lee = next(p for p in d.clinic.data["providers"] if p["last_name"] == "Lee")
    tuesday_pm = [w for w in lee["schedule"].get("tue", []) if w[0] >= "12:00"]
    await d.say("I'd like to book with Dr. Marcus Lee next Tuesday")
    body = await d.say("in the afternoon")
    assert body["state"] == "showing_slots", body
    starts = [datetime.fromisoformat(s["start"]) for s in body["available_slots"]]
    assert all(s.hour >= 12 for s in starts), body                 # the afternoon is kept
    if not tuesday_pm:                                              # Lee works no Tuesday afternoon
        assert body["message"].startswith("Nothing is open that afternoon. The next afternoon openings with "
                                          "Dr. Marcus Lee are "), body["message"]
    assert "are With" not in body["message"] and "but With" not in body["message"]


async def test_a_time_not_open_offers_the_nearest_times_that_day(chat):
    d = await chat(NOW)
    body = await d.say("Dr. Raman Tuesday evening 4:45")     # the last opening that day starts at 4:40
    assert body["message"].startswith("I don't have that time with Dr. Priya Raman, but I have "
                                      "1) Tuesday, March 9th at 4 PM; 2) Tuesday, March 9th at 4:20 PM; "
                                      "3) Tuesday, March 9th at 4:40 PM."), body["message"]


async def test_none_of_those_offers_the_next_openings(chat):
    d = await chat(NOW)
    first = await d.say("I'd like to book with Dr. Raman next Tuesday morning")
    shown = [s["start"] for s in first["available_slots"]]
    body = await d.say("none of those work for me")
    assert body["state"] == "showing_slots" and body["message"].startswith("No problem."), body
    again = [s["start"] for s in body["available_slots"]]
    assert again and not set(again) & set(shown), (shown, again)


async def test_a_day_ruled_out_is_never_offered(chat):
    d = await chat(NOW)
    body = await d.say("Dr. Raman, afternoon, not on a Monday")
    assert body["state"] == "showing_slots", body
    starts = [datetime.fromisoformat(s["start"]) for s in body["available_slots"]]
    assert starts and all(s.weekday() != 0 and s.hour >= 12 for s in starts), starts


async def test_any_day_but_monday_at_the_date_question(chat):
    d = await chat(NOW)
    await d.say("I'd like to book with Dr. Raman")
    await d.say("any day but monday")
    body = await d.say("after 3")
    starts = [datetime.fromisoformat(s["start"]) for s in body["available_slots"]]
    assert starts and all(s.weekday() != 0 and s.hour >= 15 for s in starts), (body["message"], starts)
