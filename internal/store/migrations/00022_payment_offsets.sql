-- Recovery offsetting in payment runs: what a payment withheld for a
-- recovery claim. The payment's amount is what it pays out (net of the
-- offset), offset_cents what it withheld; each payment_offsets row is
-- booked to its claim as a bank_entries row of the run's own "file", so
-- a claim's paid amount is still the sum of its booked transactions.

-- +goose Up
ALTER TABLE payments ADD COLUMN offset_cents BIGINT NOT NULL DEFAULT 0;

CREATE TABLE payment_offsets (
    payment_id    TEXT NOT NULL REFERENCES payments (id),
    claim_id      TEXT NOT NULL REFERENCES claims (id),
    person_id     TEXT NOT NULL REFERENCES persons (id),
    run_id        TEXT NOT NULL REFERENCES payment_runs (id),
    cents         BIGINT NOT NULL,
    bank_entry_id TEXT NOT NULL REFERENCES bank_entries (id),
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (payment_id, claim_id)
);
CREATE INDEX payment_offsets_claim ON payment_offsets (claim_id);
CREATE INDEX payment_offsets_run ON payment_offsets (run_id);

-- The instalments a recorded run refused, with the reason, for its report
-- (a refused instalment is tried again by the next run).
CREATE TABLE payment_run_refusals (
    run_id     TEXT NOT NULL REFERENCES payment_runs (id),
    benefit_id TEXT NOT NULL,
    period     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (run_id, benefit_id, period)
);

-- +goose Down
DROP TABLE payment_run_refusals;
DROP TABLE payment_offsets;
ALTER TABLE payments DROP COLUMN offset_cents;
