-- Inquiry letters (函询, art. 12). Instants are milliseconds (BIGINT). Each recipient's
-- deadline is its `inquiry_reply` duty (subject_id = the letter); the reply row keeps where
-- the reply stands, marked `deemed_consent` by the duty's lapse hook (db/duties.rs SPECS).
CREATE TABLE inquiry_letters (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender_department_id BIGINT NOT NULL REFERENCES departments(id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_working_days BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    sent_by TEXT NOT NULL
);
CREATE INDEX inquiry_letters_sender ON inquiry_letters (sender_department_id, id);

CREATE TABLE inquiry_recipients (
    letter_id BIGINT NOT NULL REFERENCES inquiry_letters(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    status TEXT NOT NULL CHECK (status IN ('awaiting', 'answered', 'deemed_consent')),
    -- When it was answered, or the deadline instant at which consent was deemed.
    concluded_at BIGINT,
    PRIMARY KEY (letter_id, department_id)
);
CREATE INDEX inquiry_recipients_dept ON inquiry_recipients (department_id, letter_id);

-- The thread: answers and follow-ups of the recipients and the sender.
CREATE TABLE inquiry_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    letter_id BIGINT NOT NULL REFERENCES inquiry_letters(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    body TEXT NOT NULL,
    answers BOOLEAN NOT NULL,
    at BIGINT NOT NULL,
    by_name TEXT NOT NULL
);
CREATE INDEX inquiry_messages_letter ON inquiry_messages (letter_id, id);
-- One answer per recipient, whoever races.
CREATE UNIQUE INDEX inquiry_messages_answer ON inquiry_messages (letter_id, department_id) WHERE answers;
