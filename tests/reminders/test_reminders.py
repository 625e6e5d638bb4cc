"""Reminders as a patient and a clinic see them: one text per appointment, from the clinic's
number, at a decent hour, never to a number that opted out, never for a cancelled or past visit,
and never twice, whatever Twilio or a crashed sender did in between."""
from __future__ import annotations

from datetime import datetime, timedelta

from storage.reminders import ReminderRepository
from storage.crypto import FieldCipher
from tests.reminders.conftest import QUIET, reminder_rows, seed

# Tuesday 4 March 2031, 10:00 in Chicago (the demo clinic's zone): far from the real clock, so a
# real-time run elsewhere in the suite never finds these appointments due.
NOW = datetime.fromisoformat("2031-03-04T10:00:00-06:00")


async def test_a_due_reminder_is_texted_once_from_the_clinic_number(reminder_clinic, pool, make_job, standin):
    clinic = await reminder_clinic()
    due, = await seed(pool, clinic.id, NOW + timedelta(hours=20))                        # due 4 h ago
    later, = await seed(pool, clinic.id, NOW + timedelta(hours=30), first_number=1)      # due in 6 h
    job = make_job()
    assert (await job.run_once(NOW, clinic.id)).sent == 1
    assert [(m["to"], m["from"]) for m in standin.messages] == [(due["phone"], clinic.data["phone"])]
    body = standin.messages[0]["body"]
    assert body.startswith(f"{clinic.data['name']}: reminder of your appointment with ")
    assert "Wednesday, March 5th at 6 AM" in body and "Reply C to cancel, R to reschedule." in body
    rows = {r["id"]: r for r in await reminder_rows(pool, clinic.id)}
    assert rows[due["id"]]["reminder_state"] == "sent" and rows[due["id"]]["reminder_count"] == 1
    assert rows[due["id"]]["reminder_message_sid"] == standin.messages[0]["sid"]
    assert rows[later["id"]]["reminder_sent_at"] is None
    # later runs: the first is never texted again; the second goes out once it is due
    assert (await job.run_once(NOW + timedelta(hours=1), clinic.id)).sent == 0
    assert (await job.run_once(NOW + timedelta(hours=6, minutes=1), clinic.id)).sent == 1
    assert (await job.run_once(NOW + timedelta(hours=7), clinic.id)).sent == 0
    assert sorted(m["to"] for m in standin.messages) == sorted([due["phone"], later["phone"]])


async def test_an_opted_out_number_gets_nothing(reminder_clinic, pool, make_job, standin, services):
    clinic = await reminder_clinic()
    row, = await seed(pool, clinic.id, NOW + timedelta(hours=20))
    await services.consent.opt_out(clinic.id, "sms", row["phone"], source="STOP")
    result = await make_job().run_once(NOW, clinic.id)
    assert result.sent == 0 and result.by_reason == {"opted_out": 1}
    assert standin.messages == []
    state, = await reminder_rows(pool, clinic.id)
    assert (state["reminder_state"], state["reminder_sent_at"]) == ("skipped", None)
    assert (await make_job().run_once(NOW + timedelta(hours=1), clinic.id)).skipped == 0      # decided once


async def test_cancelled_and_past_appointments_get_nothing(reminder_clinic, pool, make_job, standin):
    clinic = await reminder_clinic()
    await seed(pool, clinic.id, NOW + timedelta(hours=20), status="CANCELLED")
    await seed(pool, clinic.id, NOW - timedelta(minutes=30), first_number=1)
    await seed(pool, clinic.id, NOW + timedelta(hours=21), first_number=2, status="NO_SHOW")
    assert (await make_job().run_once(NOW, clinic.id)).sent == 0
    assert standin.messages == []


async def test_a_clinic_with_reminders_off_sends_none(reminder_clinic, pool, make_job, standin):
    clinic = await reminder_clinic()
    await seed(pool, clinic.id, NOW + timedelta(hours=2), hours=0)
    assert (await make_job().run_once(NOW, clinic.id)).sent == 0 and standin.messages == []


