"""Twilio SMS end to end: signed webhooks → engine → TwiML; outbound confirmations on the injected
Twilio HTTP client; consent keywords; duplicates; signatures; delivery status. Real PostgreSQL + Redis."""
from __future__ import annotations

import asyncio
from datetime import datetime
from urllib.parse import urlparse

import pytest

from channels.sms_outbound import confirmation_text
from tests.channels.conftest import ACCOUNT_SID

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")   # Friday; "next Tuesday" = 2027-03-09


async def _book(d) -> str:
    """The SMS booking conversation; returns the last reply. Every reply reads well as a text."""
    replies = []
    for text in ["I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985",
                 "annual checkup", "yes"]:
        replies.append(await d.text(text))
    assert "1)" in replies[0] and "2)" in replies[0] and "reply with the number" in replies[0], replies[0]
    assert "date of birth" in replies[2].lower()
    assert "phone" not in replies[3].lower(), f"SMS must not ask for the phone: {replies[3]!r}"
    assert "Shall I book" in replies[4], replies[4]
    for r in replies:
        assert r and len(r) <= 320 and "*" not in r and "\n" not in r, r
    return replies[-1]


async def test_sms_conversation_books_confirms_once_and_c_cancels(sms):
    d = await sms(NOW)
    reply = await _book(d)
    assert "all set" in reply.lower(), reply
    rows = await d.appointments()
    assert [(r["status"], r["booked_via"]) for r in rows] == [("SCHEDULED", "sms")]

    # The confirmation text went out exactly once, from the clinic's number to the sender.
    sent = await d.sent()
    assert len(sent) == 1, sent
    call = sent[0]
    assert call["method"] == "POST"
    assert urlparse(call["uri"]).path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert call["data"]["From"] == d.phone and call["data"]["To"] == d.patient
    assert "Tuesday, March 9th at 8 AM" in call["data"]["Body"] and "Reply C" in call["data"]["Body"]
    assert call["data"]["StatusCallback"] == "https://receptionist.test/webhooks/twilio/sms/status"
    (out,) = await d.rows("SELECT message_sid, status, kind, subject_ref FROM sms_outbound_messages "
                          "WHERE clinic_id = %s")
    assert out["status"] == "queued" and out["kind"] == "booked" and out["message_sid"].startswith("SM")
    assert d.patient not in out["subject_ref"]

    # Delivery status callback: recorded, no PHI, moves forward only.
    for status in ("sent", "delivered", "sent"):
        params = {"MessageSid": out["message_sid"], "MessageStatus": status, "AccountSid": ACCOUNT_SID,
                  "From": d.phone, "To": d.patient}
        r = await d.post("/webhooks/twilio/sms/status", params)
        assert r.status_code == 204
    (out,) = await d.rows("SELECT status FROM sms_outbound_messages WHERE clinic_id = %s")
    assert out["status"] == "delivered"
    events = await d.rows("SELECT status FROM sms_status_events WHERE clinic_id = %s ORDER BY id")
    assert [e["status"] for e in events] == ["sent", "delivered", "sent"]



async def test_c_reply_in_the_same_sms_session_cancels(sms):
    d = await sms(NOW)
    await _book(d)
    assert len(await d.sent()) == 1
    r = await d.text("C")        # the same (clinic, From) session continues: the cancel flow, then read-back
    assert "cancel" in r.lower() and "March 9th" in r, r
    if "confirm" in r.lower():
        r = await d.text("yes")
    assert "cancelled" in r.lower(), r
    assert [a["status"] for a in await d.appointments()] == ["CANCELLED"]
    assert len(await d.sent()) == 2 and "cancelled" in (await d.sent())[1]["data"]["Body"]


async def test_c_reply_to_a_web_booking_confirmation_cancels_over_sms(sms):
    """Booked on the web chat (phone given there): the text arrives; "C" by SMS cancels it."""
    d = await sms(NOW)
    engine = d.services.engine
    session = None
    for text in ["I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985",
                 "(312) 555-0123", "annual checkup", "yes"]:
        reply = await engine.process(d.clinic.id, "web", text, session_id=session)
        session = reply.session_id
    assert reply.state.value == "booked", reply.message
    (sent,) = await d.sent()
    assert sent["data"]["To"] == d.patient and "Reply C" in sent["data"]["Body"]

    r = await d.text("c")
    assert "name" in r.lower(), r         # a new SMS session: who is cancelling?
    r = await d.text("Maria Garcia")
    r = await d.text("03/04/1985")
    assert "cancel" in r.lower() and "March 9th" in r, r
    r = await d.text("yes")
    assert "cancelled" in r.lower(), r
    rows = await d.appointments()
    assert [(a["status"], a["booked_via"]) for a in rows] == [("CANCELLED", "web")]
    assert len(await d.sent()) == 2 and "cancelled" in (await d.sent())[1]["data"]["Body"]


