-- The platform: the institution's organisation, customers, staff and the
-- audit log. Types are PostgreSQL's; store/dialect.go rewrites a few for SQLite.

-- +goose Up
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Business units, operational units, regional customer-service units, the
-- Customer Contact Centre and its sites, and centres such as the Overpayment
-- Recovery Centre: one tree (seed 001).
CREATE TABLE units (
    id        TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES units (id),
    kind      TEXT NOT NULL,
    name_fi   TEXT NOT NULL,
    name_sv   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    sort      INTEGER NOT NULL DEFAULT 0,
    public    BOOLEAN NOT NULL DEFAULT FALSE
);

-- Public contact points of a unit: phone lines with their hours and
-- languages, postal addresses, e-mail and fax (seeds 002, 003).
CREATE TABLE unit_contacts (
    id        TEXT PRIMARY KEY,
    unit_id   TEXT NOT NULL REFERENCES units (id),
    kind      TEXT NOT NULL,
    audience  TEXT NOT NULL DEFAULT '',
    value     TEXT NOT NULL,
    days      TEXT NOT NULL DEFAULT '',
    opens     TEXT NOT NULL DEFAULT '',
    closes    TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    note_key  TEXT NOT NULL DEFAULT '',
    intl      TEXT NOT NULL DEFAULT '',
    sort      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX unit_contacts_unit ON unit_contacts (unit_id, sort);

-- Customers. A person known by a Finnish identity code has hetu; an eIDAS
-- person has a country and a person identifier instead, until staff link the
-- identity to a customer record.
CREATE TABLE persons (
    id            TEXT PRIMARY KEY,
    hetu          TEXT UNIQUE,
    eidas_country TEXT,
    eidas_id      TEXT,
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    birth_date    DATE,
    lang          TEXT NOT NULL DEFAULT 'fi',
    email         TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    demo          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (eidas_country, eidas_id)
);

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    demo        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE staff (
    id          TEXT PRIMARY KEY,
    subject     TEXT NOT NULL UNIQUE,
    given_name  TEXT NOT NULL,
    family_name TEXT NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units (id),
    role        TEXT NOT NULL,
    demo        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL
);

-- The audit log: append-only, each row carrying the hash of the one before.
-- subject_id names the customer whose data was touched, never by identity code.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject_id TEXT NOT NULL DEFAULT '',
    object     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, seq);

-- +etuus postgres
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- +etuus end
-- +etuus sqlite
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +etuus end

-- +goose Down
DROP TABLE audit_log;
DROP TABLE staff;
DROP TABLE organisations;
DROP TABLE persons;
DROP TABLE unit_contacts;
DROP TABLE units;
DROP TABLE meta;
-- +etuus postgres
DROP FUNCTION IF EXISTS audit_log_append_only();
-- +etuus end
