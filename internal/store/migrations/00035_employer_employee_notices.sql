-- A decision on an employer's application for the reimbursement of daily
-- allowance paid as salary is told to the employee too, when the identity
-- code the employer gave is a customer's (employer.Service.Decide): a
-- thread in the customer's inbox. One row per application, so the
-- employee is told once however the decision is retried; the employee's
-- list of the applications about them links to the thread. channel is how
-- they were noticed of it ('email', 'sms' or '').

-- +goose Up
CREATE TABLE employer_employee_notices (
    application_id TEXT PRIMARY KEY REFERENCES employer_applications (id),
    person_id      TEXT NOT NULL REFERENCES persons (id),
    thread_id      TEXT NOT NULL REFERENCES threads (id),
    channel        TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE employer_employee_notices;
