-- 0006: the front desk. Every handoff from any channel is a record staff can see, claim and close;
-- front-desk staff sign in to the staff page with their own accounts (never the clinic's API key).
--
-- A handoff's transcript is already redacted by the safety pipeline; its summary never holds a date
-- of birth or a full phone number. The callback number is the caller's or texter's own number.

CREATE TABLE handoffs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id       uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    channel         varchar(10) NOT NULL CHECK (channel IN ('voice', 'sms', 'webchat', 'api')),
    status          varchar(12) NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'ringing', 'connected', 'missed', 'claimed', 'closed')),
    reason          varchar(200) NOT NULL,
    summary         text NOT NULL,
    transcript      jsonb NOT NULL DEFAULT '[]'::jsonb,
    conversation_id varchar(100) NOT NULL,
    patient_id      uuid,
    patient_name    varchar(200),
    callback_number varchar(50),
    claimed_by      varchar(255),
    claimed_at      timestamptz,
    closed_at       timestamptz,
    close_note      text,
    call_sid        varchar(64),
    conference_name varchar(100),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (clinic_id, id)
);
-- One live handoff per conversation: a retried turn, or a patient asking twice, finds the same record.
CREATE UNIQUE INDEX handoffs_one_live ON handoffs (clinic_id, channel, conversation_id) WHERE status <> 'closed';
CREATE INDEX handoffs_clinic_status ON handoffs (clinic_id, status, created_at DESC);
CREATE INDEX handoffs_call ON handoffs (clinic_id, call_sid) WHERE call_sid IS NOT NULL;

-- Front-desk staff of one clinic. Emails are unique across the deployment (the sign-in form asks for
-- the email only). Failed sign-ins are counted per account: past the limit it is locked for a while.
CREATE TABLE staff_accounts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id       uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    email           varchar(255) NOT NULL,
    password_hash   text NOT NULL,
    is_active       boolean NOT NULL DEFAULT true,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_accounts_email ON staff_accounts (lower(email));
CREATE INDEX staff_accounts_clinic ON staff_accounts (clinic_id);
