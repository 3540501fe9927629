package store

import (
	"context"

	"github.com/etuus/etuus/internal/audit"
)

var _ audit.Store = (*DB)(nil)

// Append adds entries to the audit log in their own transaction.
func (db *DB) Append(ctx context.Context, es ...audit.Entry) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, es...) })
}

// Audit appends entries to the audit log inside the transaction, so that the
// record of an action commits or rolls back with the action itself.
func (tx *Tx) Audit(ctx context.Context, es ...audit.Entry) error {
	if q := tx.db.dialect.lockAudit(); q != "" {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	var seq int64
	prev := audit.Genesis
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !isNoRows(err) {
		return err
	}
	for _, e := range es {
		seq++
		e.Seq, e.At, e.PrevHash = seq, tx.now, prev
		e.Hash = audit.Sum(e)
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log
			(seq, at, actor_kind, actor_id, action, subject_id, object, detail, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			e.Seq, e.At, e.ActorKind, e.ActorID, e.Action, e.SubjectID, e.Object, e.Detail, e.PrevHash, e.Hash)
		if err != nil {
			return err
		}
		prev = e.Hash
	}
	return nil
}

// Scan calls fn for every audit entry in order.
func (db *DB) Scan(ctx context.Context, fn func(audit.Entry) error) error {
	return db.scanAudit(ctx, fn, `SELECT seq, at, actor_kind, actor_id, action, subject_id, object, detail, prev_hash, hash
		FROM audit_log ORDER BY seq`)
}

// AuditForSubject lists the newest audit entries about one customer, for the
// customer's own "who has looked at my data" page and for staff.
func (db *DB) AuditForSubject(ctx context.Context, subjectID string, limit int) ([]audit.Entry, error) {
	var out []audit.Entry
	err := db.scanAudit(ctx, func(e audit.Entry) error { out = append(out, e); return nil },
		`SELECT seq, at, actor_kind, actor_id, action, subject_id, object, detail, prev_hash, hash
		FROM audit_log WHERE subject_id = $1 ORDER BY seq DESC LIMIT $2`, subjectID, limit)
	return out, err
}

func (db *DB) scanAudit(ctx context.Context, fn func(audit.Entry) error, q string, args ...any) error {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorKind, &e.ActorID, &e.Action, &e.SubjectID, &e.Object, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		e.At = e.At.UTC()
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
