"""Replies to a reminder through the SMS webhook (signed as Twilio signs): "C" cancels the reminded
appointment after the usual read-back, "R" moves it; from another number, or once the appointment
is gone, the letter means nothing special."""
from __future__ import annotations

from datetime import datetime

from tests.reminders.conftest import seed

NOW = datetime.fromisoformat("2031-03-04T10:00:00-06:00")            # Tuesday
VISIT = datetime.fromisoformat("2031-03-05T10:00:00-06:00")          # Wednesday 10 AM, due Tuesday 10 AM


async def reminded(sms):
    driver = await sms(NOW)
    row, = await seed(driver.pool, driver.clinic.id, VISIT, minutes=30, phone_prefix="+1312555", first_number=123)
    assert row["phone"] == driver.patient
    assert (await driver.services.reminders.run_once(NOW, driver.clinic.id)).sent == 1
    texts = await driver.sent()
    assert len(texts) == 1 and "Reply C to cancel, R to reschedule" in texts[0]["data"]["Body"]
    assert texts[0]["data"]["From"] == driver.phone and texts[0]["data"]["To"] == driver.patient
    return driver, row


async def status_of(driver, appointment_id: str) -> str:
    rows = await driver.rows("SELECT status::text AS status FROM appointments WHERE clinic_id = %s AND id = %s",
                             appointment_id)
    return rows[0]["status"]


async def test_c_cancels_the_reminded_appointment_after_a_read_back(sms):
    driver, row = await reminded(sms)
    question = await driver.text("C")
    assert question.startswith("Just to confirm, you'd like to cancel your appointment with ")
    assert "Wednesday" in question and "10" in question
    assert await status_of(driver, row["id"]) == "SCHEDULED"            # nothing changes before "yes"
    done = await driver.text("yes")
    assert "is cancelled" in done
    assert await status_of(driver, row["id"]) == "CANCELLED"
    bodies = [m["data"]["Body"] for m in await driver.sent()]
    assert len(bodies) == 2 and "is cancelled" in bodies[1]             # the usual cancellation text
    again = await driver.text("C")                                       # that appointment is gone now
    assert not again.startswith("Just to confirm")


async def test_c_then_no_keeps_the_appointment(sms):
    driver, row = await reminded(sms)
    await driver.text("c.")
    await driver.text("no")
    assert await status_of(driver, row["id"]) == "SCHEDULED"


async def test_r_moves_the_reminded_appointment(sms):
    driver, row = await reminded(sms)
    ask = await driver.text("R")
    assert ask.startswith("Okay, let's move your appointment with ") and "Wednesday" in ask
    assert "morning or the afternoon" in await driver.text("Thursday")
    options = await driver.text("morning")
    assert "1" in options, options
    read_back = await driver.text("1")
    assert read_back.startswith("To confirm: move your appointment from "), read_back
    await driver.text("yes")
    moved = await driver.rows("""SELECT id::text AS id, status::text AS status, scheduled_start FROM appointments
                                 WHERE clinic_id = %s AND rescheduled_from_id = %s""", row["id"])
    assert len(moved) == 1 and moved[0]["status"] == "SCHEDULED"
    assert moved[0]["scheduled_start"].date() == datetime(2031, 3, 6).date()
    assert await status_of(driver, row["id"]) == "CANCELLED"


async def test_c_from_a_number_that_got_no_reminder_cancels_nothing(sms):
    driver, row = await reminded(sms)
    reply = await driver.text("C", sender="+13125550145")
    assert not reply.startswith("Just to confirm")
    assert await status_of(driver, row["id"]) == "SCHEDULED"
