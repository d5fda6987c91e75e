-- Joint work (arts. 9–11): inspections, reviews, hearings and meetings organised by the
-- approval bureau with the supervision departments. Instants are milliseconds (BIGINT).
CREATE TABLE joint_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('inspection', 'review', 'hearing', 'meeting')),
    title TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    place TEXT NOT NULL,
    -- The bureau department that organises it (answers for the notice).
    organiser_department_id BIGINT NOT NULL REFERENCES departments(id),
    -- What it concerns, if anything: 'push' | 'licence' | 'dispute' and the reference.
    subject_kind TEXT CHECK (subject_kind IN ('push', 'licence', 'dispute')),
    subject_ref TEXT,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    -- When the notice now in force went out (creation or the last reschedule).
    notified_at BIGINT NOT NULL,
    -- An admin's emergency override of the notice period for that notice.
    emergency_reason TEXT,
    emergency_by TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX joint_events_time ON joint_events (starts_at, id);

CREATE TABLE joint_event_participants (
    event_id BIGINT NOT NULL REFERENCES joint_events(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    -- The acknowledgement of the notice now in force (cleared by a reschedule).
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    PRIMARY KEY (event_id, department_id)
);
CREATE INDEX joint_event_participants_dept ON joint_event_participants (department_id, event_id);

-- A meeting's agenda: an important approval push, an escalated dispute, or a topic.
CREATE TABLE joint_event_agenda (
    event_id BIGINT NOT NULL REFERENCES joint_events(id),
    seq BIGINT NOT NULL,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('push', 'dispute', 'topic')),
    item_ref TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (event_id, seq)
);

-- Reschedules and cancellations, each with its reason (the event's history).
CREATE TABLE joint_event_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES joint_events(id),
    what TEXT NOT NULL CHECK (what IN ('rescheduled', 'cancelled')),
    reason TEXT NOT NULL,
    previous_starts_at BIGINT,
    new_starts_at BIGINT,
    emergency_reason TEXT,
    at BIGINT NOT NULL,
    by_name TEXT NOT NULL
);
CREATE INDEX joint_event_changes_event ON joint_event_changes (event_id, id);

-- Minutes and decisions of a meeting (or any joint work), pushed to the participants.
CREATE TABLE joint_event_minutes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES joint_events(id),
    body TEXT NOT NULL,
    -- JSON array of strings: the decisions taken.
    decisions TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_name TEXT NOT NULL
);
CREATE INDEX joint_event_minutes_event ON joint_event_minutes (event_id, id);

-- The joint report (art. 11: 联合出具现场勘验评审报告), one per event, signed by every participant.
CREATE TABLE joint_reports (
    event_id BIGINT PRIMARY KEY REFERENCES joint_events(id),
    body TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    -- Set when the last participant signs.
    final_at BIGINT
);

CREATE TABLE joint_report_signatures (
    event_id BIGINT NOT NULL REFERENCES joint_reports(event_id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    agree BOOLEAN NOT NULL,
    comment TEXT,
    signer TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    -- Each department signs once.
    PRIMARY KEY (event_id, department_id)
);
