package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/apiclient"
)

// APIClientRepo is the API clients' repository on the database.
type APIClientRepo struct{ db *DB }

// APIClients returns the API client service's repository on the database.
func (db *DB) APIClients() *APIClientRepo { return &APIClientRepo{db: db} }

var (
	_ apiclient.Repo = (*APIClientRepo)(nil)
	_ apiclient.Tx   = apiClientTx{}
)

type apiClientTx struct{ *Tx }

const apiClientColumns = `id, name, subject, scopes, created_at, created_by, revoked_at`

func scanAPIClient(row interface{ Scan(...any) error }) (apiclient.Client, error) {
	var c apiclient.Client
	var scopes string
	var revoked sql.NullTime
	err := row.Scan(&c.ID, &c.Name, &c.Subject, &scopes, &c.CreatedAt, &c.CreatedBy, &revoked)
	c.Scopes = strings.Fields(scopes)
	c.CreatedAt = c.CreatedAt.UTC()
	if revoked.Valid {
		c.RevokedAt = revoked.Time.UTC()
	}
	return c, err
}

// ClientBySecretHash is the client whose secret has the hash.
func (r *APIClientRepo) ClientBySecretHash(ctx context.Context, h string) (apiclient.Client, error) {
	c, err := scanAPIClient(r.db.sql.QueryRowContext(ctx, `SELECT `+apiClientColumns+` FROM api_clients WHERE secret_hash = $1`, h))
	return c, r.db.mapErr(err)
}

// Clients lists every client, newest first.
func (r *APIClientRepo) Clients(ctx context.Context) ([]apiclient.Client, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+apiClientColumns+` FROM api_clients ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, r.db.mapErr(err)
	}
	defer rows.Close()
	var out []apiclient.Client
	for rows.Next() {
		c, err := scanAPIClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InTx runs fn in one transaction, retried on a busy or serialization failure.
func (r *APIClientRepo) InTx(ctx context.Context, fn func(apiclient.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(apiClientTx{tx}) })
}

func (tx apiClientTx) CreateClient(ctx context.Context, c *apiclient.Client, secretHash string) error {
	c.ID, c.CreatedAt = NewID(), tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO api_clients (id, name, subject, scopes, secret_hash, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.Name, c.Subject, strings.Join(c.Scopes, " "), secretHash, c.CreatedAt, c.CreatedBy)
	return err
}

func (tx apiClientTx) ClientForUpdate(ctx context.Context, id string) (apiclient.Client, error) {
	c, err := scanAPIClient(tx.QueryRowContext(ctx, `SELECT `+apiClientColumns+` FROM api_clients WHERE id = $1`+tx.db.dialect.forUpdate(), id))
	return c, tx.db.mapErr(err)
}

func (tx apiClientTx) RevokeClient(ctx context.Context, id string) (time.Time, error) {
	_, err := tx.ExecContext(ctx, `UPDATE api_clients SET revoked_at = $2 WHERE id = $1`, id, tx.now)
	return tx.now, err
}
