-- Issue 17: which EHR serves a clinic, its non-secret options, and its credentials (encrypted).
-- clinics.ehr_credentials (jsonb, from 0001) now holds only {"kid": key id, "token": Fernet token}:
-- never plaintext. NULL ehr_provider means the built-in calendar.
ALTER TABLE clinics ADD COLUMN ehr_options jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE clinics ADD COLUMN ehr_credentials_updated_at timestamptz;
UPDATE clinics SET ehr_provider = NULL WHERE ehr_provider = '' OR ehr_provider = 'builtin';
UPDATE clinics SET ehr_credentials = NULL WHERE ehr_credentials IS NOT NULL AND NOT (ehr_credentials ? 'kid');
ALTER TABLE clinics ADD CONSTRAINT clinics_ehr_provider_known
    CHECK (ehr_provider IS NULL OR ehr_provider IN ('drchrono', 'epic', 'cerner', 'google'));
ALTER TABLE clinics ADD CONSTRAINT clinics_ehr_credentials_sealed
    CHECK (ehr_credentials IS NULL OR (ehr_credentials ? 'kid' AND ehr_credentials ? 'token'));
