-- A department has at most one pending licence-action letter of a kind for a licence: a second
-- (a double submission, two colleagues at once) is refused with 409 `letter_pending`. The
-- partial unique index makes that hold under concurrent filings on either engine.
CREATE UNIQUE INDEX license_actions_one_pending
    ON license_actions (license_id, requester_department_id, action)
    WHERE state = 'pending';
