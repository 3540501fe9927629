-- Attachments in chunks (issue "Security hardening": uploads must never be
-- held whole in memory). A file's bytes are rows of at most 256 KiB, in
-- order, under the content's hash; attachment_blobs keeps one row per
-- content (its size) and its data column is left empty. Files stored
-- before this are moved into one chunk each. attachments_thread serves the
-- per-person quota, which sums a person's attachments through their
-- threads.

-- +goose Up
CREATE TABLE attachment_chunks (
    sha256 TEXT NOT NULL REFERENCES attachment_blobs (sha256),
    seq    INTEGER NOT NULL,
    data   BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);
INSERT INTO attachment_chunks (sha256, seq, data) SELECT sha256, 0, data FROM attachment_blobs WHERE length(data) > 0;
UPDATE attachment_blobs SET data = substr(data, 1, 0);
CREATE INDEX attachments_thread ON attachments (thread_id);

-- +goose Down
UPDATE attachment_blobs SET data = (SELECT c.data FROM attachment_chunks c WHERE c.sha256 = attachment_blobs.sha256 AND c.seq = 0);
DROP INDEX attachments_thread;
DROP TABLE attachment_chunks;
