package store

// Customer service's desk: the staff search, the 360 view's reads and the
// customer's access log, as desk.Repo and desk.Tx.

import (
	"context"
	"slices"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/recovery"
)

// DeskRepo is the desk's repository on this database.
type DeskRepo struct{ db *DB }

var (
	_ desk.Repo = (*DeskRepo)(nil)
	_ desk.Tx   = deskTx{}
)

// Desk is the repository of customer service's desk.
func (db *DB) Desk() *DeskRepo { return &DeskRepo{db: db} }

type deskTx struct{ *Tx }

// The desk's queries, each read from an index (desk_plan_test.go).
const (
	personsBornOnSQL = `SELECT ` + personColumns + ` FROM persons WHERE birth_date = $1 ORDER BY birth_date, id LIMIT $2`
	personByEIDASSQL = `SELECT ` + personColumns + ` FROM persons WHERE id = (SELECT COALESCE(linked_person_id, id)
		FROM persons WHERE eidas_country = $1 AND eidas_id = $2)`
	claimPersonSQL  = `SELECT person_id FROM claims WHERE reference = $1 OR id = $1`
	threadPersonSQL = `SELECT party_id FROM threads WHERE id = $1 AND party_kind = 'customer'`
	deskClaimsSQL   = `SELECT ` + claimColumns + ` FROM claims WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`
	deskThreadsSQL  = `SELECT ` + threadCols + ` FROM threads t WHERE t.party_kind = 'customer' AND t.party_id = $1
		ORDER BY t.last_message_at DESC, t.id DESC LIMIT $2`
	// The customer's access log: the staff entries naming them, and the
	// staff views that listed them (audit.View), older than $2. The views
	// are read as AuditViewsSQL reads them: of each list of customers the
	// customer is on, its newest $4 views before the cursor (SQLite, with no
	// LATERAL, joins each list's views whole: accessLogViewsSQLite).
	accessLogSQL = `SELECT a.seq, a.at, a.action, a.detail, COALESCE(s.unit_id, ''), COALESCE(s.role, '')
		FROM audit_log a LEFT JOIN staff s ON s.id = a.actor_id
		WHERE a.subject_id = $1 AND a.actor_kind = 'staff' AND a.seq < $2
		ORDER BY a.seq DESC LIMIT $3`
	// accessLogViewEnd is past every view ID, for the first page.
	accessLogViewEnd  = "~"
	accessLogViewsSQL = `SELECT 0, v.at, v.action, '', COALESCE(s.unit_id, ''), COALESCE(s.role, ''), v.view_id
		FROM audit_subject_sets l CROSS JOIN LATERAL (SELECT w.view_id, w.at, w.action, w.actor_id FROM audit_views w
			WHERE w.set_key = l.set_key AND w.actor_kind = 'staff' AND (w.at, w.view_id) < ($2, $3)
			ORDER BY w.at DESC, w.view_id DESC LIMIT $4) v
		LEFT JOIN staff s ON s.id = v.actor_id
		WHERE l.subject_id = $1 ORDER BY v.at DESC, v.view_id DESC LIMIT $4`
	accessLogViewsSQLite = `SELECT 0, v.at, v.action, '', COALESCE(s.unit_id, ''), COALESCE(s.role, ''), v.view_id
		FROM audit_subject_sets l JOIN audit_views v ON v.set_key = l.set_key LEFT JOIN staff s ON s.id = v.actor_id
		WHERE l.subject_id = $1 AND v.actor_kind = 'staff' AND (v.at, v.view_id) < ($2, $3)
		ORDER BY v.at DESC, v.view_id DESC LIMIT $4`
)

// InTx runs fn in one transaction, retried on a busy or serialization failure.
func (r *DeskRepo) InTx(ctx context.Context, fn func(desk.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(deskTx{tx}) })
}