async def test_quiet_hours_in_the_clinics_zone(reminder_clinic, pool, make_job, standin):
    """Quiet 20:00-08:00 Chicago time. Due at 21:00 (a 9:00 visit, 12 h ahead): due from 19:00, the
    last hour before quiet. Due at 18:00 but first seen at 21:00: waits for 08:00. Due in the
    evening, unsent by 20:00, and the visit before 08:00: never (not after the visit)."""
    clinic = await reminder_clinic()
    day = datetime.fromisoformat("2031-03-04T00:00:00-06:00")
    nine, = await seed(pool, clinic.id, day + timedelta(hours=33), hours=12)                  # Wed 09:00
    six_am, = await seed(pool, clinic.id, day + timedelta(hours=30), first_number=1)          # Wed 06:00
    job = make_job()
    texted = lambda: {m["to"] for m in standin.messages}  # noqa: E731
    assert (await job.run_once(day + timedelta(hours=18, minutes=30), clinic.id)).sent == 1              # Tue 18:30
    assert texted() == {six_am["phone"]}                                                      # due Tue 18:00
    assert (await job.run_once(day + timedelta(hours=19, minutes=5), clinic.id)).sent == 1               # Tue 19:05
    assert texted() == {six_am["phone"], nine["phone"]}


async def test_nothing_is_sent_at_night_and_the_morning_catches_up(reminder_clinic, pool, make_job, standin):
    clinic = await reminder_clinic()
    day = datetime.fromisoformat("2031-03-04T00:00:00-06:00")
    evening, = await seed(pool, clinic.id, day + timedelta(hours=42), hours=24)               # Wed 18:00, due Tue 18:00
    early, = await seed(pool, clinic.id, day + timedelta(hours=31, minutes=30), first_number=1)  # Wed 07:30
    await seed(pool, clinic.id, day + timedelta(hours=10), first_number=2)                    # (past by then)
    job = make_job()
    for hour in (21, 23, 26, 31):                                                             # Tue 21:00 .. Wed 07:00
        assert (await job.run_once(day + timedelta(hours=hour), clinic.id)).sent == 0
    assert standin.messages == []
    assert (await job.run_once(day + timedelta(hours=32), clinic.id)).sent == 1                          # Wed 08:00
    assert {m["to"] for m in standin.messages} == {evening["phone"]}                          # 07:30 is over


async def test_a_daylight_saving_night_keeps_local_hours(reminder_clinic, pool, make_job, standin):
    """Sunday 9 March 2031 springs forward in Chicago: quiet hours and due times stay on the wall clock."""
    clinic = await reminder_clinic()
    start = datetime.fromisoformat("2031-03-10T09:00:00-05:00")                  # Monday 09:00 CDT
    row, = await seed(pool, clinic.id, start, hours=24)                          # due Sunday 09:00 CDT
    job = make_job()
    assert (await job.run_once(datetime.fromisoformat("2031-03-09T08:30:00-05:00"), clinic.id)).sent == 0
    assert (await job.run_once(datetime.fromisoformat("2031-03-09T09:00:00-05:00"), clinic.id)).sent == 1
    assert standin.messages[0]["to"] == row["phone"]


async def test_a_moved_appointment_is_reminded_unless_moved_inside_its_window(reminder_clinic, pool, make_job,
                                                                              standin):
    clinic = await reminder_clinic()
    old, = await seed(pool, clinic.id, NOW + timedelta(hours=5), status="CANCELLED")
    moved_early, = await seed(pool, clinic.id, NOW + timedelta(hours=20), first_number=1)
    moved_late, = await seed(pool, clinic.id, NOW + timedelta(hours=22), first_number=2)
    async with pool.connection() as conn:
        for row, created in ((moved_early, NOW - timedelta(days=3)), (moved_late, NOW - timedelta(minutes=5))):
            await conn.execute("UPDATE appointments SET rescheduled_from_id = %s, created_at = %s WHERE id = %s",
                               (old["id"], created, row["id"]))
    assert (await make_job().run_once(NOW, clinic.id)).sent == 1
    assert [m["to"] for m in standin.messages] == [moved_early["phone"]]


