-- Legacy cases (历史遗留问题, art. 13). Instants are milliseconds (BIGINT). The opinion,
-- the verification and the decision are duties (subject_id = the case); the state column is
-- changed only by conditional updates (`WHERE state = <expected>`), so a step out of order or
-- taken twice changes nothing.
CREATE TABLE legacy_cases (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- The supervision department responsible for the opinion and the verification.
    department_id BIGINT NOT NULL REFERENCES departments(id),
    -- The bureau that opened it and decides it.
    bureau_department_id BIGINT NOT NULL REFERENCES departments(id),
    licence_no TEXT,
    holder TEXT,
    state TEXT NOT NULL CHECK (state IN ('awaiting_opinion', 'awaiting_rectification',
        'awaiting_verification', 'awaiting_decision', 'decided')),
    rectification_required BOOLEAN,
    opened_at BIGINT NOT NULL
);
CREATE INDEX legacy_cases_dept ON legacy_cases (department_id, id);
CREATE INDEX legacy_cases_bureau ON legacy_cases (bureau_department_id, id);

-- The history: every step taken, in order.
CREATE TABLE legacy_case_steps (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES legacy_cases(id),
    step TEXT NOT NULL CHECK (step IN ('opened', 'opinion', 'rectification', 'verification', 'decision')),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    body TEXT NOT NULL,
    outcome TEXT,
    at BIGINT NOT NULL,
    by_name TEXT NOT NULL
);
CREATE INDEX legacy_case_steps_case ON legacy_case_steps (case_id, id);
