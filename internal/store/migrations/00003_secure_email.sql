-- Secure e-mail for customers abroad without Finnish e-ID or eIDAS (seeds
-- 002 and 003): a one-time link to write to one unit, and what was written.

-- +goose Up
CREATE TABLE secure_links (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    email       TEXT NOT NULL,
    email_hash  TEXT NOT NULL,
    client_hash TEXT NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units (id),
    lang        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX secure_links_email ON secure_links (email_hash, created_at);
CREATE INDEX secure_links_client ON secure_links (client_hash, created_at);

-- Messages written through a link, in the unit's queue. The sender is
-- known only by the e-mail address the link went to.
CREATE TABLE secure_messages (
    id         TEXT PRIMARY KEY,
    link_id    TEXT NOT NULL UNIQUE REFERENCES secure_links (id),
    unit_id    TEXT NOT NULL REFERENCES units (id),
    email      TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX secure_messages_unit ON secure_messages (unit_id, created_at);

-- +goose Down
DROP TABLE secure_messages;
DROP TABLE secure_links;
