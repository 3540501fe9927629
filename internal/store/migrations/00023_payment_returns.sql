-- Payments the bank rejected (pain.002) or returned (camt.054), the staff
-- queue of them, and paying them again. A payment stays one row per
-- benefit and period (the idempotency key); attempt counts the times it
-- was paid again after a failure. Each failed attempt is one row here with
-- that attempt's end-to-end ID, run, account and amount (unique: a status
-- report or return imported twice records nothing twice).

-- +goose Up
ALTER TABLE payments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;

CREATE TABLE payment_returns (
    id            TEXT PRIMARY KEY,
    payment_id    TEXT NOT NULL REFERENCES payments (id),
    person_id     TEXT NOT NULL REFERENCES persons (id),
    attempt       INTEGER NOT NULL,
    run_id        TEXT NOT NULL REFERENCES payment_runs (id),
    end_to_end_id TEXT NOT NULL UNIQUE,
    iban          TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL,
    outcome       TEXT NOT NULL,
    reason_code   TEXT NOT NULL,
    source        TEXT NOT NULL,
    state         TEXT NOT NULL,
    new_iban      TEXT NOT NULL DEFAULT '',
    repaid_run_id TEXT REFERENCES payment_runs (id),
    created_at    TIMESTAMPTZ NOT NULL,
    resolved_at   TIMESTAMPTZ,
    resolved_by   TEXT NOT NULL DEFAULT '',
    UNIQUE (payment_id, attempt)
);
CREATE INDEX payment_returns_state ON payment_returns (state, created_at);
CREATE INDEX payment_returns_person ON payment_returns (person_id, created_at);

-- +goose Down
DROP TABLE payment_returns;
ALTER TABLE payments DROP COLUMN attempt;
