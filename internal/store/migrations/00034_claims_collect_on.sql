-- The day the daily collection must next look at a claim (issue 19): the
-- earliest of the rules' next step (a reminder, enforcement, a missed
-- instalment) and the claim's next monthly interest charge, written by the
-- collection only (recovery.Tx.SetCollectOn). NULL means "at the next run":
-- every other write of a claim (a payment booked, a plan, an exemption, a
-- decision) sets it back to NULL, and so does this migration for every
-- claim, so the first run after it looks at all of them once.
-- claims_collect lists, along (collect_on, id), the collected claims a run
-- takes: those with NULL or a day up to the run's.

-- +goose Up
ALTER TABLE claims ADD COLUMN collect_on DATE;
CREATE INDEX claims_collect ON claims (collect_on, id) WHERE status IN ('open', 'in_plan', 'reminded');

-- +goose Down
DROP INDEX claims_collect;
ALTER TABLE claims DROP COLUMN collect_on;
