package store

import (
	"context"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/mandate"
)

// MandateRepo is the mandate register (mandate.Repo) on this database.
type MandateRepo struct{ db *DB }

type mandateTx struct{ *Tx }

var (
	_ mandate.Repo = (*MandateRepo)(nil)
	_ mandate.Tx   = mandateTx{}
)

// Mandates is the repository of the mandate register.
func (db *DB) Mandates() *MandateRepo { return &MandateRepo{db: db} }

// InTx runs fn in a transaction, retried on busy and serialization failures.
func (r *MandateRepo) InTx(ctx context.Context, fn func(mandate.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(mandateTx{tx}) })
}

// Now is the database's clock.
func (r *MandateRepo) Now() time.Time { return r.db.now().UTC() }

const mandateCols = `m.id, m.principal_kind, m.principal_id, m.agent_kind, m.agent_id, m.type, m.issues,
	m.start_date, m.end_date, m.restriction, m.revoked`

func scanMandate(row interface{ Scan(...any) error }, extra ...any) (mandate.Mandate, error) {
	var m mandate.Mandate
	var issues, restr string
	err := row.Scan(append([]any{&m.ID, &m.Principal.Kind, &m.Principal.ID, &m.Agent.Kind, &m.Agent.ID, &m.Type, &issues,
		&m.Start, &m.End, &restr, &m.Revoked}, extra...)...)
	m.Issues = splitList(issues)
	m.Restriction = splitList(restr)
	return m, err
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// ForDecision reads the person's mandates and the organisation's mandates
// to the organisations the person holds mandates from.
func (r *MandateRepo) ForDecision(ctx context.Context, person, org string) ([]mandate.Mandate, error) {
	rows, err := r.db.query(ctx, `SELECT `+mandateCols+` FROM mandates m WHERE m.agent_id = $1
		UNION ALL
		SELECT `+mandateCols+` FROM mandates m WHERE m.principal_id = $2 AND m.agent_kind = 'organisation'
			AND m.agent_id IN (SELECT p.principal_id FROM mandates p WHERE p.agent_id = $1)`, person, org)
	if err != nil {
		return nil, r.db.mapErr(err)
	}
	out, err := scanAll(rows, func(row interface{ Scan(...any) error }) (mandate.Mandate, error) { return scanMandate(row) })
	return out, r.db.mapErr(err)
}

// ForChooser reads the person's mandates and every mandate to the
// organisations the person holds representation mandates from, with the
// principals' names.
func (r *MandateRepo) ForChooser(ctx context.Context, person string) ([]mandate.Mandate, map[string]string, error) {
	rows, err := r.db.query(ctx, `SELECT `+mandateCols+`, COALESCE(o.name, '') FROM mandates m
			LEFT JOIN organisations o ON o.business_id = m.principal_id WHERE m.agent_id = $1
		UNION ALL
		SELECT `+mandateCols+`, COALESCE(o.name, '') FROM mandates m
			LEFT JOIN organisations o ON o.business_id = m.principal_id
			WHERE m.agent_kind = 'organisation' AND m.type = 'transaction'
			AND m.agent_id IN (SELECT p.principal_id FROM mandates p WHERE p.agent_id = $1 AND p.type = 'representation')`, person)
	if err != nil {
		return nil, nil, r.db.mapErr(err)
	}
	names := map[string]string{}
	out, err := scanAll(rows, func(row interface{ Scan(...any) error }) (mandate.Mandate, error) {
		var name string
		m, err := scanMandate(row, &name)
		if name != "" {
			names[m.Principal.ID] = name
		}
		return m, err
	})
	return out, names, r.db.mapErr(err)
}

// PersonCode is a customer's identity code, "" for an eIDAS identity.
func (r *MandateRepo) PersonCode(ctx context.Context, personID string) (string, error) {
	var code string
	err := r.db.queryRow(ctx, `SELECT COALESCE(hetu, '') FROM persons WHERE id = $1`, personID).Scan(&code)
	return code, r.db.mapErr(err)
}

// OrganisationName is the name of the organisation with the business ID.
func (r *MandateRepo) OrganisationName(ctx context.Context, businessID string) (string, error) {
	var name string
	err := r.db.queryRow(ctx, `SELECT name FROM organisations WHERE business_id = $1`, businessID).Scan(&name)
	return name, r.db.mapErr(err)
}

// MandatesOf lists the mandates a party gives or holds.
func (r *MandateRepo) MandatesOf(ctx context.Context, p mandate.Party, limit int) ([]mandate.Mandate, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+mandateCols+` FROM mandates m
		WHERE (m.principal_id = $1 AND m.principal_kind = $2) OR (m.agent_id = $1 AND m.agent_kind = $2)
		ORDER BY m.id LIMIT $3`, p.ID, string(p.Kind), limit)
	if err != nil {
		return nil, r.db.mapErr(err)
	}
	out, err := scanAll(rows, func(row interface{ Scan(...any) error }) (mandate.Mandate, error) { return scanMandate(row) })
	return out, r.db.mapErr(err)
}

