-- The Overpayment Recovery Centre: claims and their history, payment plan
-- proposals, exemption applications, and imported bank statements. Every
-- customer-owned table carries person_id, so it can be distributed by
-- customer.

-- +goose Up
CREATE TABLE claim_numbers (
    kind TEXT PRIMARY KEY,
    next BIGINT NOT NULL
);

CREATE TABLE claims (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES persons (id),
    kind           TEXT NOT NULL,
    number         BIGINT NOT NULL,
    reference      TEXT NOT NULL UNIQUE,
    principal      BIGINT NOT NULL,
    interest       BIGINT NOT NULL DEFAULT 0,
    fees           BIGINT NOT NULL DEFAULT 0,
    paid_fees      BIGINT NOT NULL DEFAULT 0,
    paid_interest  BIGINT NOT NULL DEFAULT 0,
    paid_principal BIGINT NOT NULL DEFAULT 0,
    due_date       DATE NOT NULL,
    status         TEXT NOT NULL,
    benefit_key    TEXT NOT NULL DEFAULT '',
    decision_id    TEXT NOT NULL DEFAULT '',
    term           TEXT NOT NULL DEFAULT '',
    interest_to    DATE,
    plan           TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, number)
);
CREATE INDEX claims_person ON claims (person_id, created_at);

CREATE TABLE claim_events (
    id        TEXT PRIMARY KEY,
    claim_id  TEXT NOT NULL REFERENCES claims (id),
    person_id TEXT NOT NULL,
    on_date   DATE NOT NULL,
    kind      TEXT NOT NULL,
    cents     BIGINT NOT NULL DEFAULT 0,
    fees      BIGINT NOT NULL DEFAULT 0,
    interest  BIGINT NOT NULL DEFAULT 0,
    principal BIGINT NOT NULL DEFAULT 0,
    note      TEXT NOT NULL DEFAULT '',
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX claim_events_claim ON claim_events (claim_id, at, id);

CREATE TABLE plan_proposals (
    id            TEXT PRIMARY KEY,
    claim_id      TEXT NOT NULL REFERENCES claims (id),
    person_id     TEXT NOT NULL,
    status        TEXT NOT NULL,
    monthly_cents BIGINT NOT NULL,
    months        INTEGER NOT NULL,
    first_due     DATE NOT NULL,
    plan          TEXT NOT NULL,
    message       TEXT NOT NULL DEFAULT '',
    reason_key    TEXT NOT NULL DEFAULT '',
    decided_by    TEXT,
    decided_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_proposals_claim ON plan_proposals (claim_id, created_at);
CREATE INDEX plan_proposals_status ON plan_proposals (status, created_at);

CREATE TABLE exemption_applications (
    id                   TEXT PRIMARY KEY,
    claim_id             TEXT NOT NULL REFERENCES claims (id),
    person_id            TEXT NOT NULL,
    status               TEXT NOT NULL,
    monthly_income_cents BIGINT NOT NULL,
    children             INTEGER NOT NULL,
    reason               TEXT NOT NULL,
    reason_key           TEXT NOT NULL DEFAULT '',
    decided_by           TEXT,
    decided_at           TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX exemption_applications_claim ON exemption_applications (claim_id, created_at);
CREATE INDEX exemption_applications_status ON exemption_applications (status, created_at);

-- A statement file is imported once: its SHA-256 is unique.
CREATE TABLE bank_files (
    id          TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    message     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    booked      INTEGER NOT NULL,
    queued      INTEGER NOT NULL,
    refused     INTEGER NOT NULL,
    booked_cents BIGINT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL
);

-- Every credit transaction of a file: booked to a claim, or queued for
-- staff with the reason. The bank's archive ID keeps the same payment from
-- being booked twice through two files.
CREATE TABLE bank_entries (
    id           TEXT PRIMARY KEY,
    file_id      TEXT NOT NULL REFERENCES bank_files (id),
    line         INTEGER NOT NULL,
    entry_index  INTEGER NOT NULL,
    archive_id   TEXT,
    amount_cents BIGINT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    value_date   DATE,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    claim_id     TEXT,
    person_id    TEXT,
    resolved_by  TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (archive_id)
);
CREATE INDEX bank_entries_status ON bank_entries (status, created_at);
CREATE INDEX bank_entries_file ON bank_entries (file_id, entry_index);

-- +goose Down
DROP TABLE bank_entries;
DROP TABLE bank_files;
DROP TABLE exemption_applications;
DROP TABLE plan_proposals;
DROP TABLE claim_events;
DROP TABLE claims;
DROP TABLE claim_numbers;
