-- Issued monthly bulletins (每月通报, art. 7; issue 13). A bulletin is frozen when issued: its
-- figures are stored as issued (`contents`, the JSON of api::BulletinContents) and every later
-- read, console view and export shows exactly those. A correction is a new version with a
-- reason; no row is ever updated or deleted.
CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY,
    month TEXT NOT NULL,
    version INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    issued_by TEXT NOT NULL,
    -- NULL for version 1; the correction's reason for every later version.
    reason TEXT,
    -- The audit chain's head when issued (record number and hash; NULL before the chain existed).
    chain_record INTEGER,
    chain_hash TEXT,
    contents TEXT NOT NULL,
    -- Two duty officers issuing at once: exactly one gets each version.
    UNIQUE (month, version)
);

-- Uploads by sender for a month (pushes are counted by the instant they were made).
CREATE INDEX pushes_month ON pushes (created_at, source_department_id);
