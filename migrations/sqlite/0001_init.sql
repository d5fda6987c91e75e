-- Instants are milliseconds since the Unix epoch (INTEGER): portable and index-friendly.
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('approval', 'supervision')),
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE calendar_days (
    notice_year INTEGER NOT NULL,
    date TEXT NOT NULL,
    name TEXT NOT NULL,
    is_off_day BOOLEAN NOT NULL,
    PRIMARY KEY (notice_year, date)
);

CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    imported_at INTEGER NOT NULL
);

CREATE TABLE pushes (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    source_department_id INTEGER NOT NULL REFERENCES departments(id),
    title TEXT NOT NULL,
    counterparty_name TEXT,
    license_no TEXT,
    important BOOLEAN NOT NULL,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    push_id INTEGER NOT NULL REFERENCES pushes(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    source_department_id INTEGER NOT NULL REFERENCES departments(id),
    status TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    claim_deadline INTEGER NOT NULL,
    feedback_deadline INTEGER NOT NULL,
    deadline_provisional BOOLEAN NOT NULL,
    claimed_at INTEGER,
    claimed_by TEXT,
    reminded_at INTEGER,
    escalated BOOLEAN NOT NULL DEFAULT FALSE
);
-- Queues: a department's pending items soonest first, and the all-departments view.
CREATE INDEX deliveries_dept_queue ON deliveries (department_id, status, claim_deadline, id);
CREATE INDEX deliveries_source_queue ON deliveries (source_department_id, status, claim_deadline, id);
CREATE INDEX deliveries_queue ON deliveries (status, claim_deadline, id);
-- Monthly statistics: a covering range scan by receipt time.
CREATE INDEX deliveries_month ON deliveries (received_at, department_id, status, claimed_at);
-- Reminder sweep: pending, not yet reminded.
CREATE INDEX deliveries_remind ON deliveries (claim_deadline) WHERE status = 'pending' AND reminded_at IS NULL;
CREATE INDEX deliveries_push ON deliveries (push_id);

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    raised_by_department_id INTEGER NOT NULL REFERENCES departments(id),
    answering_department_id INTEGER NOT NULL REFERENCES departments(id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    answer_due INTEGER NOT NULL,
    resolved_at INTEGER,
    resolution TEXT
);
CREATE INDEX disputes_delivery ON disputes (delivery_id);
CREATE INDEX disputes_status ON disputes (status, answer_due, id);
CREATE INDEX disputes_month ON disputes (opened_at, raised_by_department_id);

CREATE TABLE dispute_messages (
    id INTEGER PRIMARY KEY,
    dispute_id INTEGER NOT NULL REFERENCES disputes(id),
    author TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    body TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX dispute_messages_dispute ON dispute_messages (dispute_id, id);

CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    by_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX escalations_delivery ON escalations (delivery_id);

CREATE TABLE accountability (
    id INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    rule TEXT NOT NULL,
    article TEXT NOT NULL,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    push_id INTEGER NOT NULL,
    item TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    -- One record per rule per delivery, whoever sweeps.
    UNIQUE (rule, delivery_id)
);
CREATE INDEX accountability_month ON accountability (occurred_at, department_id);

-- The durable event log; its id is the SSE event id. dept_a/dept_b: the departments that may
-- see the event (NULL: everyone); supervisors, duty officers and admins see all.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    dept_a INTEGER,
    dept_b INTEGER,
    data TEXT NOT NULL,
    at INTEGER NOT NULL
);

CREATE TABLE idempotency (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (principal, key)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    detail TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