// Mandate reads one mandate by register ID.
func (r *MandateRepo) Mandate(ctx context.Context, id string) (mandate.Mandate, error) {
	m, err := scanMandate(r.db.sql.QueryRowContext(ctx, `SELECT `+mandateCols+` FROM mandates m WHERE m.id = $1`, id))
	return m, r.db.mapErr(err)
}

// MandateHashForUpdate reads a stored mandate's content hash and locks it.
func (tx mandateTx) MandateHashForUpdate(ctx context.Context, id string) (string, error) {
	var h string
	err := tx.queryRow(ctx, `SELECT content_hash FROM mandates WHERE id = $1`+tx.db.dialect.forUpdate(), id).Scan(&h)
	return h, tx.db.mapErr(err)
}

// PutMandate adds a mandate or replaces it.
func (tx mandateTx) PutMandate(ctx context.Context, m mandate.Mandate, hash string) error {
	_, err := tx.exec(ctx, `INSERT INTO mandates (id, principal_kind, principal_id, agent_kind, agent_id, type, issues,
			start_date, end_date, restriction, revoked, content_hash, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE, $11, $12)
		ON CONFLICT (id) DO UPDATE SET principal_kind = excluded.principal_kind, principal_id = excluded.principal_id,
			agent_kind = excluded.agent_kind, agent_id = excluded.agent_id, type = excluded.type, issues = excluded.issues,
			start_date = excluded.start_date, end_date = excluded.end_date, restriction = excluded.restriction,
			revoked = FALSE, content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
		m.ID, string(m.Principal.Kind), m.Principal.ID, string(m.Agent.Kind), m.Agent.ID, string(m.Type),
		strings.Join(m.Issues, ","), m.Start, m.End, strings.Join(m.Restriction, ","), hash, tx.now)
	return tx.db.mapErr(err)
}

// RevokeMandate marks a stored mandate revoked.
func (tx mandateTx) RevokeMandate(ctx context.Context, id string) error {
	res, err := tx.exec(ctx, `UPDATE mandates SET revoked = TRUE, content_hash = $2, updated_at = $3 WHERE id = $1`,
		id, mandate.RevokedHash(), tx.now)
	return tx.db.mapErr(oneRow(res, err))
}

// PutOrganisation adds an organisation or renames it.
func (tx mandateTx) PutOrganisation(ctx context.Context, businessID, name string) error {
	_, err := tx.exec(ctx, `INSERT INTO organisations (id, business_id, name, demo, created_at) VALUES ($1, $2, $3, FALSE, $4)
		ON CONFLICT (business_id) DO UPDATE SET name = excluded.name`, NewID(), businessID, name, tx.now)
	return tx.db.mapErr(err)
}

// MissingOrganisations returns the business IDs no organisation has.
func (tx mandateTx) MissingOrganisations(ctx context.Context, ids []string) ([]string, error) {
	var missing []string
	for _, id := range ids {
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM organisations WHERE business_id = $1`, id).Scan(&n); err != nil {
			return nil, tx.db.mapErr(err)
		}
		if n == 0 {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// Audit appends entries to the audit log in the transaction.
func (tx mandateTx) Audit(ctx context.Context, es ...audit.Entry) error {
	return tx.Tx.Audit(ctx, es...)
}
