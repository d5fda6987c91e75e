-- The whole ledger (arts. 14–15, docs/STATISTICS.md "Accountability ledger"): a duty officer's
-- annotations on a record (e.g. "justified: documented system outage"), kept beside it; the
-- record itself never changes. Neither records nor annotations are ever deleted: no code path
-- deletes them, and these triggers refuse it from any other client too (TRUNCATE included).
CREATE TABLE accountability_annotations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    accountability_id BIGINT NOT NULL REFERENCES accountability(id),
    decision TEXT NOT NULL CHECK (decision IN ('justified', 'upheld', 'note')),
    text TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX accountability_annotations_record ON accountability_annotations (accountability_id, id);

CREATE FUNCTION shenguan_ledger_is_permanent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted or changed (arts. 14-15)', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER accountability_never_deleted BEFORE DELETE ON accountability
    FOR EACH ROW EXECUTE FUNCTION shenguan_ledger_is_permanent();
CREATE TRIGGER accountability_never_truncated BEFORE TRUNCATE ON accountability
    FOR EACH STATEMENT EXECUTE FUNCTION shenguan_ledger_is_permanent();
CREATE TRIGGER accountability_annotations_never_deleted BEFORE DELETE OR UPDATE ON accountability_annotations
    FOR EACH ROW EXECUTE FUNCTION shenguan_ledger_is_permanent();
CREATE TRIGGER accountability_annotations_never_truncated BEFORE TRUNCATE ON accountability_annotations
    FOR EACH STATEMENT EXECUTE FUNCTION shenguan_ledger_is_permanent();