// AccessLog lists the staff entries about the person below the cursor's
// sequence number and the staff views that listed them before its time,
// newest first.
func (r *DeskRepo) AccessLog(ctx context.Context, personID string, c desk.LogCursor, limit int) ([]desk.LogRow, error) {
	seq, at, view := c.Seq, c.At, c.View
	if seq <= 0 {
		seq = 1 << 62
	}
	if at.IsZero() {
		at, view = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), accessLogViewEnd
	}
	scan := func(withView bool) func(row interface{ Scan(...any) error }) (desk.LogRow, error) {
		return func(row interface{ Scan(...any) error }) (desk.LogRow, error) {
			var l desk.LogRow
			dest := []any{&l.Seq, &l.At, &l.Action, &l.Detail, &l.StaffUnit, &l.StaffRole}
			if withView {
				dest = append(dest, &l.View)
			}
			err := row.Scan(dest...)
			l.At = l.At.UTC()
			return l, err
		}
	}
	rows, err := r.db.query(ctx, accessLogSQL, personID, seq, limit)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(rows, scan(false))
	if err != nil {
		return nil, err
	}
	q := accessLogViewsSQL
	if r.db.dialect != postgresDialect {
		q = accessLogViewsSQLite
	}
	rows, err = r.db.query(ctx, q, personID, at.UTC(), view, limit)
	if err != nil {
		return nil, err
	}
	views, err := scanAll(rows, scan(true))
	if err != nil {
		return nil, err
	}
	out = append(out, views...)
	slices.SortStableFunc(out, func(a, b desk.LogRow) int { return b.At.Compare(a.At) })
	return out[:min(len(out), limit)], nil
}

func (t deskTx) one(ctx context.Context, q string, args ...any) (customer.Person, error) {
	p, err := scanPerson(t.QueryRowContext(ctx, q, args...))
	return p, t.db.mapErr(err)
}

func (t deskTx) PersonByID(ctx context.Context, id string) (customer.Person, error) {
	return t.one(ctx, `SELECT `+personColumns+` FROM persons WHERE id = $1`, id)
}

func (t deskTx) PersonByHETU(ctx context.Context, code string) (customer.Person, error) {
	return t.one(ctx, `SELECT `+personColumns+` FROM persons WHERE hetu = $1`, code)
}

func (t deskTx) PersonByEIDAS(ctx context.Context, country, id string) (customer.Person, error) {
	return t.one(ctx, personByEIDASSQL, country, id)
}

func (t deskTx) PersonsBornOn(ctx context.Context, d civil.Date, limit int) ([]customer.Person, error) {
	rows, err := t.QueryContext(ctx, personsBornOnSQL, d, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanPerson)
}

func (t deskTx) PersonByReference(ctx context.Context, ref string) (customer.Person, error) {
	var id string
	err := t.QueryRowContext(ctx, claimPersonSQL, ref).Scan(&id)
	if isNoRows(err) {
		err = t.QueryRowContext(ctx, threadPersonSQL, ref).Scan(&id)
	}
	if err != nil {
		return customer.Person{}, t.db.mapErr(err)
	}
	return t.PersonByID(ctx, id)
}

func (t deskTx) ClaimsOf(ctx context.Context, personID string, limit int) ([]recovery.Claim, error) {
	rows, err := t.QueryContext(ctx, deskClaimsSQL, personID, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanClaim)
}

func (t deskTx) ThreadsOf(ctx context.Context, personID string, limit int) ([]message.Thread, error) {
	rows, err := t.QueryContext(ctx, deskThreadsSQL, personID, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanThreadRow)
}

func (t deskTx) Consent(ctx context.Context, personID string) (message.Consent, error) {
	c, err := consentOf(ctx, t, personID)
	return c, t.db.mapErr(err)
}

func (t deskTx) Audit(ctx context.Context, es ...audit.Entry) error { return t.Tx.Audit(ctx, es...) }

// RecordViews appends a staff read's audit entries in a shared transaction
// and returns once they have committed (DB.RecordViews).
func (r *DeskRepo) RecordViews(ctx context.Context, es ...audit.Entry) error {
	return r.db.RecordViews(ctx, es...)
}
