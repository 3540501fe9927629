-- A view's customers are stored once per distinct list, not once per view
-- (issues "Kela-sized data" and "Audit and monitoring that scale with
-- staff"). A queue page shows the same customers to everyone who opens it
-- until the queue changes: with audit_view_subjects every view wrote a row
-- per customer shown (fifty a page view, a millisecond of the database's
-- CPU, most of what a staff queue page cost). Now:
--
-- - audit_subject_sets lists the customers of a list once, under the list's
--   key: the hex SHA-256 of the sorted customer IDs, the digest the view's
--   chained entry carries (audit.SubjectsDigest), so a list is written by
--   the first view that shows it;
-- - audit_views is one row per view: its ID (the chained entry's object
--   "view:<id>"), the list's key, the time, actor and action.
--
-- `etuus audit verify` recomputes each view's digest from its list as
-- before: a changed list, or a view pointed at another list, no longer
-- matches the digest in the chained entry. The views of before keep their
-- own lists, keyed 'view:<id>'. Both tables are append-only.
--
-- The copy of the old rows runs in the migration's transaction: audit
-- writes wait for it (27 s for 427,000 rows of audit_view_subjects on
-- PostgreSQL on the project's 2-core machine under load; docs/operations.md).

-- +goose Up
CREATE TABLE audit_subject_sets (
    set_key    TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    PRIMARY KEY (set_key, subject_id)
);
-- The lists a customer is on ("who has looked at my data").
CREATE INDEX audit_subject_sets_subject ON audit_subject_sets (subject_id, set_key);

CREATE TABLE audit_views (
    view_id    TEXT PRIMARY KEY,
    set_key    TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    action     TEXT NOT NULL
);
-- A list's views, newest last: read per list a customer is on.
CREATE INDEX audit_views_set ON audit_views (set_key, at, view_id);

INSERT INTO audit_subject_sets (set_key, subject_id)
    SELECT 'view:' || view_id, subject_id FROM audit_view_subjects;
INSERT INTO audit_views (view_id, set_key, at, actor_kind, actor_id, action)
    SELECT view_id, 'view:' || view_id, min(at), min(actor_kind), min(actor_id), min(action)
    FROM audit_view_subjects GROUP BY view_id;
DROP TABLE audit_view_subjects;

-- +etuus postgres
CREATE TRIGGER audit_subject_sets_no_change BEFORE UPDATE OR DELETE ON audit_subject_sets
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_views_no_change BEFORE UPDATE OR DELETE ON audit_views
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- +etuus end
-- +etuus sqlite
-- +goose StatementBegin
CREATE TRIGGER audit_subject_sets_no_update BEFORE UPDATE ON audit_subject_sets
BEGIN
    SELECT RAISE(ABORT, 'audit_subject_sets is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_subject_sets_no_delete BEFORE DELETE ON audit_subject_sets
BEGIN
    SELECT RAISE(ABORT, 'audit_subject_sets is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_views_no_update BEFORE UPDATE ON audit_views
BEGIN
    SELECT RAISE(ABORT, 'audit_views is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_views_no_delete BEFORE DELETE ON audit_views
BEGIN
    SELECT RAISE(ABORT, 'audit_views is append-only');
END;
-- +goose StatementEnd
-- +etuus end

-- +goose Down
CREATE TABLE audit_view_subjects (
    view_id    TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    action     TEXT NOT NULL,
    PRIMARY KEY (view_id, subject_id)
);
CREATE INDEX audit_view_subjects_subject ON audit_view_subjects (subject_id, at, view_id);
INSERT INTO audit_view_subjects (view_id, subject_id, at, actor_kind, actor_id, action)
    SELECT v.view_id, s.subject_id, v.at, v.actor_kind, v.actor_id, v.action
    FROM audit_views v JOIN audit_subject_sets s ON s.set_key = v.set_key;
DROP TABLE audit_views;
DROP TABLE audit_subject_sets;
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
