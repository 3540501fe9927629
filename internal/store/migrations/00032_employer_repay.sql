-- Employers' payments the bank rejected (pain.002) or returned (camt.054)
-- are paid again once the organisation gives a corrected account
-- (employer.Service.GiveAccount; payment/employer.go). The key changes
-- from "one payment per application" to "at most one payment per
-- application that the bank has not rejected or returned": a partial
-- unique index, which the run's insert names as its conflict target, so a
-- run again, a concurrent run or a run after a kill still pays an
-- application at most once at a time. A failed payment keeps the account
-- it was sent to; new_iban is the account the organisation gave after it
-- (also written to the application), new_iban_at when, new_iban_by who.
-- An application is due again only when its last payment failed and has a
-- new account.
--
-- SQLite cannot drop a column's UNIQUE constraint, so the table is
-- rebuilt: create, copy, drop, rename, in one text for both databases.
-- Nothing references employer_payments. On PostgreSQL the primary key's
-- and end_to_end_id's constraints keep the _new names they were created
-- with.

-- +goose Up
CREATE TABLE employer_payments_new (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES employer_applications (id),
    org_id         TEXT NOT NULL REFERENCES organisations (business_id),
    run_id         TEXT NOT NULL REFERENCES payment_runs (id),
    pay_date       DATE NOT NULL,
    amount_cents   BIGINT NOT NULL CHECK (amount_cents > 0),
    iban           TEXT NOT NULL,
    end_to_end_id  TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    reason_code    TEXT NOT NULL DEFAULT '',
    failed_source  TEXT NOT NULL DEFAULT '',
    failed_at      TIMESTAMPTZ,
    new_iban       TEXT NOT NULL DEFAULT '',
    new_iban_at    TIMESTAMPTZ,
    new_iban_by    TEXT NOT NULL DEFAULT ''
);
INSERT INTO employer_payments_new (id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at)
SELECT id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at FROM employer_payments;
DROP TABLE employer_payments;
ALTER TABLE employer_payments_new RENAME TO employer_payments;
CREATE UNIQUE INDEX employer_payments_live ON employer_payments (application_id) WHERE status NOT IN ('rejected', 'returned');
CREATE INDEX employer_payments_application ON employer_payments (application_id, created_at);
CREATE INDEX employer_payments_run ON employer_payments (run_id, end_to_end_id);
CREATE INDEX employer_payments_org ON employer_payments (org_id, created_at);
-- Staff's list of failed employer payments, newest first.
CREATE INDEX employer_payments_failed ON employer_payments (failed_at) WHERE status IN ('rejected', 'returned');

-- +goose Down
-- Fails (the unique key) when an application was paid again.
CREATE TABLE employer_payments_old (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL UNIQUE REFERENCES employer_applications (id),
    org_id         TEXT NOT NULL REFERENCES organisations (business_id),
    run_id         TEXT NOT NULL REFERENCES payment_runs (id),
    pay_date       DATE NOT NULL,
    amount_cents   BIGINT NOT NULL CHECK (amount_cents > 0),
    iban           TEXT NOT NULL,
    end_to_end_id  TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    reason_code    TEXT NOT NULL DEFAULT '',
    failed_source  TEXT NOT NULL DEFAULT '',
    failed_at      TIMESTAMPTZ
);
INSERT INTO employer_payments_old (id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at)
SELECT id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at FROM employer_payments;
DROP TABLE employer_payments;
ALTER TABLE employer_payments_old RENAME TO employer_payments;
CREATE INDEX employer_payments_run ON employer_payments (run_id, end_to_end_id);
CREATE INDEX employer_payments_org ON employer_payments (org_id, created_at);
