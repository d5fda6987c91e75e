-- Issue 11 (art. 10): the expert registry and the verifiable random draws.
-- Dates are TEXT `YYYY-MM-DD`; instants are milliseconds since the Unix epoch.

-- A member of the think-tank (智囊团) or the site-inspection pool (现场勘验专家库), nominated by
-- their department. Rows are never deleted: a withdrawn member stays, with when and why.
CREATE TABLE experts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    pool TEXT NOT NULL CHECK (pool IN ('think_tank', 'site_inspection')),
    name TEXT NOT NULL,
    qualification TEXT NOT NULL,
    qualified_until TEXT NOT NULL,
    -- Not available on any date up to and including this one.
    unavailable_until TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),
    nominated_by TEXT NOT NULL,
    nominated_at INTEGER NOT NULL,
    -- The member this one replaced (withdrawn in the same change).
    replaces INTEGER REFERENCES experts(id),
    withdrawn_at INTEGER,
    withdrawn_by TEXT,
    withdraw_reason TEXT
);
CREATE INDEX experts_roster ON experts (pool, department_id, status);

-- The roster's history: one line per change (nominated, withdrawn, replaced, availability).
CREATE TABLE expert_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    expert_id INTEGER NOT NULL REFERENCES experts(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX expert_changes_by_expert ON expert_changes (expert_id, id);

-- The server's commitment to the secret of an event's draw number `sequence`, recorded before
-- that draw (the first when the event is scheduled, each next one by the draw before it).
CREATE TABLE draw_commitments (
    event_id INTEGER NOT NULL REFERENCES joint_events(id),
    sequence INTEGER NOT NULL,
    commitment TEXT NOT NULL,
    secret TEXT NOT NULL,
    committed_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, sequence)
);

-- A draw as made: everything needed to recompute it (domain::draw), never changed afterwards.
CREATE TABLE draws (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES joint_events(id),
    sequence INTEGER NOT NULL,
    pool TEXT NOT NULL,
    event_date TEXT NOT NULL,
    exclude_departments TEXT NOT NULL,
    reason TEXT,
    algorithm TEXT NOT NULL,
    commitment TEXT NOT NULL,
    committed_at INTEGER NOT NULL,
    secret TEXT NOT NULL,
    seed TEXT NOT NULL,
    candidates TEXT NOT NULL,
    drawn TEXT NOT NULL,
    made_by TEXT NOT NULL,
    made_at INTEGER NOT NULL,
    UNIQUE (event_id, sequence)
);
