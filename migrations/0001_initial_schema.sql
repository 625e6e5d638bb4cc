-- 0001: the seed's schema (clinics, providers, patients, appointments, sessions, audit_logs),
-- timestamptz everywhere, and two guarantees kept by PostgreSQL itself:
--   1. no two live appointments of one provider overlap (exclusion constraint);
--   2. audit_logs is append-only (a trigger rejects UPDATE, DELETE and TRUNCATE).

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TYPE clinic_status AS ENUM ('ACTIVE', 'SUSPENDED', 'INACTIVE');
CREATE TYPE provider_status AS ENUM ('ACTIVE', 'INACTIVE', 'ON_LEAVE');
CREATE TYPE appointment_status AS ENUM (
    'SCHEDULED', 'CONFIRMED', 'CHECKED_IN', 'COMPLETED', 'CANCELLED', 'NO_SHOW'
);
CREATE TYPE audit_action AS ENUM (
    'CREATE', 'UPDATE', 'DELETE', 'LOGIN', 'SAFETY_TRIGGER', 'EMERGENCY', 'PHI_DETECTED',
    'APPOINTMENT_BOOKED', 'APPOINTMENT_CANCELLED', 'CONSENT_GIVEN', 'CONSENT_WITHDRAWN'
);

-- An accent- and case-insensitive form of a name, usable in an index.
CREATE FUNCTION fold_name(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE TABLE clinics (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                   varchar(255) NOT NULL,
    slug                   varchar(100) NOT NULL UNIQUE,
    email                  varchar(255),
    phone                  varchar(50),
    address                text,
    timezone               varchar(50) NOT NULL,
    api_key_hash           varchar(255) NOT NULL UNIQUE,
    settings               jsonb NOT NULL DEFAULT '{}',
    ehr_provider           varchar(50),
    ehr_credentials        jsonb,
    business_hours         jsonb NOT NULL,
    status                 clinic_status NOT NULL DEFAULT 'ACTIVE',
    default_reminder_hours integer NOT NULL DEFAULT 24,
    rate_limit_tier        varchar(20) NOT NULL DEFAULT 'standard'
        CHECK (rate_limit_tier IN ('free', 'standard', 'professional', 'enterprise', 'unlimited')),
    rate_limit_rpm         integer NOT NULL DEFAULT 60,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    is_deleted             boolean NOT NULL DEFAULT false,
    deleted_at             timestamptz
);
-- Inbound calls and texts find their clinic by the number dialled.
CREATE UNIQUE INDEX clinics_phone_live ON clinics (phone) WHERE NOT is_deleted AND phone IS NOT NULL;

CREATE TABLE providers (
    id                           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id                    uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    external_id                  varchar(100),
    first_name                   varchar(100) NOT NULL,
    last_name                    varchar(100) NOT NULL,
    title                        varchar(50),
    specialty                    varchar(100),
    email                        varchar(255),
    phone                        varchar(50),
    status                       provider_status NOT NULL DEFAULT 'ACTIVE',
    schedule                     jsonb,
    default_appointment_duration integer NOT NULL DEFAULT 30
        CHECK (default_appointment_duration BETWEEN 5 AND 480),
    accepting_new_patients       boolean NOT NULL DEFAULT true,
    npi                          varchar(20),
    bio                          text,
    languages                    jsonb NOT NULL DEFAULT '["en"]',
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    is_deleted                   boolean NOT NULL DEFAULT false,
    deleted_at                   timestamptz,
    UNIQUE (clinic_id, id)
);
CREATE INDEX providers_clinic ON providers (clinic_id) WHERE NOT is_deleted;
CREATE INDEX providers_clinic_specialty ON providers (clinic_id, lower(specialty)) WHERE NOT is_deleted;

CREATE TABLE patients (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id          uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    external_id        varchar(100),
    first_name         varchar(100) NOT NULL,
    last_name          varchar(100) NOT NULL,
    email              varchar(255),
    phone              varchar(50),
    date_of_birth      date,
    gender             varchar(20),
    street_address     varchar(255),
    city               varchar(100),
    state              varchar(50),
    zip_code           varchar(20),
    notes              text,
    phone_verified     boolean NOT NULL DEFAULT false,
    email_verified     boolean NOT NULL DEFAULT false,
    preferred_language varchar(10) NOT NULL DEFAULT 'en',
    sms_opt_in         boolean NOT NULL DEFAULT false,
    email_opt_in       boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    is_deleted         boolean NOT NULL DEFAULT false,
    deleted_at         timestamptz,
    UNIQUE (clinic_id, id)
);
-- Identification: last name + date of birth, case- and accent-insensitive.
CREATE INDEX patients_identify ON patients (clinic_id, fold_name(last_name), date_of_birth) WHERE NOT is_deleted;
CREATE INDEX patients_phone ON patients (clinic_id, phone) WHERE NOT is_deleted;

CREATE TABLE appointments (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id            uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    provider_id          uuid NOT NULL,
    patient_id           uuid NOT NULL,
    external_id          varchar(100),
    scheduled_start      timestamptz NOT NULL,
    scheduled_end        timestamptz NOT NULL,
    duration_minutes     integer NOT NULL CHECK (duration_minutes > 0),
    visit_type           varchar(100),
    reason               text,
    notes                text,
    status               appointment_status NOT NULL DEFAULT 'SCHEDULED',
    confirmed_at         timestamptz,
    reminder_sent_at     timestamptz,
    cancelled_at         timestamptz,
    cancellation_reason  text,
    cancelled_by         varchar(50),
    checked_in_at        timestamptz,
    completed_at         timestamptz,
    is_new_patient_visit boolean NOT NULL DEFAULT false,
    special_instructions text,
    rescheduled_from_id  uuid REFERENCES appointments(id),
    booked_via           varchar(50) NOT NULL CHECK (booked_via IN ('web', 'sms', 'voice', 'api', 'import')),
    idempotency_key      varchar(255),
    reminder_count       integer NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    is_deleted           boolean NOT NULL DEFAULT false,
    deleted_at           timestamptz,
    CHECK (scheduled_end > scheduled_start),
    -- A provider and a patient of another clinic can never be referenced.
    FOREIGN KEY (clinic_id, provider_id) REFERENCES providers (clinic_id, id) ON DELETE CASCADE,
    FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
    -- Guarantee 1: two live appointments of one provider never overlap.
    CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
        provider_id WITH =,
        tstzrange(scheduled_start, scheduled_end, '[)') WITH &&
    ) WHERE (status <> 'CANCELLED' AND NOT is_deleted)
);
CREATE UNIQUE INDEX appointments_idempotency ON appointments (clinic_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX appointments_clinic_start ON appointments (clinic_id, scheduled_start) WHERE NOT is_deleted;
CREATE INDEX appointments_provider_start ON appointments (provider_id, scheduled_start)
    WHERE status <> 'CANCELLED' AND NOT is_deleted;
CREATE INDEX appointments_patient_start ON appointments (clinic_id, patient_id, scheduled_start) WHERE NOT is_deleted;

CREATE TABLE sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clinic_id       uuid NOT NULL REFERENCES clinics(id) ON DELETE CASCADE,
    channel         varchar(50) NOT NULL CHECK (channel IN ('web', 'sms', 'voice', 'api')),
    channel_user_id varchar(255),
    patient_id      uuid REFERENCES patients(id),
    state           jsonb NOT NULL,
    expires_at      timestamptz NOT NULL,
    message_count   integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_clinic_user ON sessions (clinic_id, channel, channel_user_id, updated_at DESC);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_logs (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    clinic_id     uuid REFERENCES clinics(id) ON DELETE RESTRICT,
    "timestamp"   timestamptz NOT NULL DEFAULT now(),
    action        audit_action NOT NULL,
    resource_type varchar(50),
    resource_id   varchar(100),
    details       jsonb,
    session_id    uuid,
    ip_address    varchar(50),
    user_agent    varchar(500),
    severity      varchar(20) NOT NULL DEFAULT 'info'
        CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    -- Hash chain per clinic: each row carries the hash of the clinic's previous row.
    prev_hash     char(64),
    row_hash      char(64)
);
CREATE INDEX audit_logs_clinic_seq ON audit_logs (clinic_id, seq);
CREATE INDEX audit_logs_resource ON audit_logs (clinic_id, resource_type, resource_id);

-- Guarantee 2: audit_logs is append-only.
CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_logs_no_update_delete BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_append_only();
