-- A deactivated account keeps its history (audit lines, claims name it) but cannot sign in.
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;
