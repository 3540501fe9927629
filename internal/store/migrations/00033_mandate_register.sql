-- The mandate register's sequence (issue 12): every transaction that writes
-- mandates takes the next value of a one-row counter and stamps the rows it
-- writes with it, so that a server keeping the register in memory reads
-- what changed since its last read along mandates_seq. The counter row is
-- updated (and so locked) until the writing transaction commits: the next
-- writer waits for it, and sequences become visible in commit order.

-- +goose Up
CREATE TABLE mandate_register (
    id  INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO mandate_register (id, seq) VALUES (1, 0);
ALTER TABLE mandates ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX mandates_seq ON mandates (seq);

-- +goose Down
DROP INDEX mandates_seq;
ALTER TABLE mandates DROP COLUMN seq;
DROP TABLE mandate_register;
