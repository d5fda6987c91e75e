-- One month for every figure (docs/STATISTICS.md): an accountability record belongs to the
-- month in which its item was received, as in the statistics, not the month its deadline passed
-- (`occurred_at` keeps that instant). Existing records take their delivery's receipt time.
ALTER TABLE accountability ADD COLUMN received_at BIGINT NOT NULL DEFAULT 0;
UPDATE accountability SET received_at = (SELECT d.received_at FROM deliveries d WHERE d.id = accountability.delivery_id);
DROP INDEX accountability_month;
CREATE INDEX accountability_month ON accountability (received_at, department_id);

-- One open question/dispute thread per delivery, enforced by the database: two concurrent
-- `/feedback` calls cannot both open one. A duplicate opened before this rule existed is closed
-- (the oldest open thread stays open) so that the index can be built.
UPDATE disputes SET status = 'resolved', resolved_at = opened_at,
    resolution = '重复的争议，已合并到较早的争议 / duplicate thread, superseded by the older open one'
WHERE status = 'open'
  AND id <> (SELECT MIN(o.id) FROM disputes o WHERE o.delivery_id = disputes.delivery_id AND o.status = 'open');
CREATE UNIQUE INDEX disputes_one_open ON disputes (delivery_id) WHERE status = 'open';

-- Reminders now go out at fixed office-hour times on the deadline's last working day, found by
-- the pending queue index on (status, claim_deadline); the "not yet reminded" index is unused.
DROP INDEX deliveries_remind;
