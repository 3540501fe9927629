package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
)

var _ audit.Store = (*DB)(nil)

// Append adds entries to the audit log in their own transaction.
func (db *DB) Append(ctx context.Context, es ...audit.Entry) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, es...) })
}

// RecordViews appends the audit entries of a staff read and returns once
// they have committed: in one transaction with the entries of whatever
// other reads are waiting (a group commit, internal/groupcommit). Every
// staff page that shows personal data appends to the one chain, whose lock
// is held until commit; one transaction a page would hold the pages to one
// disk flush each, one after another. A read that changes nothing else
// calls it after its reads and shows nothing until it returns.
func (db *DB) RecordViews(ctx context.Context, es ...audit.Entry) error {
	if len(es) == 0 {
		return nil
	}
	return db.views.Write(ctx, es)
}

// appendViews writes a batch of reads' entries in one transaction (on
// PostgreSQL two pipelined round trips, insertAudited).
func (db *DB) appendViews(ctx context.Context, batch [][]audit.Entry) error {
	var all []audit.Entry
	for _, es := range batch {
		all = append(all, es...)
	}
	return db.insertAudited(ctx, "", 0, nil, all)
}

// Audit appends entries to the audit log inside the transaction, so that the
// record of an action commits or rolls back with the action itself. A view
// entry's customers (audit.View) are listed first, before the chain's lock
// is taken, so the lock is held for one row per entry whatever a view shows.
func (tx *Tx) Audit(ctx context.Context, es ...audit.Entry) error {
	es, lists, views := viewRows(es, tx.now)
	if _, err := tx.insertValues(ctx, subjectSetInsert, subjectSetTail, subjectSetArgs, lists); err != nil {
		return err
	}
	if _, err := tx.insertValues(ctx, viewInsert, "", viewArgs, views); err != nil {
		return err
	}
	if q := tx.db.dialect.lockAudit(); q != "" {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	seq, prev := int64(0), audit.Genesis
	err := tx.sharedQueryRow(ctx, auditHeadQuery).Scan(&seq, &prev)
	if err != nil && !isNoRows(err) {
		return err
	}
	_, err = tx.insertValues(ctx, auditInsert, "", auditCols, tx.db.sealAudit(tx.now, seq, prev, es))
	return err
}

// auditHeadQuery reads the newest entry of the chain, auditInsert (with
// auditCols values a row) appends to it.
const (
	auditHeadQuery = `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`
	auditInsert    = `INSERT INTO audit_log
		(seq, at, actor_kind, actor_id, action, subject_id, object, detail, prev_hash, hash, key_id) VALUES `
	auditCols = 11
)

// sealAudit numbers and hashes es at the instant now after the chain's
// entry seq with hash prev, and returns them as auditInsert's rows.
func (db *DB) sealAudit(now time.Time, seq int64, prev string, es []audit.Entry) [][]any {
	key := db.auditSealKey()
	rows := make([][]any, len(es))
	for i, e := range es {
		seq++
		e.Seq, e.At, e.PrevHash = seq, now, prev
		audit.Seal(key, &e)
		rows[i] = []any{e.Seq, e.At, e.ActorKind, e.ActorID, e.Action, e.SubjectID, e.Object, e.Detail, e.PrevHash, e.Hash, e.KeyID}
		prev = e.Hash
	}
	return rows
}

// A view's customers are listed beside the chain (migration 00042): each
// distinct list once in audit_subject_sets under its key (the hex SHA-256 of
// the sorted IDs, as in the view's entry), and each view in audit_views
// naming its list. subjectSetInsert writes a list's rows unless a view
// already names that list: a list is written whole with its first view, in
// the same transaction and before it, so a list some committed view names
// is complete (two transactions writing the same new list at once: the
// second's rows conflict and are skipped).
const (
	subjectSetInsert = `INSERT INTO audit_subject_sets (set_key, subject_id) SELECT v.column1, v.column2 FROM (VALUES `
	subjectSetTail   = `) AS v WHERE NOT EXISTS (SELECT 1 FROM audit_views w WHERE w.set_key = v.column1) ON CONFLICT DO NOTHING`
	subjectSetArgs   = 2
	viewInsert       = `INSERT INTO audit_views (view_id, set_key, at, actor_kind, actor_id, action) VALUES `
	viewArgs         = 6
)

// viewRows gives each view entry of es (one that lists Subjects) its ID,
// in Object, and returns the entries, subjectSetInsert's rows listing the
// customers of each distinct list (in key and customer order, so that two
// transactions writing the same lists take their keys in one order) and
// viewInsert's rows naming each view's list at the instant at. es is not
// changed.
func viewRows(es []audit.Entry, at time.Time) (out []audit.Entry, lists, views [][]any) {
	out = slices.Clone(es)
	seen := map[string]bool{}
	for i := range out {
		if len(out[i].Subjects) == 0 {
			continue
		}
		ids := audit.SortedSubjects(out[i].Subjects)
		id, key := NewID(), audit.SubjectsKey(ids)
		out[i].Object = audit.ViewPrefix + id
		views = append(views, []any{id, key, at, out[i].ActorKind, out[i].ActorID, out[i].Action})
		if seen[key] {
			continue
		}
		seen[key] = true
		for _, subject := range ids {
			lists = append(lists, []any{key, subject})
		}
	}
	slices.SortStableFunc(lists, func(a, b []any) int {
		return cmp.Or(strings.Compare(a[0].(string), b[0].(string)), strings.Compare(a[1].(string), b[1].(string)))
	})
	return out, lists, views
}

// View is what is kept of a view entry beside the chain: its time, actor
// and action, and the customers it showed (sorted); found is false when
// no view has the ID.
func (db *DB) View(ctx context.Context, viewID string) (v audit.ViewRecord, found bool, err error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT v.at, v.actor_kind, v.actor_id, v.action, COALESCE(s.subject_id, '')
		FROM audit_views v LEFT JOIN audit_subject_sets s ON s.set_key = v.set_key WHERE v.view_id = $1`, viewID)
	if err != nil {
		return v, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&v.At, &v.ActorKind, &v.ActorID, &v.Action, &id); err != nil {
			return v, false, err
		}
		found = true
		if id != "" {
			v.Subjects = append(v.Subjects, id)
		}
	}
	// Sorted as Go sorts (bytewise), whatever the database's collation.
	slices.Sort(v.Subjects)
	v.At = v.At.UTC()
	return v, found, rows.Err()
}

// ViewCount is how many views are kept beside the chain.
func (db *DB) ViewCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM audit_views`).Scan(&n)
	return n, err
}

