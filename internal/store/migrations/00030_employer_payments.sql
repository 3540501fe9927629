-- Payments of employers' approved applications for reimbursement of daily
-- allowance paid as salary (internal/employer), recorded by the payment
-- run (internal/payment) in the same transaction and file as the benefit
-- payments. A table of its own, not rows of payments: payments is keyed
-- by the customer (person_id, benefit_id and the key benefit and period),
-- and its returns, offsets, notices and account changes all rest on that
-- person; this one is keyed by the organisation. application_id is unique:
-- one payment per approved application, however runs race or are killed.

-- +goose Up
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
    -- rejected (pain.002) or returned (camt.054) by the bank: its reason
    -- code and the file that said so
    reason_code    TEXT NOT NULL DEFAULT '',
    failed_source  TEXT NOT NULL DEFAULT '',
    failed_at      TIMESTAMPTZ
);
CREATE INDEX employer_payments_run ON employer_payments (run_id, end_to_end_id);
CREATE INDEX employer_payments_org ON employer_payments (org_id, created_at);
-- The run finds the approved applications not yet paid among the approved
-- ones (the status index), less those with a payment (the unique key).

-- +goose Down
DROP TABLE employer_payments;
