-- A dispute's answer_due is a working-day deadline like every other: it carries the
-- provisional mark when it runs through a year whose holiday notice is not yet published.
-- Existing rows start unmarked; the server re-derives every running deadline at start-up.
ALTER TABLE disputes ADD COLUMN answer_due_provisional BOOLEAN NOT NULL DEFAULT FALSE;
