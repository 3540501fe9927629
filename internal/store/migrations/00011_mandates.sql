-- Suomi.fi-style mandates (seed 004, DOMAIN.md section 3): the register as
-- loaded from the national register's feed, and mandate requests.

-- +goose Up
-- One row per mandate of the register, keyed by the register's ID. Parties
-- are business IDs (organisations) or identity codes (persons); issues and
-- the restriction specifier are comma-separated sorted lists; dates are the
-- first and last day in force in Finland (the end inclusive).
CREATE TABLE mandates (
    id             TEXT PRIMARY KEY,
    principal_kind TEXT NOT NULL,
    principal_id   TEXT NOT NULL,
    agent_kind     TEXT NOT NULL,
    agent_id       TEXT NOT NULL,
    type           TEXT NOT NULL,
    issues         TEXT NOT NULL,
    start_date     DATE NOT NULL,
    end_date       DATE NOT NULL,
    restriction    TEXT NOT NULL DEFAULT '',
    revoked        BOOLEAN NOT NULL DEFAULT FALSE,
    content_hash   TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX mandates_agent ON mandates (agent_id, type);
CREATE INDEX mandates_principal ON mandates (principal_id, agent_kind);

-- A person's request for a mandate from an organisation; the
-- organisation's people with the right to grant answer it.
CREATE TABLE mandate_requests (
    id           TEXT PRIMARY KEY,
    requester_id TEXT NOT NULL REFERENCES persons (id),
    principal_id TEXT NOT NULL,
    type         TEXT NOT NULL,
    issue        TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    decided_at   TIMESTAMPTZ,
    decided_by   TEXT REFERENCES persons (id)
);
CREATE INDEX mandate_requests_principal ON mandate_requests (principal_id, status, created_at);
CREATE INDEX mandate_requests_requester ON mandate_requests (requester_id, created_at);

-- +goose Down
DROP TABLE mandate_requests;
DROP TABLE mandates;
