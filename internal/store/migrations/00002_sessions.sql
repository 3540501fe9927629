-- Sign-in: sessions, sign-ins in progress, eIDAS identities linked to
-- customer records, and secure e-mail links for customers abroad.

-- +goose Up
-- An eIDAS identity is a customer of its own until staff link it to the
-- customer record it belongs to; sign-ins then act for that record.
ALTER TABLE persons ADD COLUMN linked_person_id TEXT REFERENCES persons (id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    person_id    TEXT REFERENCES persons (id),
    staff_id     TEXT REFERENCES staff (id),
    provider     TEXT NOT NULL,
    id_token     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_flows (
    id_hash    TEXT PRIMARY KEY,
    provider   TEXT NOT NULL,
    state      TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next       TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE login_flows;
DROP TABLE sessions;
ALTER TABLE persons DROP COLUMN linked_person_id;