async def test_c_without_a_recent_confirmation_is_not_a_cancel(sms):
    d = await sms(NOW)
    r = await d.text("C")
    assert r and "confirm" not in r.lower(), r      # not turned into "cancel my appointment"
    assert await d.appointments() == []


async def test_stop_start_help(sms):
    d = await sms(NOW)
    r = await d.text("I'd like to book with Dr. Raman next Tuesday morning")
    assert "1)" in r

    r = await d.text("STOP")
    assert "unsubscribed" in r.lower() and "START" in r
    assert await d.text("stop") is None                           # one confirmation, then silence
    assert await d.text("1") is None                              # opted out: nothing, and nothing changes
    state = await d.rows("SELECT count(*) AS n FROM sms_opt_outs WHERE clinic_id = %s")
    assert state[0]["n"] == 1
    help_reply = await d.text("HELP")                             # HELP is answered even when opted out
    assert "Lakeside Family Clinic" in help_reply and "+13125550101" in help_reply

    r = await d.text("Start")
    assert "subscribed again" in r.lower()
    consent = await d.rows("SELECT channel, kind, source, subject_ref, patient_id FROM consent_events "
                           "WHERE clinic_id = %s ORDER BY created_at")
    assert [(c["channel"], c["kind"], c["source"]) for c in consent] == [("sms", "opt_out", "STOP"),
                                                                        ("sms", "opt_in", "START")]
    assert all(len(c["subject_ref"]) == 64 and d.patient not in c["subject_ref"] for c in consent)
    audit = await d.rows("SELECT action::text AS action, details::text AS details FROM audit_logs "
                         "WHERE clinic_id = %s AND action IN ('CONSENT_WITHDRAWN', 'CONSENT_GIVEN') ORDER BY seq")
    assert [a["action"] for a in audit] == ["CONSENT_WITHDRAWN", "CONSENT_GIVEN"]
    assert not any("3125550123" in a["details"] for a in audit)

    # Back in: the conversation continues where it was.
    r = await d.text("1")
    assert r and "name" in r.lower(), r
    assert (await d.sent()) == []


async def test_opted_out_number_gets_no_confirmation_text(sms):
    d = await sms(NOW)
    await d.services.consent.opt_out(d.clinic.id, "sms", d.patient, source="STOP")
    # Booking over the web chat with the opted-out number: no text goes out.
    from dialogue.ports import AppointmentNotice
    engine = d.services.engine
    clinic = await engine.directory.by_id(d.clinic.id)
    notice = AppointmentNotice(kind="booked", clinic=clinic, appointment_id="00000000-0000-0000-0000-000000000001",
                               provider_name="Dr. Priya Raman", start_local="Tuesday, March 9th at 8 AM",
                               patient_phone="(312) 555-0123", channel="web", session_id="s")
    await engine.notifier.appointment_changed(notice)
    assert (await d.sent()) == []
    await d.services.consent.opt_in(d.clinic.id, "sms", d.patient)
    await engine.notifier.appointment_changed(notice)
    await engine.notifier.appointment_changed(notice)            # the same notice again: still one text
    assert len(await d.sent()) == 1
    assert (await d.sent())[0]["data"]["To"] == "+13125550123"
    assert (await d.sent())[0]["data"]["Body"] == confirmation_text(notice)


async def test_bad_signatures_are_403_and_change_nothing(sms):
    d = await sms(NOW)
    params = d.params("I'd like to book with Dr. Raman next Tuesday morning")
    r = await d.post("/webhooks/twilio/sms", params, signed=False)
    assert r.status_code == 403 and r.json()["error"]["code"] == "invalid_signature"
    r = await d.post("/webhooks/twilio/sms", params, signature=d.sign("/webhooks/twilio/sms", params, "wrong-token"))
    assert r.status_code == 403
    tampered = dict(params, Body="cancel everything")
    r = await d.post("/webhooks/twilio/sms", tampered, signature=d.sign("/webhooks/twilio/sms", params))
    assert r.status_code == 403
    stop = d.params("STOP")
    r = await d.post("/webhooks/twilio/sms", stop, signature="bm90IGEgc2lnbmF0dXJl")
    assert r.status_code == 403
    assert await d.rows("SELECT * FROM sms_inbound_messages WHERE clinic_id = %s") == []
    assert await d.rows("SELECT * FROM sms_opt_outs WHERE clinic_id = %s") == []
    assert await d.rows("SELECT * FROM sessions WHERE clinic_id = %s") == []
    # The signed original is then accepted (nothing was consumed by the forgeries).
    assert "1)" in await d.text(params["Body"], sid=params["MessageSid"])
    r = await d.post("/webhooks/twilio/sms/status", {"MessageSid": "SMx", "MessageStatus": "failed",
                                                     "From": d.phone}, signed=False)
    assert r.status_code == 403


