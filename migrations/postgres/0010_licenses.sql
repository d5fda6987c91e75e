-- The licence register (issue 10 part 1, art. 7(1)): every approval push creates its licence
-- or, for a re-issued number, updates it, in the push's own transaction (src/db/licenses.rs).
CREATE TABLE licenses (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- One licence per number: pushes racing with one number meet in ON CONFLICT (license_no).
    license_no TEXT NOT NULL UNIQUE,
    item_name TEXT NOT NULL,
    -- 统一社会信用代码 or 身份证号, as the push's counterparty carries it (normalised).
    holder_code TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    -- YYYY-MM-DD; valid_until a date or '长期' (no expiry).
    issue_date TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    -- active | changed | withdrawn | revoked | cancelled. 'expired' is never stored: it is
    -- derived on read from valid_until and the server clock's China date.
    state TEXT NOT NULL,
    approval_department_id BIGINT NOT NULL REFERENCES departments(id),
    source_push_id BIGINT NOT NULL REFERENCES pushes(id),
    -- 1 when created; +1 on each re-issue (tells the upsert's two outcomes apart portably).
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A holder's licences (admission, counterparty view, ?holder=).
CREATE INDEX licenses_holder ON licenses (holder_code, license_no);

-- The supervising departments: the recipients of every approval push for the licence.
CREATE TABLE license_departments (
    license_id BIGINT NOT NULL REFERENCES licenses(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (license_id, department_id)
);
CREATE INDEX license_departments_dept ON license_departments (department_id, license_id);

-- Each event of a licence's life: approval, re-issue, state change.
CREATE TABLE license_history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    license_id BIGINT NOT NULL REFERENCES licenses(id),
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    push_id BIGINT REFERENCES pushes(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX license_history_license ON license_history (license_id, id);
