-- Pharmacy direct reimbursement (issue 15): a person's reimbursement
-- rights, what each calendar year has counted towards the initial
-- deductible and the annual ceiling, the purchases pharmacies recorded
-- (once per pharmacy and purchase ID) with their computed lines, and the
-- call history of each pharmacy's system. Amounts are cents.

-- +goose Up
CREATE TABLE pharmacy_rights (
    person_id  TEXT NOT NULL REFERENCES persons (id),
    kind       TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to   DATE,
    PRIMARY KEY (person_id, kind, valid_from)
);

-- One row per person and year; the counters equal the sums of the year's
-- recorded purchases (storetest checks it).
CREATE TABLE pharmacy_years (
    person_id       TEXT NOT NULL REFERENCES persons (id),
    year            INTEGER NOT NULL,
    deductible_paid BIGINT NOT NULL DEFAULT 0 CHECK (deductible_paid >= 0),
    ceiling_counted BIGINT NOT NULL DEFAULT 0 CHECK (ceiling_counted >= 0),
    PRIMARY KEY (person_id, year)
);

CREATE TABLE pharmacy_purchases (
    id             TEXT PRIMARY KEY,
    pharmacy_id    TEXT NOT NULL,
    purchase_id    TEXT NOT NULL,
    person_id      TEXT NOT NULL REFERENCES persons (id),
    purchased_on   DATE NOT NULL,
    year           INTEGER NOT NULL,
    fallback       BOOLEAN NOT NULL DEFAULT FALSE,
    status         TEXT NOT NULL,
    price          BIGINT NOT NULL,
    customer_share BIGINT NOT NULL,
    reimbursement  BIGINT NOT NULL,
    deductible     BIGINT NOT NULL,
    ceiling        BIGINT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    cancelled_at   TIMESTAMPTZ,
    UNIQUE (pharmacy_id, purchase_id)
);
CREATE INDEX pharmacy_purchases_person ON pharmacy_purchases (person_id, year, recorded_at);

CREATE TABLE pharmacy_purchase_lines (
    purchase_id    TEXT NOT NULL REFERENCES pharmacy_purchases (id),
    line           INTEGER NOT NULL,
    vnr            TEXT NOT NULL,
    name           TEXT NOT NULL,
    class          TEXT NOT NULL,
    rate_bp        INTEGER NOT NULL,
    packages       INTEGER NOT NULL,
    price          BIGINT NOT NULL,
    deductible     BIGINT NOT NULL,
    customer_share BIGINT NOT NULL,
    reimbursement  BIGINT NOT NULL,
    ceiling        BIGINT NOT NULL,
    over_ceiling   BOOLEAN NOT NULL,
    PRIMARY KEY (purchase_id, line)
);

CREATE TABLE pharmacy_calls (
    id          TEXT PRIMARY KEY,
    pharmacy_id TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    op          TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    purchase_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pharmacy_calls_pharmacy ON pharmacy_calls (pharmacy_id, at);

-- +goose Down
DROP TABLE pharmacy_calls;
DROP TABLE pharmacy_purchase_lines;
DROP TABLE pharmacy_purchases;
DROP TABLE pharmacy_years;
DROP TABLE pharmacy_rights;
