-- Occupational-healthcare reimbursement applications (internal/employer,
-- issue 12 b) share employer_applications with the daily-allowance ones,
-- so that the queue, the decision, its notice and the payment run
-- (employer_payments keyed by application_id UNIQUE: paid exactly once)
-- are one code path. kind says which: 'daily_allowance' (every row before
-- this migration) or 'occupational_healthcare'. An occupational-healthcare
-- application names a workplace (the number the mandate's restriction
-- specifier names), an accounting period (period_start..period_end), the
-- employees covered, the costs in compensation class I (preventive) and
-- class II (medical care) and the revenue received for the services; it
-- names no employee, benefit or salary.
--
-- The CHECKs of 00026 (salary_cents > 0, amount_cents <= salary_cents) say
-- what a daily-allowance application is; they do not fit the new kind and
-- SQLite cannot drop a CHECK, so the table is rebuilt (create, copy, drop,
-- rename) with CHECKs per kind. employer_payments references it, and both
-- databases refuse to drop a referenced table, so its rows wait in a plain
-- copy while the table is rebuilt and are put back into the table as 00030
-- made it. The approved amount of an occupational-healthcare application
-- is at most the claimed compensation, 60 % of class I plus 50 % of class
-- II less revenue (Health Insurance Act); the CHECK states it in whole
-- cents multiplied by ten, so it stays exact.

-- +goose Up
CREATE TABLE employer_payments_copy (
    id TEXT, application_id TEXT, org_id TEXT, run_id TEXT, pay_date DATE, amount_cents BIGINT, iban TEXT,
    end_to_end_id TEXT, status TEXT, created_at TIMESTAMPTZ, reason_code TEXT, failed_source TEXT, failed_at TIMESTAMPTZ
);
INSERT INTO employer_payments_copy (id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at)
SELECT id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at FROM employer_payments;
DROP TABLE employer_payments;

CREATE TABLE employer_applications_new (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (business_id),
    kind          TEXT NOT NULL CHECK (kind IN ('daily_allowance', 'occupational_healthcare')),
    benefit       TEXT NOT NULL,
    employee_hetu TEXT NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    salary_cents  BIGINT NOT NULL CHECK (salary_cents >= 0),
    workplace     TEXT NOT NULL DEFAULT '',
    employees     INTEGER NOT NULL DEFAULT 0 CHECK (employees >= 0),
    class1_cents  BIGINT NOT NULL DEFAULT 0 CHECK (class1_cents >= 0),
    class2_cents  BIGINT NOT NULL DEFAULT 0 CHECK (class2_cents >= 0),
    revenue_cents BIGINT NOT NULL DEFAULT 0 CHECK (revenue_cents >= 0),
    iban          TEXT NOT NULL,
    status        TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    reason        TEXT NOT NULL DEFAULT '',
    submitted_by  TEXT NOT NULL REFERENCES persons (id),
    created_at    TIMESTAMPTZ NOT NULL,
    decided_at    TIMESTAMPTZ,
    decided_by    TEXT NOT NULL DEFAULT '',
    CHECK (period_start <= period_end),
    CHECK ((kind = 'daily_allowance' AND salary_cents > 0 AND amount_cents <= salary_cents AND workplace = '')
        OR (kind = 'occupational_healthcare' AND salary_cents = 0 AND employee_hetu = '' AND benefit = ''
            AND workplace <> '' AND employees > 0
            AND amount_cents * 10 <= class1_cents * 6 + class2_cents * 5 - revenue_cents * 10))
);
INSERT INTO employer_applications_new (id, org_id, kind, benefit, employee_hetu, period_start, period_end, salary_cents,
    iban, status, amount_cents, reason, submitted_by, created_at, decided_at, decided_by)
SELECT id, org_id, 'daily_allowance', benefit, employee_hetu, period_start, period_end, salary_cents,
    iban, status, amount_cents, reason, submitted_by, created_at, decided_at, decided_by FROM employer_applications;
DROP TABLE employer_applications;
ALTER TABLE employer_applications_new RENAME TO employer_applications;
CREATE INDEX employer_applications_org ON employer_applications (org_id, created_at DESC, id);
CREATE INDEX employer_applications_employee ON employer_applications (employee_hetu, created_at DESC);
CREATE INDEX employer_applications_status ON employer_applications (status, created_at, id);
-- The overlap check of an occupational-healthcare application.
CREATE INDEX employer_applications_workplace ON employer_applications (org_id, workplace, period_start);

CREATE TABLE employer_payments (
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
INSERT INTO employer_payments (id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at)
SELECT id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at FROM employer_payments_copy;
DROP TABLE employer_payments_copy;
CREATE INDEX employer_payments_run ON employer_payments (run_id, end_to_end_id);
CREATE INDEX employer_payments_org ON employer_payments (org_id, created_at);

-- +goose Down
-- Back to the table of 00026: occupational-healthcare applications and
-- their payments have no place in it and are dropped.
CREATE TABLE employer_payments_copy (
    id TEXT, application_id TEXT, org_id TEXT, run_id TEXT, pay_date DATE, amount_cents BIGINT, iban TEXT,
    end_to_end_id TEXT, status TEXT, created_at TIMESTAMPTZ, reason_code TEXT, failed_source TEXT, failed_at TIMESTAMPTZ
);
INSERT INTO employer_payments_copy (id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at)
SELECT e.id, e.application_id, e.org_id, e.run_id, e.pay_date, e.amount_cents, e.iban, e.end_to_end_id, e.status,
    e.created_at, e.reason_code, e.failed_source, e.failed_at
FROM employer_payments e JOIN employer_applications a ON a.id = e.application_id WHERE a.kind = 'daily_allowance';
DROP TABLE employer_payments;
CREATE TABLE employer_applications_old (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (business_id),
    benefit       TEXT NOT NULL,
    employee_hetu TEXT NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    salary_cents  BIGINT NOT NULL CHECK (salary_cents > 0),
    iban          TEXT NOT NULL,
    status        TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL DEFAULT 0 CHECK (amount_cents >= 0 AND amount_cents <= salary_cents),
    reason        TEXT NOT NULL DEFAULT '',
    submitted_by  TEXT NOT NULL REFERENCES persons (id),
    created_at    TIMESTAMPTZ NOT NULL,
    decided_at    TIMESTAMPTZ,
    decided_by    TEXT NOT NULL DEFAULT '',
    CHECK (period_start <= period_end)
);
INSERT INTO employer_applications_old (id, org_id, benefit, employee_hetu, period_start, period_end, salary_cents,
    iban, status, amount_cents, reason, submitted_by, created_at, decided_at, decided_by)
SELECT id, org_id, benefit, employee_hetu, period_start, period_end, salary_cents,
    iban, status, amount_cents, reason, submitted_by, created_at, decided_at, decided_by
FROM employer_applications WHERE kind = 'daily_allowance';
DROP TABLE employer_applications;
ALTER TABLE employer_applications_old RENAME TO employer_applications;
CREATE INDEX employer_applications_org ON employer_applications (org_id, created_at DESC, id);
CREATE INDEX employer_applications_employee ON employer_applications (employee_hetu, created_at DESC);
CREATE INDEX employer_applications_status ON employer_applications (status, created_at, id);
CREATE TABLE employer_payments (
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
INSERT INTO employer_payments (id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at)
SELECT id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
    created_at, reason_code, failed_source, failed_at FROM employer_payments_copy;
DROP TABLE employer_payments_copy;
CREATE INDEX employer_payments_run ON employer_payments (run_id, end_to_end_id);
CREATE INDEX employer_payments_org ON employer_payments (org_id, created_at);
