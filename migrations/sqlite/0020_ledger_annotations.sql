-- The whole ledger (arts. 14–15, docs/STATISTICS.md "Accountability ledger"): a duty officer's
-- annotations on a record (e.g. "justified: documented system outage"), kept beside it; the
-- record itself never changes. Neither records nor annotations are ever deleted: no code path
-- deletes them, and these triggers refuse it from any other client too.
CREATE TABLE accountability_annotations (
    id INTEGER PRIMARY KEY,
    accountability_id INTEGER NOT NULL REFERENCES accountability(id),
    decision TEXT NOT NULL CHECK (decision IN ('justified', 'upheld', 'note')),
    text TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX accountability_annotations_record ON accountability_annotations (accountability_id, id);

CREATE TRIGGER accountability_never_deleted BEFORE DELETE ON accountability
BEGIN
    SELECT RAISE(ABORT, 'accountability records are never deleted (arts. 14-15)');
END;
CREATE TRIGGER accountability_annotations_never_deleted BEFORE DELETE ON accountability_annotations
BEGIN
    SELECT RAISE(ABORT, 'accountability annotations are never deleted (arts. 14-15)');
END;
CREATE TRIGGER accountability_annotations_never_changed BEFORE UPDATE ON accountability_annotations
BEGIN
    SELECT RAISE(ABORT, 'an accountability annotation is never changed: add another (arts. 14-15)');
END;
