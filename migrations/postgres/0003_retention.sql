-- Housekeeping: idempotency records and long-expired sessions are purged by age.
CREATE INDEX idempotency_created ON idempotency (created_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
