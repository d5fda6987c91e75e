-- Verification of commitments (核验, art. 8). The deadlines are duties (kinds 'verification'
-- and 'reverification', subject_id = the task's id). Instants are milliseconds (INTEGER).
CREATE TABLE verification_tasks (
    id INTEGER PRIMARY KEY,
    -- The notify-and-commit approval push that opened it (one task per push).
    push_id INTEGER NOT NULL UNIQUE REFERENCES pushes(id),
    license_no TEXT NOT NULL,
    -- The bureau department that verifies (the push's source).
    department_id INTEGER NOT NULL REFERENCES departments(id),
    catalogue_item_id INTEGER NOT NULL REFERENCES catalogue_items(id),
    catalogue_version INTEGER NOT NULL,
    compliance_date TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'rectifying', 'passed', 'revoked')),
    revocation_reason TEXT CHECK (revocation_reason IN ('reverification_failed', 'broken_commitment', 'false_materials')),
    -- The push delivering the revocation decision, and the supervision push that reported a breach.
    revocation_push_id INTEGER REFERENCES pushes(id),
    breach_push_id INTEGER REFERENCES pushes(id),
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX verification_tasks_license ON verification_tasks (license_no, id);
CREATE INDEX verification_tasks_state ON verification_tasks (state, id);
CREATE INDEX verification_tasks_revoked ON verification_tasks (revoked_at);

-- The recorded results: round 1 the verification, round 2 the re-verification.
CREATE TABLE verification_results (
    task_id INTEGER NOT NULL REFERENCES verification_tasks(id),
    round INTEGER NOT NULL CHECK (round IN (1, 2)),
    outcome TEXT NOT NULL CHECK (outcome IN ('pass', 'fail')),
    findings TEXT,
    -- JSON array of the participating supervision departments' ids.
    departments TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (task_id, round)
);
