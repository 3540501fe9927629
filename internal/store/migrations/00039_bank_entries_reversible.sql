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

-- The new index is built before the old one is dropped: on PostgreSQL
-- DROP INDEX locks the table against reads too until the migration's
-- transaction commits, so it comes last, when only the commit is left.

-- +goose Up
CREATE INDEX bank_entries_reversible ON bank_entries (reference, amount_cents) WHERE status IN ('booked', 'queued');
DROP INDEX bank_entries_reference;

-- +goose Down
CREATE INDEX bank_entries_reference ON bank_entries (reference, amount_cents) WHERE status = 'booked';
DROP INDEX bank_entries_reversible;
