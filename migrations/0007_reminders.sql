-- 0007: appointment reminders, sent exactly once.
--
-- Each appointment's reminder moves through these states (NULL: nothing tried yet):
--   sending  claimed by one `reminders run` (claim token, claimed_at); the text may be on its way
--   sent     Twilio accepted it (reminder_sent_at, reminder_count = 1, reminder_message_sid)
--   retry    Twilio answered that it did not take the text (429) or the request never left (connect
--            timeout): safe to send on a later run
--   unsure   the request may have reached Twilio (a 5xx, a read timeout, a dropped connection), or its
--            claimant died while `sending`: a later run first asks Twilio whether the text exists
--   skipped  not to be sent (opted out, no mobile number, clinic without a number)
--   failed   Twilio refused it for good (an invalid number) or too many attempts
ALTER TABLE appointments
    ADD COLUMN reminder_state        varchar(10)
        CHECK (reminder_state IN ('sending', 'sent', 'retry', 'unsure', 'skipped', 'failed')),
    ADD COLUMN reminder_claimed_at   timestamptz,
    ADD COLUMN reminder_claim_token  uuid,
    ADD COLUMN reminder_attempts     integer NOT NULL DEFAULT 0,
    ADD COLUMN reminder_message_sid  varchar(64),
    ADD COLUMN reminder_error        varchar(40);

-- The reminder job's scan: live appointments not yet reminded, by start.
CREATE INDEX appointments_reminder_due ON appointments (scheduled_start)
    WHERE reminder_sent_at IS NULL AND NOT is_deleted AND status IN ('SCHEDULED', 'CONFIRMED');

-- A reminder is an outbound text like the confirmations: logged per (appointment, kind) under the
-- number's keyed hash, so a reply "C" / "R" finds the appointment it was about and delivery status
-- callbacks update it. The unique (clinic_id, appointment_id, kind) allows one reminder row per appointment.
ALTER TABLE sms_outbound_messages DROP CONSTRAINT sms_outbound_messages_kind_check;
ALTER TABLE sms_outbound_messages ADD CONSTRAINT sms_outbound_messages_kind_check
    CHECK (kind IN ('booked', 'cancelled', 'rescheduled', 'reminder'));
