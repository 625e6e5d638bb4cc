-- 0008: warm transfer of calls to the front desk (channels/voice/transfer.py).
--
-- A call's handoff (0006) also records the front desk's call leg, whether the caller has been moved
-- out of the media stream (on hold or in the conference), how the transfer ended, and the message the
-- caller left when nobody took the call. Twilio's status callbacks are remembered by a digest of their
-- signature and URL for a day, so a replayed one is refused instead of moving the record twice.

ALTER TABLE handoffs
    ADD COLUMN desk_call_sid    varchar(64),
    ADD COLUMN caller_held_at   timestamptz,
    ADD COLUMN transfer_outcome varchar(20),
    ADD COLUMN transfer_message text;

CREATE INDEX handoffs_desk_call ON handoffs (clinic_id, desk_call_sid) WHERE desk_call_sid IS NOT NULL;

CREATE TABLE twilio_callbacks_seen (
    digest  char(64) PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX twilio_callbacks_seen_at ON twilio_callbacks_seen (seen_at);
