-- The period a recovery claim concerns: the first and last day of the
-- benefit paid too much (housing allowance paid 1.3.–31.8.2026, say), both
-- included. NULL when the claim names none: claims written before this
-- migration, healthcare fees. recovery.Claim.CheckPeriod is the rule; the
-- CHECK keeps a period written some other way whole and in order.

-- +goose Up
ALTER TABLE claims ADD COLUMN period_from DATE;
ALTER TABLE claims ADD COLUMN period_to DATE
    CHECK ((period_from IS NULL) = (period_to IS NULL) AND period_to >= period_from);

-- +goose Down
ALTER TABLE claims DROP COLUMN period_to;
ALTER TABLE claims DROP COLUMN period_from;
