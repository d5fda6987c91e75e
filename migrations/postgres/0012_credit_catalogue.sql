-- The credit-approval catalogue (信用审批事项目录, art. 8): items with versions. A change
-- writes a new version; old versions stay. Instants are milliseconds (BIGINT).
CREATE TABLE catalogue_items (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    -- The version in force (the highest of catalogue_versions for the item).
    current_version INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE catalogue_versions (
    item_id BIGINT NOT NULL REFERENCES catalogue_items(id),
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- JSON arrays of strings.
    conditions TEXT NOT NULL,
    materials TEXT NOT NULL,
    verification_mode TEXT NOT NULL CHECK (verification_mode IN ('exempt', 'post_verification')),
    -- JSON array of the agreeing supervision departments' ids.
    departments TEXT NOT NULL,
    note TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- A notify-and-commit approval push: the catalogue item and the version it was approved under.
CREATE TABLE push_commitments (
    push_id BIGINT PRIMARY KEY REFERENCES pushes(id),
    catalogue_item_id BIGINT NOT NULL REFERENCES catalogue_items(id),
    catalogue_version INTEGER NOT NULL
);
