package store

// Disruption notices, as directory.Repo and directory.Tx.

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/directory"
)

// DirectoryRepo is the disruption notices' repository.
type DirectoryRepo struct{ db *DB }

var (
	_ directory.Repo = (*DirectoryRepo)(nil)
	_ directory.Tx   = directoryTx{}
)

// Directory is the repository of disruption notices.
func (db *DB) Directory() *DirectoryRepo { return &DirectoryRepo{db: db} }

type directoryTx struct{ *Tx }

// InTx runs fn in one transaction, retried on a busy or serialization failure.
func (r *DirectoryRepo) InTx(ctx context.Context, fn func(directory.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(directoryTx{tx}) })
}

// Notices lists the notices ending after since, newest start first.
func (r *DirectoryRepo) Notices(ctx context.Context, since time.Time, limit int) ([]directory.Notice, error) {
	rows, err := r.db.query(ctx, `SELECT id, services, starts_at, ends_at, text_fi, text_sv, text_en, created_by, created_at, withdrawn_at
		FROM disruption_notices WHERE ends_at > $1 ORDER BY ends_at DESC, id LIMIT $2`, since, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(row interface{ Scan(...any) error }) (directory.Notice, error) {
		var n directory.Notice
		var services, fi, sv, en string
		var withdrawn sql.NullTime
		err := row.Scan(&n.ID, &services, &n.Starts, &n.Ends, &fi, &sv, &en, &n.CreatedBy, &n.CreatedAt, &withdrawn)
		n.Services = strings.Split(services, ",")
		n.Texts = map[string]string{"fi": fi, "sv": sv, "en": en}
		n.Starts, n.Ends, n.CreatedAt = n.Starts.UTC(), n.Ends.UTC(), n.CreatedAt.UTC()
		if withdrawn.Valid {
			n.Withdrawn = withdrawn.Time.UTC()
		}
		return n, err
	})
}

func (t directoryTx) InsertNotice(ctx context.Context, n *directory.Notice) error {
	n.ID, n.CreatedAt = NewID(), t.now
	_, err := t.ExecContext(ctx, `INSERT INTO disruption_notices
		(id, services, starts_at, ends_at, text_fi, text_sv, text_en, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		n.ID, strings.Join(n.Services, ","), n.Starts.UTC(), n.Ends.UTC(), n.Texts["fi"], n.Texts["sv"], n.Texts["en"], n.CreatedBy, n.CreatedAt)
	return err
}

func (t directoryTx) WithdrawNotice(ctx context.Context, id string, at time.Time) error {
	return t.db.mapErr(oneRow(t.ExecContext(ctx, `UPDATE disruption_notices SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL`, at, id)))
}

func (t directoryTx) Audit(ctx context.Context, es ...audit.Entry) error {
	return t.Tx.Audit(ctx, es...)
}
