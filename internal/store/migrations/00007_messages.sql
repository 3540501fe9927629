-- Secure messages (seed 002: Viestit): threads between a customer and a
-- unit, their messages and attachments, how the customer wants to be told
-- of a new message, and the outbox that tells them.

-- +goose Up

-- A thread is with a person (party_kind customer), an organisation, or a
-- sender known only by the e-mail address a secure e-mail link went to
-- (party_kind email, party_id the secure_messages row that opened it).
-- waiting_since is when the oldest customer message staff have not yet
-- answered arrived: NULL when nothing waits, so the service-level view is
-- an index scan.
CREATE TABLE threads (
    id              TEXT PRIMARY KEY,
    party_kind      TEXT NOT NULL,
    party_id        TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT 'fi',
    unit_id         TEXT NOT NULL REFERENCES units (id),
    subject         TEXT NOT NULL,
    specification   TEXT NOT NULL,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL,
    assigned_to     TEXT REFERENCES staff (id),
    created_at      TIMESTAMPTZ NOT NULL,
    last_message_at TIMESTAMPTZ NOT NULL,
    waiting_since   TIMESTAMPTZ,
    unread_customer INTEGER NOT NULL DEFAULT 0,
    unread_staff    INTEGER NOT NULL DEFAULT 0,
    -- For an e-mail party: the one-time link to read the unit's answer.
    read_token_hash TEXT UNIQUE,
    read_expires_at TIMESTAMPTZ
);
-- id completes the folder's order (newest first, then by ID) so that a
-- page is read straight from the index; unread_customer makes it cover a
-- party's counts.
CREATE INDEX threads_party ON threads (party_kind, party_id, last_message_at, id, unread_customer);
CREATE INDEX threads_unit ON threads (unit_id, status, last_message_at);
CREATE INDEX threads_waiting ON threads (unit_id, waiting_since);

CREATE TABLE thread_messages (
    id          TEXT PRIMARY KEY,
    thread_id   TEXT NOT NULL REFERENCES threads (id),
    author_kind TEXT NOT NULL,
    author_id   TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    internal    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX thread_messages_thread ON thread_messages (thread_id, created_at);

-- Attachment bytes live apart from the message rows, once per content
-- (sha256, hex); an attachment row names its message, its thread (for the
-- access check) and its content.
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size   BIGINT NOT NULL,
    data   BYTEA NOT NULL
);
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES thread_messages (id),
    thread_id    TEXT NOT NULL REFERENCES threads (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES attachment_blobs (sha256),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

-- The customer's choice on the message form: may the institution send them
-- messages, and are they told of one by e-mail or SMS, at an address they
-- proved with a one-time code.
CREATE TABLE notification_consents (
    person_id      TEXT PRIMARY KEY REFERENCES persons (id),
    allow_messages BOOLEAN NOT NULL,
    channel        TEXT NOT NULL,
    address        TEXT NOT NULL,
    verified       BOOLEAN NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE TABLE consent_codes (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons (id),
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX consent_codes_person ON consent_codes (person_id, created_at);

-- The outbox: notices written in the transaction that causes them and sent
-- by a worker. A worker claims a row by setting locked_by and locked_until;
-- a row whose lease ran out (its worker died) is claimed again. payload holds
-- what the text needs beyond kind and lang (a one-time code, a link) and is
-- cleared once the notice is sent. message_id is the e-mail Message-ID, the
-- same on every try, so that mail software can recognise a repeat.
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    channel      TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    lang         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '',
    message_id   TEXT NOT NULL,
    person_id    TEXT,
    thread_id    TEXT,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TIMESTAMPTZ NOT NULL,
    locked_by    TEXT,
    locked_until TIMESTAMPTZ,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    sent_at      TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (status, next_at);
CREATE INDEX outbox_thread ON outbox (thread_id);

-- Messages that came through secure e-mail links become threads in their
-- unit's queue.
INSERT INTO threads (id, party_kind, party_id, email, lang, unit_id, subject, specification, title, status,
                     created_at, last_message_at, waiting_since, unread_staff)
SELECT m.id, 'email', m.id, m.email, l.lang, m.unit_id, 'secure_email', 'other', m.subject, 'open',
       m.created_at, m.created_at, m.created_at, 1
FROM secure_messages m JOIN secure_links l ON l.id = m.link_id;
INSERT INTO thread_messages (id, thread_id, author_kind, body, internal, created_at)
SELECT m.id, m.id, 'customer', m.body, FALSE, m.created_at
FROM secure_messages m;

-- +goose Down
DROP TABLE outbox;
DROP TABLE consent_codes;
DROP TABLE notification_consents;
DROP TABLE attachments;
DROP TABLE attachment_blobs;
DROP TABLE thread_messages;
DROP TABLE threads;