async def test_a_twilio_5xx_leaves_it_retryable_and_the_retry_sends_once(reminder_clinic, pool, make_job, standin):
    clinic = await reminder_clinic()
    await seed(pool, clinic.id, NOW + timedelta(hours=20))
    standin.fail_status = 503
    first = await make_job().run_once(NOW, clinic.id)
    assert (first.sent, first.unsure) == (0, 1) and standin.messages == []
    row, = await reminder_rows(pool, clinic.id)
    assert row["reminder_sent_at"] is None and row["reminder_state"] == "unsure"
    standin.fail_status = None
    assert (await make_job().run_once(NOW + timedelta(minutes=5), clinic.id)).sent == 1
    assert len(standin.messages) == 1
    assert [method for method, _ in standin.requests] == ["POST", "GET", "POST"]     # Twilio was asked first
    assert (await make_job().run_once(NOW + timedelta(minutes=10), clinic.id)).sent == 0
    assert len(standin.messages) == 1
    row, = await reminder_rows(pool, clinic.id)
    assert (row["reminder_state"], row["reminder_count"], row["reminder_attempts"]) == ("sent", 1, 2)


async def test_a_5xx_after_twilio_took_the_text_never_sends_it_again(reminder_clinic, pool, make_job, standin):
    clinic = await reminder_clinic()
    await seed(pool, clinic.id, NOW + timedelta(hours=20))
    standin.fail_status, standin.fail_after_accepting = 500, True
    assert (await make_job().run_once(NOW, clinic.id)).unsure == 1
    assert len(standin.messages) == 1                                       # Twilio has it, we don't know
    standin.fail_status = None
    second = await make_job().run_once(NOW + timedelta(minutes=5), clinic.id)
    assert (second.sent, second.found_sent) == (0, 1)
    assert len(standin.messages) == 1
    row, = await reminder_rows(pool, clinic.id)
    assert row["reminder_state"] == "sent" and row["reminder_message_sid"] == standin.messages[0]["sid"]


async def test_a_timeout_is_retried_without_a_second_text(reminder_clinic, pool, make_job, standin):
    clinic = await reminder_clinic()
    await seed(pool, clinic.id, NOW + timedelta(hours=20))
    await seed(pool, clinic.id, NOW + timedelta(hours=21), first_number=1)
    standin.delay = 1.5                                                      # created, answered too late
    first = await make_job(timeout=0.5).run_once(NOW, clinic.id)
    assert (first.sent, first.unsure) == (0, 2)
    standin.delay = 0
    second = await make_job().run_once(NOW + timedelta(minutes=5), clinic.id)
    assert second.found_sent == 2 and second.sent == 0
    assert len(standin.messages) == 2 and len({m["to"] for m in standin.messages}) == 2


async def test_twilio_down_is_retried_and_a_bad_number_is_not(reminder_clinic, pool, make_job, standin, settings):
    clinic = await reminder_clinic()
    await seed(pool, clinic.id, NOW + timedelta(hours=20))
    standin.fail_status = 429
    assert (await make_job().run_once(NOW, clinic.id)).retry == 1
    standin.fail_status = None
    assert (await make_job().run_once(NOW + timedelta(minutes=5), clinic.id)).sent == 1
    assert [r[0] for r in standin.requests] == ["POST", "POST"]           # a 429 needs no check
    other = await reminder_clinic()
    await seed(pool, other.id, NOW + timedelta(hours=20))
    standin.fail_status = 400
    assert (await make_job().run_once(NOW + timedelta(minutes=6), other.id)).failed == 1
    standin.fail_status = None
    assert (await make_job().run_once(NOW + timedelta(minutes=10), other.id)).sent == 0