async def test_unconfigured_token_refuses(sms):
    import dataclasses
    d = await sms(NOW)
    from voice_agent.app import create_app
    unconfigured = dataclasses.replace(d.settings, twilio_auth_token=None)
    d.app = create_app(unconfigured, dataclasses.replace(d.services, settings=unconfigured))
    r = await d.post("/webhooks/twilio/sms", d.params("hi"))
    assert r.status_code == 403 and "TWILIO_AUTH_TOKEN" in r.json()["error"]["message"]


async def test_duplicate_message_sid_is_processed_once(sms):
    d = await sms(NOW)
    params = d.params("I'd like to book with Dr. Raman next Tuesday morning")
    first, second = await asyncio.gather(d.post("/webhooks/twilio/sms", params),
                                         d.post("/webhooks/twilio/sms", params))
    replies = sorted([_text(first), _text(second)], key=lambda t: t is not None)
    assert replies[0] is None and replies[1] and "1)" in replies[1], replies
    third = await d.post("/webhooks/twilio/sms", params)
    assert _text(third) is None
    sessions = await d.rows("SELECT message_count FROM sessions WHERE clinic_id = %s")
    assert [s["message_count"] for s in sessions] == [1]


async def test_mms_text_is_read_a_bare_picture_is_not_and_unknown_number_is_empty(sms, caplog):
    d = await sms(NOW)
    r = await d.text("", num_media=1)
    assert "only read text" in r
    assert await d.rows("SELECT * FROM sessions WHERE clinic_id = %s") == []
    r = await d.text("I took all of these an hour ago, all of my sleeping pills", num_media=1)
    assert "1-800-222-1222" in r and "988" in r and "can't open pictures" in r    # the words still get help
    params = dict(d.params("hello"), To="+19995550000")
    r = await d.post("/webhooks/twilio/sms", params)
    assert r.status_code == 200 and _text(r) is None
    assert any(rec.levelname == "WARNING" and "no active clinic" in rec.getMessage() for rec in caplog.records)


async def test_phone_numbers_and_bodies_stay_out_of_the_logs(sms, caplog):
    caplog.set_level("DEBUG")
    d = await sms(NOW)
    await _book(d)
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.name.startswith("channels"))
    assert "5550123" not in text and "annual checkup" not in text


def _text(response) -> str | None:
    from tests.channels.conftest import reply_text
    assert response.status_code == 200, response.text
    return reply_text(response.text)


@pytest.mark.parametrize("word", ["UNSUBSCRIBE", "cancel", "Quit."])
async def test_opt_out_synonyms(sms, word):
    d = await sms(NOW)
    r = await d.text(word)
    assert "unsubscribed" in r.lower()
    assert await d.text("hello") is None


async def test_the_booking_reply_does_not_wait_for_the_confirmation_text(sms):
    d = await sms(NOW)
    d.twilio.delay = 2.0                       # a slow Twilio REST API
    for text in ["I'd like to book with Dr. Raman next Tuesday morning", "1", "Maria Garcia", "03/04/1985",
                 "annual checkup"]:
        await d.text(text)
    loop = asyncio.get_running_loop()
    started = loop.time()
    reply = await d.text("yes")
    assert "all set" in reply.lower() and loop.time() - started < 1.5, (reply, loop.time() - started)
    (sent,) = await d.sent()                   # ... and the text still goes out, exactly once
    assert "Reply C" in sent["data"]["Body"]


async def test_a_nul_or_an_impossible_message_sid_is_refused_not_a_500(sms):
    d = await sms(NOW)
    params = d.params("hello")
    params["To"] = d.phone + "\x00"                  # signed, so it reaches the clinic lookup
    r = await d.post("/webhooks/twilio/sms", params)
    assert r.status_code == 400 and r.json()["error"]["code"] == "validation_error"
    assert await d.text("hello", sid="SM" + "0" * 5000) is None     # no Twilio id is that long: ignored
    r = await d.post("/webhooks/twilio/sms/status", {**d.params("x", sid="SM" + "1" * 100), "MessageStatus": "sent"})
    assert r.status_code == 204
    assert (await d.text("hello")) is not None       # the number still works
