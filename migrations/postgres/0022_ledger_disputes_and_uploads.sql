-- The whole ledger (arts. 14–15): a question or dispute not answered by its deadline is a
-- record against the answering department (one per thread), and an approval push uploaded
-- after its deadline (docs/STATISTICS.md "late uploads") a record against the bureau (one per
-- push).
ALTER TABLE accountability ADD COLUMN dispute_id BIGINT REFERENCES disputes(id);
CREATE UNIQUE INDEX accountability_dispute ON accountability (dispute_id);
CREATE UNIQUE INDEX accountability_upload_late ON accountability (push_id) WHERE rule = 'upload_late';

-- The sweeper judges each thread's answer once, when its deadline comes: on time or a record.
-- Threads already past their deadline are judged on the first sweep after the upgrade.
ALTER TABLE disputes ADD COLUMN answer_judged BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX disputes_unjudged ON disputes (answer_due, id) WHERE answer_judged = FALSE;
