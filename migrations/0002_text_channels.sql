-- 0002: text channels (Twilio SMS, web chat) and consent.
--
-- No table here holds a phone number or a message body: a patient's number appears only as
-- `subject_ref`, a keyed hash (HMAC-SHA256 under a key derived from SECRET_KEY) of
-- "channel:number". Every table carries clinic_id and every query filters by it.

-- Consent given or withdrawn, per clinic, channel and subject, append-only in spirit
-- (the matching CONSENT_GIVEN / CONSENT_WITHDRAWN audit event is written in the same transaction).
CREATE TABLE consent_events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id   uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    channel     varchar(20) NOT NULL CHECK (channel IN ('sms', 'voice', 'web', 'api')),
    subject_ref char(64) NOT NULL,
    patient_id  uuid,
    kind        varchar(20) NOT NULL CHECK (kind IN ('opt_out', 'opt_in')),
    source      varchar(50),            -- e.g. the carrier keyword received ("STOP"), never free text
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_events_subject ON consent_events (clinic_id, channel, subject_ref, created_at DESC);

-- The current SMS opt-out state: a row exists while the number is opted out of this clinic's number.
CREATE TABLE sms_opt_outs (
    clinic_id    uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    subject_ref  char(64) NOT NULL,
    opted_out_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clinic_id, subject_ref)
);

-- Inbound MessageSids already taken for processing: a Twilio retry of the same message finds its
-- row and is answered with nothing (the unique key makes the claim safe under concurrency).
CREATE TABLE sms_inbound_messages (
    clinic_id   uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    message_sid varchar(64) NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clinic_id, message_sid)
);
CREATE INDEX sms_inbound_received ON sms_inbound_messages (received_at);

-- Outbound notification texts (booking / cancellation / reschedule confirmations). One row per
-- (appointment, kind): the row is claimed before sending, so a notice is never texted twice.
CREATE TABLE sms_outbound_messages (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id      uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    subject_ref    char(64) NOT NULL,
    kind           varchar(20) NOT NULL CHECK (kind IN ('booked', 'cancelled', 'rescheduled')),
    appointment_id uuid NOT NULL,
    message_sid    varchar(64),
    status         varchar(20) NOT NULL DEFAULT 'pending',   -- 'pending' until Twilio accepts it
    error_code     varchar(20),
    created_at     timestamptz NOT NULL DEFAULT now(),
    status_at      timestamptz,
    UNIQUE (clinic_id, appointment_id, kind)
);
CREATE UNIQUE INDEX sms_outbound_sid ON sms_outbound_messages (clinic_id, message_sid) WHERE message_sid IS NOT NULL;
CREATE INDEX sms_outbound_subject ON sms_outbound_messages (clinic_id, subject_ref, created_at DESC);

-- Every delivery status callback as received (they can arrive out of order).
CREATE TABLE sms_status_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clinic_id   uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    message_sid varchar(64) NOT NULL,
    status      varchar(20) NOT NULL,
    error_code  varchar(20),
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_status_events_sid ON sms_status_events (clinic_id, message_sid, received_at);

-- How far along Twilio's message life cycle a status is, so a late "sent" never overwrites "delivered".
CREATE FUNCTION sms_status_rank(text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE $1
        WHEN 'pending' THEN 0 WHEN 'accepted' THEN 1 WHEN 'scheduled' THEN 1 WHEN 'queued' THEN 2
        WHEN 'sending' THEN 3 WHEN 'sent' THEN 4
        WHEN 'delivered' THEN 5 WHEN 'read' THEN 6
        WHEN 'undelivered' THEN 5 WHEN 'failed' THEN 5 WHEN 'canceled' THEN 5
        ELSE 0 END $$;
