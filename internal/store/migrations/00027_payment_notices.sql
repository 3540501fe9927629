-- What customers are told about their payments (a returned or rejected
-- payment, an offset, a changed payment account): one row per event,
-- unique by its kind and the row it tells of, so a re-import or a re-run
-- tells nobody twice; the message itself is a thread in the customer's
-- inbox. And the payment account's history: each change a customer (or
-- staff) made, with the accounts before and after and the pay day it
-- applies from.

-- +goose Up
CREATE TABLE payment_notices (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons (id),
    kind       TEXT NOT NULL,
    source_id  TEXT NOT NULL,
    thread_id  TEXT NOT NULL REFERENCES threads (id),
    channel    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, source_id)
);
CREATE INDEX payment_notices_person ON payment_notices (person_id, created_at);

CREATE TABLE payment_account_changes (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES persons (id),
    old_ibans    TEXT NOT NULL,
    new_iban     TEXT NOT NULL,
    holder       TEXT NOT NULL,
    applies_from DATE NOT NULL,
    changed_by   TEXT NOT NULL,
    settled      INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX payment_account_changes_person ON payment_account_changes (person_id, created_at);

-- +goose Down
DROP TABLE payment_account_changes;
DROP TABLE payment_notices;
