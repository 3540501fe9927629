-- Keyed audit hashes (issue "Security hardening": an audit log that cannot
-- be cut or rewritten unnoticed). key_id names the HMAC key an entry's hash
-- was made with (audit.SumKeyed); '' is a plain SHA-256, as every entry
-- written before a key was configured. The key itself is never stored.

-- +goose Up
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN key_id;
