"""On a call, one missed answer to the doctor or day question brings numbered choices beside speech
("Or press 1 for Dr. Priya Raman, 2 for ..."), and the keyed number answers the question: a booking
can be completed however the caller's words are heard. Text channels are not offered keys."""
from __future__ import annotations

import re

from tests.dialogue.test_keypad_identity import NOW, call  # noqa: F401  (the fixture: the engine as a call drives it)


async def test_a_missed_doctor_answer_offers_the_roster_on_the_keypad(call):
    c = await call()
    await c.say("I'd like to book an appointment")
    assert c.expecting == "provider"
    reply = await c.say("mm the one my sister saw")
    assert reply.startswith("Sorry, I didn't catch that.") and "Or press 1 for Dr. " in reply, reply
    keys = dict(re.findall(r"(\d) for (Dr\. [A-Za-z]+ [A-Za-z]+)", reply))
    assert len(keys) == 5 and "Dr. Priya Raman" in keys.values(), keys
    raman = next(k for k, name in keys.items() if name == "Dr. Priya Raman")
    reply = await c.say(raman)
    assert c.expecting == "date" and c.provider == "Dr. Priya Raman", reply


async def test_a_missed_day_offers_the_next_open_days_and_the_key_picks_one(call):
    c = await call()
    await c.say("I'd like to book with Doctor Raman")
    reply = await c.say("hmm let me think about that")
    assert c.expecting == "date" and "Or press 1 for " in reply, reply
    days = reply.split("Or press ", 1)[1]
    assert days == "1 for Friday, March 5th, 2 for Saturday, March 6th, 3 for Monday, March 8th or " \
                   "4 for Tuesday, March 9th.", days                   # the next days with an opening
    reply = await c.say("4")
    assert c.expecting in ("time", "slot_choice"), reply
    if c.expecting == "time":
        reply = await c.say("in the morning")
    assert "Tuesday, March 9th" in reply, reply


async def test_a_spoken_answer_still_works_after_the_menu(call):
    c = await call()
    await c.say("I'd like to book with Doctor Raman")
    await c.say("hmm let me think about that")
    reply = await c.say("next Tuesday")
    assert c.expecting == "time", reply


async def test_a_number_out_of_the_menu_is_a_miss(call):
    c = await call()
    await c.say("I'd like to book an appointment")
    await c.say("mm the one my sister saw")
    reply = await c.say("9")
    assert c.expecting in ("provider", "handoff_offer"), reply


async def test_text_channels_get_no_keypad_menu(chat):
    d = await chat(NOW)
    await d.say("I'd like to book an appointment")
    body = await d.say("mm the one my sister saw")
    assert "press" not in body["message"].lower(), body
