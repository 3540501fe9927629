package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/securemail"
)

// SecureMailRepo is the secure e-mail route's repository (securemail.Repo)
// on this database. Its transactions are secure messaging's too: a message
// written through a link becomes a thread there.
type SecureMailRepo struct{ db *DB }

var (
	_ securemail.Repo = (*SecureMailRepo)(nil)
	_ securemail.Tx   = msgTx{}
)

// SecureMail is the repository of secure e-mail links.
func (db *DB) SecureMail() *SecureMailRepo { return &SecureMailRepo{db: db} }

// InTx runs fn in a transaction, retried on busy and serialization
// failures.
func (r *SecureMailRepo) InTx(ctx context.Context, fn func(securemail.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(msgTx{tx}) })
}

// Now is the database's clock.
func (r *SecureMailRepo) Now() time.Time { return r.db.now().UTC() }

// RecentLinks counts the links asked for by an address and by a client
// since a moment.
func (r *SecureMailRepo) RecentLinks(ctx context.Context, emailHash, clientHash string, since time.Time) (byEmail, byClient int, err error) {
	err = r.db.sql.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM secure_links WHERE email_hash = $1 AND created_at >= $3),
			(SELECT count(*) FROM secure_links WHERE client_hash = $2 AND created_at >= $3)`,
		emailHash, clientHash, since.UTC()).Scan(&byEmail, &byClient)
	return byEmail, byClient, r.db.mapErr(err)
}

const linkColumns = `id, email, unit_id, lang, created_at, expires_at, used_at`

func scanLink(row interface{ Scan(...any) error }) (securemail.Link, error) {
	var l securemail.Link
	var used sql.NullTime
	err := row.Scan(&l.ID, &l.Email, &l.UnitID, &l.Lang, &l.CreatedAt, &l.ExpiresAt, &used)
	l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
	if used.Valid {
		l.UsedAt = used.Time.UTC()
	}
	return l, err
}

// LinkByToken finds a link by its token's hash, used or not.
func (r *SecureMailRepo) LinkByToken(ctx context.Context, tokenHash string) (securemail.Link, error) {
	l, err := scanLink(r.db.sql.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM secure_links WHERE token_hash = $1`, tokenHash))
	return l, r.db.mapErr(err)
}

// ThreadByReadToken finds the thread whose reading link has the hash.
func (r *SecureMailRepo) ThreadByReadToken(ctx context.Context, tokenHash string) (message.Thread, error) {
	t, err := scanThreadRow(r.db.sql.QueryRowContext(ctx, `SELECT `+threadCols+` FROM threads t WHERE t.read_token_hash = $1`, tokenHash))
	return t, r.db.mapErr(err)
}

// StoredFile reads an attachment with its bytes and its thread.
func (r *SecureMailRepo) StoredFile(ctx context.Context, id string) (message.StoredFile, error) {
	f, err := storedFile(ctx, r.db.sql, id)
	return f, r.db.mapErr(err)
}

// InsertLink stores a new link.
func (tx msgTx) InsertLink(ctx context.Context, l *securemail.Link, tokenHash, emailHash, clientHash string) error {
	l.ID = NewID()
	_, err := tx.ExecContext(ctx, `INSERT INTO secure_links
		(id, token_hash, email, email_hash, client_hash, unit_id, lang, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		l.ID, tokenHash, l.Email, emailHash, clientHash, l.UnitID, l.Lang, l.CreatedAt, l.ExpiresAt.UTC())
	return tx.db.mapErr(err)
}

// LinkForUpdate finds a link by its token's hash and locks it.
func (tx msgTx) LinkForUpdate(ctx context.Context, tokenHash string) (securemail.Link, error) {
	l, err := scanLink(tx.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM secure_links WHERE token_hash = $1`+tx.db.dialect.forUpdate(), tokenHash))
	return l, tx.db.mapErr(err)
}

// SpendLink marks a link used.
func (tx msgTx) SpendLink(ctx context.Context, id string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE secure_links SET used_at = $1 WHERE id = $2`, at, id)
	return tx.db.mapErr(oneRow(res, err))
}

// InsertMessage stores what was written through a link.
func (tx msgTx) InsertMessage(ctx context.Context, m *securemail.Message) error {
	m.ID = NewID()
	_, err := tx.ExecContext(ctx, `INSERT INTO secure_messages (id, link_id, unit_id, email, subject, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.LinkID, m.UnitID, m.Email, m.Subject, m.Body, m.CreatedAt)
	return tx.db.mapErr(err)
}