// AuditHash is the hash of the entry with the sequence number.
func (db *DB) AuditHash(ctx context.Context, seq int64) (string, error) {
	var h string
	err := db.sql.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, seq).Scan(&h)
	return h, db.mapErr(err)
}

// AuditHead is the newest entry's sequence number and hash; 0 and
// audit.Genesis when the log is empty.
func (db *DB) AuditHead(ctx context.Context) (int64, string, error) {
	seq, h := int64(0), audit.Genesis
	err := db.sql.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &h)
	if isNoRows(err) {
		err = nil
	}
	return seq, h, err
}

// Scan calls fn for every audit entry in order.
func (db *DB) Scan(ctx context.Context, fn func(audit.Entry) error) error {
	return db.scanAudit(ctx, fn, `SELECT seq, at, actor_kind, actor_id, action, subject_id, object, detail, prev_hash, hash, key_id
		FROM audit_log ORDER BY seq`)
}

// AuditOwnSQL and AuditViewsSQL are AuditForSubject's two reads on
// PostgreSQL: $1 the customer, $2 the limit. The first is an index range of
// the customer's own entries. The second reads the lists of customers the
// customer is on (audit_subject_sets) and, of each list, its newest $2
// views (an index range of the list's views): however often a list was
// viewed, the read is bounded by the customer's lists times the page.
// SQLite, which has no LATERAL, joins each list's views whole
// (auditViewsSQLite).
const (
	AuditOwnSQL = `SELECT seq, at, actor_kind, actor_id, action, subject_id, object, detail, prev_hash, hash, key_id
		FROM audit_log WHERE subject_id = $1 ORDER BY subject_id DESC, seq DESC LIMIT $2`
	AuditViewsSQL = `SELECT 0, v.at, v.actor_kind, v.actor_id, v.action, l.subject_id, '` + audit.ViewPrefix + `' || v.view_id, '', '', '', ''
		FROM audit_subject_sets l CROSS JOIN LATERAL (SELECT w.view_id, w.at, w.actor_kind, w.actor_id, w.action
			FROM audit_views w WHERE w.set_key = l.set_key ORDER BY w.at DESC, w.view_id DESC LIMIT $2) v
		WHERE l.subject_id = $1 ORDER BY v.at DESC, v.view_id DESC LIMIT $2`
	auditViewsSQLite = `SELECT 0, v.at, v.actor_kind, v.actor_id, v.action, l.subject_id, '` + audit.ViewPrefix + `' || v.view_id, '', '', '', ''
		FROM audit_subject_sets l JOIN audit_views v ON v.set_key = l.set_key
		WHERE l.subject_id = $1 ORDER BY v.at DESC, v.view_id DESC LIMIT $2`
)

// AuditForSubject lists the newest audit entries about one customer, for the
// customer's own "who has looked at my data" page and for staff: the
// entries naming the customer and the views that showed them (with the
// view's Object and no Seq or hashes), newest first.
func (db *DB) AuditForSubject(ctx context.Context, subjectID string, limit int) ([]audit.Entry, error) {
	var out []audit.Entry
	add := func(e audit.Entry) error { out = append(out, e); return nil }
	if err := db.scanAudit(ctx, add, AuditOwnSQL, subjectID, limit); err != nil {
		return nil, err
	}
	views := AuditViewsSQL
	if db.dialect != postgresDialect {
		views = auditViewsSQLite
	}
	if err := db.scanAudit(ctx, add, views, subjectID, limit); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b audit.Entry) int { return b.At.Compare(a.At) })
	return out[:min(len(out), limit)], nil
}

func (db *DB) scanAudit(ctx context.Context, fn func(audit.Entry) error, q string, args ...any) error {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorKind, &e.ActorID, &e.Action, &e.SubjectID, &e.Object, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID); err != nil {
			return err
		}
		e.At = e.At.UTC()
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
