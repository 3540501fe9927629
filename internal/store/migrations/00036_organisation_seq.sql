-- Organisations' names in the mandate register held in memory (issue 12):
-- every transaction that adds or renames an organisation stamps it with
-- the register's next sequence (the same counter as mandates, 00033), so
-- that the register reads the names changed since its last read along
-- organisations_seq, as it reads mandates.

-- +goose Up
ALTER TABLE organisations ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX organisations_seq ON organisations (seq);

-- +goose Down
DROP INDEX organisations_seq;
ALTER TABLE organisations DROP COLUMN seq;
