-- One audit entry per staff view of many customers (issue "Audit and
-- monitoring that scale with staff"). The chained entry in audit_log names
-- the view ("view:<id>") and carries the count and SHA-256 of the sorted
-- customer IDs shown; audit_view_subjects lists them, one row per customer,
-- written before the chain's lock is taken, so that a queue page of 400
-- customers holds the lock for one row instead of 400. etuus audit verify
-- recomputes each view's digest from these rows.

-- +goose Up
CREATE TABLE audit_view_subjects (
    view_id    TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    action     TEXT NOT NULL,
    PRIMARY KEY (view_id, subject_id)
);
-- A customer's "who has looked at my data", newest first.
CREATE INDEX audit_view_subjects_subject ON audit_view_subjects (subject_id, at, view_id);

-- +etuus postgres
CREATE TRIGGER audit_view_subjects_no_change BEFORE UPDATE OR DELETE ON audit_view_subjects
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- +etuus end
-- +etuus sqlite
-- +goose StatementBegin
CREATE TRIGGER audit_view_subjects_no_update BEFORE UPDATE ON audit_view_subjects
BEGIN
    SELECT RAISE(ABORT, 'audit_view_subjects is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_view_subjects_no_delete BEFORE DELETE ON audit_view_subjects
BEGIN
    SELECT RAISE(ABORT, 'audit_view_subjects is append-only');
END;
-- +goose StatementEnd
-- +etuus end

-- +goose Down
DROP TABLE audit_view_subjects;
