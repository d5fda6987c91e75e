-- The unfiltered view (supervisors, all statuses) in deadline order without a sort.
CREATE INDEX deliveries_deadline ON deliveries (claim_deadline, id);
-- Monthly statistics: per department and status, a covering range scan by receipt time (no
-- sort of the whole month; see docs/BENCHMARKS.md). Replaces the receipt-time-first index.
DROP INDEX deliveries_month;
CREATE INDEX deliveries_month ON deliveries (department_id, status, received_at, claimed_at);
