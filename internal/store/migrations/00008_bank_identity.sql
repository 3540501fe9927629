-- Bank transactions keyed by what they are, not where they stand in a file
-- (issue: bank statements that book every payment exactly once).
--
-- tx_key is the identity of a booked bank transaction: the account, the
-- booking date and the bank's archive ID (the transaction's own, else the
-- entry's). A second report of it, in another file or order, finds the
-- key. batch_key is the entry-level archive ID of the entry a transaction
-- came in (a camt.054 batch), so that the camt.053 statement's lump sum
-- for the same entry is known as itemised already. Reversals point at the
-- payment they take back (original_id); alloc_* remember how a booked
-- payment was allocated, so that a reversal can undo exactly that.

-- +goose Up
CREATE TABLE bank_entries_v2 (
    id              TEXT PRIMARY KEY,
    file_id         TEXT NOT NULL REFERENCES bank_files (id),
    line            INTEGER NOT NULL,
    entry_index     INTEGER NOT NULL,
    tx_index        INTEGER NOT NULL DEFAULT 1,
    account         TEXT NOT NULL DEFAULT '',
    booking_date    DATE,
    archive_id      TEXT NOT NULL DEFAULT '',
    tx_key          TEXT,
    batch_key       TEXT NOT NULL DEFAULT '',
    direction       TEXT NOT NULL DEFAULT 'CRDT',
    reversal        INTEGER NOT NULL DEFAULT 0,
    amount_cents    BIGINT NOT NULL,
    reference       TEXT NOT NULL DEFAULT '',
    raw_reference   TEXT NOT NULL DEFAULT '',
    value_date      DATE,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    claim_id        TEXT,
    person_id       TEXT,
    original_id     TEXT,
    alloc_fees      BIGINT NOT NULL DEFAULT 0,
    alloc_interest  BIGINT NOT NULL DEFAULT 0,
    alloc_principal BIGINT NOT NULL DEFAULT 0,
    resolved_by     TEXT,
    resolved_at     TIMESTAMPTZ,
    resolution      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);
-- Rows from before keep their archive ID as a key of its own ("legacy:"),
-- which a new report of the same transaction also looks for.
INSERT INTO bank_entries_v2 (id, file_id, line, entry_index, archive_id, tx_key, amount_cents, reference, raw_reference,
    value_date, status, reason, claim_id, person_id, resolved_by, created_at)
SELECT id, file_id, line, entry_index, COALESCE(archive_id, ''),
    CASE WHEN archive_id IS NOT NULL AND status = 'booked' THEN 'legacy:' || archive_id END,
    amount_cents, reference, reference, value_date, status, reason, claim_id, person_id, resolved_by, created_at
FROM bank_entries;
DROP TABLE bank_entries;
ALTER TABLE bank_entries_v2 RENAME TO bank_entries;
CREATE UNIQUE INDEX bank_entries_tx_key ON bank_entries (tx_key) WHERE tx_key IS NOT NULL;
CREATE INDEX bank_entries_batch ON bank_entries (batch_key) WHERE batch_key <> '';
-- Only the queued rows, in the staff queue's order: a booked payment
-- updates no index it does not need.
CREATE INDEX bank_entries_queued ON bank_entries (created_at, entry_index) WHERE status = 'queued';
CREATE INDEX bank_entries_file ON bank_entries (file_id, entry_index, tx_index);
CREATE INDEX bank_entries_reference ON bank_entries (reference, amount_cents) WHERE status = 'booked';

-- A file is imported in chunks, each its own transaction: progress is the
-- number of entries booked so far, so an import cut short resumes there.
ALTER TABLE bank_files ADD COLUMN status TEXT NOT NULL DEFAULT 'done';
ALTER TABLE bank_files ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bank_files ADD COLUMN entries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bank_files ADD COLUMN reported_again INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bank_files ADD COLUMN reversed INTEGER NOT NULL DEFAULT 0;

-- +goose Down
DROP INDEX bank_entries_queued;
DROP INDEX bank_entries_tx_key;
DROP INDEX bank_entries_batch;
DROP INDEX bank_entries_reference;
ALTER TABLE bank_files DROP COLUMN status;
ALTER TABLE bank_files DROP COLUMN progress;
ALTER TABLE bank_files DROP COLUMN entries;
ALTER TABLE bank_files DROP COLUMN reported_again;
ALTER TABLE bank_files DROP COLUMN reversed;
