-- 0004: every save of a session increments its version. Redis keeps a copy of the session with the
-- version it was saved at; a read uses that copy only when PostgreSQL (the source of truth) holds
-- the same version, so a copy Redis kept through an outage never brings a conversation back in time.
ALTER TABLE sessions ADD COLUMN version bigint NOT NULL DEFAULT 0;
