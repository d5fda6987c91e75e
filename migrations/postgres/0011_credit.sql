-- The credit register and restricted admission (issue 10 part 2, art. 7(2)1).

-- One listing or removal per credit_status supervision push (src/db/credit.rs).
CREATE TABLE credit_records (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    holder_code TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    -- abnormal_operation | dishonest | cleared
    status TEXT NOT NULL,
    authority TEXT NOT NULL,
    decision_no TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    push_id BIGINT NOT NULL REFERENCES pushes(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    created_at BIGINT NOT NULL
);
-- The admission query: a holder's records by status and start date, from the index alone.
CREATE INDEX credit_records_holder ON credit_records (holder_code, status, start_date, end_date, id);

-- Penalties recorded against the holder (penalty supervision pushes with a counterparty).
CREATE TABLE holder_penalties (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    holder_code TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    decision_no TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    license_no TEXT,
    push_id BIGINT NOT NULL REFERENCES pushes(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX holder_penalties_holder ON holder_penalties (holder_code, id);

-- restricted | strict: an approval push's admission acknowledgement (also in its content), or
-- the regime a credit-status push left its holder under. A column so deliveries carry it and
-- the monthly statistics count acknowledgements without parsing JSON.
ALTER TABLE pushes ADD COLUMN admission_mode TEXT;
CREATE INDEX pushes_admission ON pushes (source_department_id, created_at) WHERE admission_mode IS NOT NULL;
