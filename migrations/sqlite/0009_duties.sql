-- Duties: every deadline on a department other than a delivery's claim (src/api/duties.rs,
-- docs/ARCHITECTURE.md "Deadlines").
CREATE TABLE duties (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    counterpart_department_id INTEGER REFERENCES departments(id),
    person TEXT,
    subject_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    -- The instant the period runs from; the duty's month (China time) for figures and ledger.
    origin_at INTEGER NOT NULL,
    -- Working days from origin_at to due_at; NULL for a fixed instant the calendar does not
    -- decide (a notice is due when its event starts).
    working_days INTEGER,
    due_at INTEGER NOT NULL,
    provisional BOOLEAN NOT NULL,
    state TEXT NOT NULL,
    done_at INTEGER,
    done_by TEXT,
    reminded_at INTEGER,
    created_at INTEGER NOT NULL
);
-- One outstanding duty per kind, subject and department (a rescheduled event cancels its
-- notices and opens new ones).
CREATE UNIQUE INDEX duties_outstanding ON duties (kind, subject_id, department_id) WHERE state IN ('open', 'overdue');
CREATE INDEX duties_subject ON duties (kind, subject_id);
-- A department's queue and the sweeper: outstanding duties soonest first.
CREATE INDEX duties_dept_queue ON duties (department_id, state, due_at, id);
CREATE INDEX duties_queue ON duties (state, due_at, id);
-- Monthly figures by the month of origin.
CREATE INDEX duties_month ON duties (origin_at, department_id, kind, state);

-- The ledger holds a record for every missed deadline of every kind: a delivery's (delivery_id,
-- push_id) or a duty's (duty_id), and the person who let it pass where one did. SQLite cannot
-- drop NOT NULL in place, so the table is rebuilt with its ids.
CREATE TABLE accountability_new (
    id INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    rule TEXT NOT NULL,
    article TEXT NOT NULL,
    delivery_id INTEGER REFERENCES deliveries(id),
    push_id INTEGER,
    duty_id INTEGER REFERENCES duties(id),
    person TEXT,
    item TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    occurred_at INTEGER NOT NULL,
    UNIQUE (rule, delivery_id)
);
INSERT INTO accountability_new (id, department_id, rule, article, delivery_id, push_id, item, received_at, occurred_at)
    SELECT id, department_id, rule, article, delivery_id, push_id, item, received_at, occurred_at FROM accountability;
DROP TABLE accountability;
ALTER TABLE accountability_new RENAME TO accountability;
CREATE INDEX accountability_month ON accountability (received_at, department_id);
-- One record per missed duty, whoever sweeps.
CREATE UNIQUE INDEX accountability_duty ON accountability (duty_id);
