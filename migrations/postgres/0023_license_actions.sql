-- Licence-action letters (函告, art. 7(2)3): a supervision department asks the issuing bureau
-- to change, withdraw, revoke or cancel a licence it supervises; the bureau decides within
-- --license-action-working-days (a `license_action_decision` duty, subject_id = the letter's
-- id). Instants are milliseconds (BIGINT).
CREATE TABLE license_actions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    license_id BIGINT NOT NULL REFERENCES licenses(id),
    license_no TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('change', 'withdraw', 'revoke', 'cancel')),
    -- The penalty decision the request rests on, or the facts (at least one of them).
    basis_decision_no TEXT,
    basis_decision_date TEXT,
    basis_facts TEXT,
    reason TEXT,
    requester_department_id BIGINT NOT NULL REFERENCES departments(id),
    -- The issuing bureau that decides (the licence's approval department).
    bureau_department_id BIGINT NOT NULL REFERENCES departments(id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    decision_no TEXT,
    decision_date TEXT,
    effective_date TEXT,
    reasons TEXT,
    -- The push delivering the decision.
    decision_push_id BIGINT REFERENCES pushes(id)
);
CREATE INDEX license_actions_state ON license_actions (state, id);
CREATE INDEX license_actions_requester ON license_actions (requester_department_id, id);
CREATE INDEX license_actions_bureau ON license_actions (bureau_department_id, id);
CREATE INDEX license_actions_license ON license_actions (license_id, id);
CREATE INDEX license_actions_decided ON license_actions (decided_at);

-- Evidence files, stored in the database (both engines, so a backup, a restore and the access
-- rules cover them with the letter; no data directory to keep in step). The bytes are checked
-- against sha256 (hex) on the way in.
CREATE TABLE license_action_files (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_id BIGINT NOT NULL REFERENCES license_actions(id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX license_action_files_action ON license_action_files (action_id, id);
