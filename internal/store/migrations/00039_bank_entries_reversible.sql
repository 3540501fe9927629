-- A reversal finds the payment it takes back (recovery.Tx.ReversibleCredit)
-- among the booked and the queued credits of its reference and amount. The
-- index bank_entries_reference held only the booked ones (WHERE status =
-- 'booked'), which that query's "status IN ('booked', 'queued')" does not
-- imply, so neither SQLite nor PostgreSQL could use it: each reversal read
-- the whole table, with the import's write lock held (a second or more at a
-- million rows). bank_entries_reversible holds both, under the same
-- condition the query states; a booked payment writes the same one index
-- entry as before, a queued credit one more. Building it reads the table
-- once and, like any index build, holds off writes to bank_entries while
-- it runs.

-- +goose Up
DROP INDEX bank_entries_reference;
CREATE INDEX bank_entries_reversible ON bank_entries (reference, amount_cents) WHERE status IN ('booked', 'queued');

-- +goose Down
DROP INDEX bank_entries_reversible;
CREATE INDEX bank_entries_reference ON bank_entries (reference, amount_cents) WHERE status = 'booked';
