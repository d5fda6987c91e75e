-- The tamper-evident audit chain (docs/AUDIT.md). Each record gets its place in the chain
-- (`seq`, 1, 2, 3, … with no gaps: the record number) and the SHA-256 of the record before
-- (`prev_hash`) and of itself (`hash`) over the canonical encoding, in lowercase hex.
-- `audit_chain` holds the head: the last record's number and hash, updated in the same
-- transaction as every append (on PostgreSQL its row lock serialises appends across instances).
-- Records written before this migration are chained at the first start-up (`db::audit::adopt`,
-- in id order) — SQLite has no SHA-256 in SQL. The head row is created by that adoption: no row
-- means "not yet chained".
ALTER TABLE audit_log ADD COLUMN seq INTEGER;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);

CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
