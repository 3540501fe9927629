-- Credentials of the systems that call the JSON API (pharmacies, partners'
-- payroll and accounting tools). Only the SHA-256 of a secret is kept;
-- scopes are a space-separated list of internal/apiclient's scopes.

-- +goose Up
CREATE TABLE api_clients (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  TIMESTAMPTZ
);

-- +goose Down
DROP TABLE api_clients;