async def test_a_claim_left_by_a_dead_sender_is_checked_then_sent_once(reminder_clinic, pool, make_job, standin,
                                                                       settings):
    """A process claims two reminders and dies: one before its request left, one after Twilio
    took it. Until the claim's lease (10 minutes) runs out nobody touches them; then each is checked
    with Twilio: the one Twilio has is marked sent, the other is texted. One text each."""
    clinic = await reminder_clinic()
    rows = await seed(pool, clinic.id, NOW + timedelta(hours=20), count=2)
    repo = ReminderRepository(pool, FieldCipher(settings.secret_key))
    claims = await repo.claim_due(NOW, QUIET, clinic_id=clinic.id)
    assert len(claims) == 2
    job = make_job()
    from channels.reminders import reminder_text
    sent_by_the_dead = next(c for c in claims if c.appointment_id == rows[0]["id"])
    job.client.messages.create(to=rows[0]["phone"], from_=clinic.data["phone"], body=reminder_text(sent_by_the_dead))
    assert (await job.run_once(NOW + timedelta(minutes=5), clinic.id)).sent == 0            # still within the lease
    result = await job.run_once(NOW + timedelta(minutes=11), clinic.id)
    assert (result.found_sent, result.sent) == (1, 1)
    assert sorted(m["to"] for m in standin.messages) == sorted(r["phone"] for r in rows)
    assert all(r["reminder_state"] == "sent" for r in await reminder_rows(pool, clinic.id))


async def test_a_reminder_twilio_keeps_refusing_is_given_up_after_ten_tries(reminder_clinic, pool, make_job,
                                                                             standin):
    clinic = await reminder_clinic()
    await seed(pool, clinic.id, NOW + timedelta(hours=20))
    standin.fail_status = 503
    job = make_job()
    outcomes = [await job.run_once(NOW + timedelta(minutes=5 * i), clinic.id) for i in range(11)]
    assert [o.unsure for o in outcomes[:9]] == [1] * 9 and outcomes[9].failed == 1
    assert outcomes[10].sent == outcomes[10].failed == outcomes[10].unsure == 0
    row, = await reminder_rows(pool, clinic.id)
    assert (row["reminder_state"], row["reminder_attempts"], row["reminder_sent_at"]) == ("failed", 10, None)
    assert standin.messages == []


def test_the_check_before_a_resend_matches_the_words_twilio_kept():
    from channels.reminders import same_words
    ours = "Café Clinic: reminder of your appointment with Dr. Ana O’Brien on Monday. Reply C to cancel."
    assert same_words("Cafe Clinic: reminder of your appointment with Dr. Ana O'Brien on Monday. Reply C to cancel.",
                      ours)
    assert not same_words("Cafe Clinic: reminder of your appointment with Dr. Ana O'Brien on Tuesday. Reply C to "
                          "cancel.", ours)
    assert not same_words(None, ours)


async def test_twilio_refusing_our_account_stops_the_run_and_loses_no_reminder(reminder_clinic, pool, make_job,
                                                                               standin):
    """A rotated auth token answers 401 to every send: that says nothing about the patients' numbers.
    The run stops claiming after the first batch, nothing is marked failed however long it lasts, and
    every reminder goes out once the account works again."""
    clinic = await reminder_clinic()
    await seed(pool, clinic.id, NOW + timedelta(hours=20), count=3)
    standin.fail_status = 401
    job = make_job()
    job.batch = 1
    for i in range(12):                                    # longer than the ten tries a bad number gets
        result = await job.run_once(NOW + timedelta(minutes=5 * i), clinic.id)
        assert (result.retry, result.failed) == (1, 0) and result.halted.startswith("twilio 401"), result
    assert {r["reminder_state"] for r in await reminder_rows(pool, clinic.id)} <= {"retry", None}
    standin.fail_status = None
    assert (await job.run_once(NOW + timedelta(hours=1), clinic.id)).sent == 3
    assert len(standin.messages) == 3
