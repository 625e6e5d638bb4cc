-- 0004: audit rows say which hash format their row_hash uses. Rows before this migration are
-- format 1 (ip_address and user_agent are not hashed) and stay verifiable as they are; rows
-- written from now on are format 2, which also covers ip_address and user_agent.
-- Adding a column with a constant default rewrites no row, so the append-only triggers stay quiet.
ALTER TABLE audit_logs ADD COLUMN hash_version smallint NOT NULL DEFAULT 1
    CHECK (hash_version IN (1, 2));
ALTER TABLE audit_logs ALTER COLUMN hash_version SET DEFAULT 2;
