-- When an exemption is decided, the interest a claim's booked payments paid
-- is moved to their principal (recovery.Tx.MoveInterestToPrincipal): the
-- claim's booked bank transactions that paid interest. No index had
-- claim_id, so each decision read every bank transaction, under the
-- claim's lock. bank_entries_interest holds exactly those rows, under the
-- query's own condition: a booked payment that paid interest writes one
-- index entry more, others none. Building it reads bank_entries once and
-- holds off writes to it meanwhile (run `etuus migrate` outside the
-- bank-file window, see docs/operations.md).

-- +goose Up
CREATE INDEX bank_entries_interest ON bank_entries (claim_id) WHERE status = 'booked' AND alloc_interest > 0;

-- +goose Down
DROP INDEX bank_entries_interest;
