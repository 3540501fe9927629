-- Benefit payments: the benefits customers receive, the payment runs, and
-- one payment per benefit and period (the unique key that makes a run
-- exactly once). Unemployment status reports are the periods customers
-- report for. Every customer-owned table carries person_id.

-- +goose Up
CREATE TABLE benefits (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES persons (id),
    kind         TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    iban         TEXT NOT NULL,
    starts       DATE NOT NULL,
    ends         DATE,
    decided      DATE,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX benefits_person ON benefits (person_id);

CREATE TABLE payment_runs (
    id           TEXT PRIMARY KEY,
    number       BIGINT NOT NULL UNIQUE,
    pay_date     DATE NOT NULL,
    status       TEXT NOT NULL,
    message_id   TEXT NOT NULL UNIQUE,
    file_name    TEXT NOT NULL UNIQUE,
    payments     BIGINT NOT NULL DEFAULT 0,
    total_cents  BIGINT NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    started_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ
);
CREATE INDEX payment_runs_unpublished ON payment_runs (number) WHERE status = 'prepared';

CREATE TABLE payments (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES persons (id),
    benefit_id    TEXT NOT NULL REFERENCES benefits (id),
    kind          TEXT NOT NULL,
    period        TEXT NOT NULL,
    run_id        TEXT NOT NULL REFERENCES payment_runs (id),
    due_date      DATE NOT NULL,
    pay_date      DATE NOT NULL,
    amount_cents  BIGINT NOT NULL,
    iban          TEXT NOT NULL,
    end_to_end_id TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (benefit_id, period)
);
CREATE INDEX payments_person ON payments (person_id, pay_date);
CREATE INDEX payments_run ON payments (run_id, end_to_end_id);

CREATE TABLE status_reports (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES persons (id),
    benefit_id    TEXT NOT NULL REFERENCES benefits (id),
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    hours_worked  INTEGER NOT NULL,
    income_cents  BIGINT NOT NULL,
    sick_days     INTEGER NOT NULL,
    filed_on      DATE NOT NULL,
    pay_date      DATE NOT NULL,
    amount_cents  BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (benefit_id, period_start)
);
CREATE INDEX status_reports_person ON status_reports (person_id, period_start);

-- +goose Down
DROP TABLE status_reports;
DROP TABLE payments;
DROP TABLE payment_runs;
DROP TABLE benefits;
