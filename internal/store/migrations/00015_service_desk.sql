-- Customer service's desk and the directory (issue 14): the staff search
-- reads an index, never the whole register; the customer's access log reads
-- the staff entries about them from an index; disruption notices staff
-- publish.

-- +goose Up

-- A name search reads the people born on one day (tens at a million
-- customers), then matches their names in Go.
CREATE INDEX persons_birth ON persons (birth_date, id);

-- "Who looked at my data": only the staff entries about a person, newest
-- first, without the customer's own sign-ins.
CREATE INDEX audit_log_subject_staff ON audit_log (subject_id, seq DESC) WHERE actor_kind = 'staff';

-- Disruption notices: which services, the window, the texts in three
-- languages, who published and who withdrew (staff IDs, for the audit).
CREATE TABLE disruption_notices (
    id           TEXT PRIMARY KEY,
    services     TEXT NOT NULL,
    starts_at    TIMESTAMPTZ NOT NULL,
    ends_at      TIMESTAMPTZ NOT NULL,
    text_fi      TEXT NOT NULL,
    text_sv      TEXT NOT NULL,
    text_en      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    withdrawn_at TIMESTAMPTZ
);
CREATE INDEX disruption_notices_ends ON disruption_notices (ends_at DESC, id);

-- +goose Down
DROP TABLE disruption_notices;
DROP INDEX audit_log_subject_staff;
DROP INDEX persons_birth;
