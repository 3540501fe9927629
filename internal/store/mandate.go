package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/outbox"
)

// MandateRepo is the mandate register (mandate.Repo) on this database.
type MandateRepo struct{ db *DB }

// mandateTx is one transaction of the mandate service; seq holds the
// register sequence it took (0 until it writes mandates or names), one for
// every row it stamps.
type mandateTx struct {
	*Tx
	seq *int64
}

var (
	_ mandate.Repo = (*MandateRepo)(nil)
	_ mandate.Tx   = mandateTx{}
)

// Mandates is the repository of the mandate register.
func (db *DB) Mandates() *MandateRepo { return &MandateRepo{db: db} }

// InTx runs fn in a transaction, retried on busy and serialization failures.
func (r *MandateRepo) InTx(ctx context.Context, fn func(mandate.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(mandateTx{tx, new(int64)}) })
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

// RegisterSeq reads the register's counter row (its primary key: one
// indexed read of one row). The row is updated by every transaction that
// stamps mandates or names and stays locked until it ends, so the value
// read is that of the last committed writer, and sequences commit in
// order.
func (r *MandateRepo) RegisterSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := r.db.queryRow(ctx, `SELECT seq FROM mandate_register WHERE id = 1`).Scan(&seq)
	return seq, r.db.mapErr(err)
}

// MandatesSince streams, in one statement (one consistent read), every
// mandate written with a register sequence above after, with its
// sequence; after -1 reads the whole register.
func (r *MandateRepo) MandatesSince(ctx context.Context, after int64, fn func(mandate.Mandate, int64) error) error {
	rows, err := r.db.query(ctx, `SELECT `+mandateCols+`, m.seq FROM mandates m WHERE m.seq > $1`, after)
	if err != nil {
		return r.db.mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		m, err := scanMandate(rows, &seq)
		if err != nil {
			return r.db.mapErr(err)
		}
		if err := fn(m, seq); err != nil {
			return err
		}
	}
	return r.db.mapErr(rows.Err())
}

// OrganisationsSince streams, in one statement, every organisation added
// or renamed with a register sequence above after (-1: every
// organisation), with its name and sequence.
func (r *MandateRepo) OrganisationsSince(ctx context.Context, after int64, fn func(businessID, name string, seq int64) error) error {
	rows, err := r.db.query(ctx, `SELECT business_id, name, seq FROM organisations WHERE seq > $1`, after)
	if err != nil {
		return r.db.mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		var seq int64
		if err := rows.Scan(&id, &name, &seq); err != nil {
			return r.db.mapErr(err)
		}
		if err := fn(id, name, seq); err != nil {
			return err
		}
	}
	return r.db.mapErr(rows.Err())
}

// AuditShared appends the entries to the audit log in a transaction
// shared with whatever other entries are waiting (DB.RecordViews), and
// returns once they have committed.
func (r *MandateRepo) AuditShared(ctx context.Context, es ...audit.Entry) error {
	return r.db.RecordViews(ctx, es...)
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

// MandateHashesForUpdate reads the stored mandates' content hashes and
// locks their rows, in IN lists of the dialect's size, in ID order (so
// that two imports lock in the same order).
func (tx mandateTx) MandateHashesForUpdate(ctx context.Context, ids []string) (map[string]string, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make(map[string]string, len(ids))
	for part := range slices.Chunk(ids, tx.db.dialect.inList()) {
		rows, err := tx.QueryContext(ctx, `SELECT id, content_hash FROM mandates WHERE id IN (`+placeholders(1, len(part))+`)
			ORDER BY id`+tx.db.dialect.forUpdate(), anys(part)...)
		if err != nil {
			return nil, tx.db.mapErr(err)
		}
		if err := scanPairs(rows, out); err != nil {
			return nil, tx.db.mapErr(err)
		}
	}
	return out, nil
}

// nextMandateSeq takes the register's next sequence for the rows the
// transaction writes. The counter row stays locked until the transaction
// ends, so a later writer takes the next value only after this one has
// committed (or rolled back): a reader that sees sequence n has seen every
// write below it (mandate.Register relies on this).
// One value serves every write of the transaction (rows of one
// transaction become visible together).
func (tx mandateTx) nextMandateSeq(ctx context.Context) (int64, error) {
	if tx.seq != nil && *tx.seq != 0 {
		return *tx.seq, nil
	}
	seq, err := takeRegisterSeq(ctx, tx.Tx)
	if err == nil && tx.seq != nil {
		*tx.seq = seq
	}
	return seq, err
}

// takeRegisterSeq updates the register's counter (locking its row until
// the transaction ends) and returns the new value.
func takeRegisterSeq(ctx context.Context, tx *Tx) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE mandate_register SET seq = seq + 1 WHERE id = 1 RETURNING seq`).Scan(&seq)
	return seq, tx.db.mapErr(err)
}

// PutMandates adds or replaces the mandates, in statements of the
// dialect's insertRows, stamped with the register's next sequence.
func (tx mandateTx) PutMandates(ctx context.Context, ms []mandate.Mandate, hashes []string) error {
	const cols = 12
	if len(ms) == 0 {
		return nil
	}
	seq, err := tx.nextMandateSeq(ctx)
	if err != nil {
		return err
	}
	for len(ms) > 0 {
		n := min(len(ms), tx.db.dialect.insertRows())
		var q strings.Builder
		q.WriteString(`INSERT INTO mandates (id, principal_kind, principal_id, agent_kind, agent_id, type, issues,
			start_date, end_date, restriction, revoked, content_hash, updated_at, seq) VALUES `)
		args := make([]any, 0, n*cols+2)
		for i, m := range ms[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + placeholders(i*cols+3, cols) + ", $1, $2)")
			args = append(args, m.ID, string(m.Principal.Kind), m.Principal.ID, string(m.Agent.Kind), m.Agent.ID, string(m.Type),
				strings.Join(m.Issues, ","), m.Start, m.End, strings.Join(m.Restriction, ","), m.Revoked, hashes[i])
		}
		q.WriteString(` ON CONFLICT (id) DO UPDATE SET principal_kind = excluded.principal_kind, principal_id = excluded.principal_id,
			agent_kind = excluded.agent_kind, agent_id = excluded.agent_id, type = excluded.type, issues = excluded.issues,
			start_date = excluded.start_date, end_date = excluded.end_date, restriction = excluded.restriction,
			revoked = excluded.revoked, content_hash = excluded.content_hash, updated_at = excluded.updated_at, seq = excluded.seq`)
		if _, err := tx.exec(ctx, q.String(), append([]any{tx.now, seq}, args...)...); err != nil {
			return tx.db.mapErr(err)
		}
		ms, hashes = ms[n:], hashes[n:]
	}
	return nil
}

// RevokeMandates marks the stored mandates revoked, stamped with the
// register's next sequence.
func (tx mandateTx) RevokeMandates(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	seq, err := tx.nextMandateSeq(ctx)
	if err != nil {
		return err
	}
	for part := range slices.Chunk(ids, tx.db.dialect.inList()) {
		_, err := tx.exec(ctx, `UPDATE mandates SET revoked = TRUE, content_hash = $1, updated_at = $2, seq = $3
			WHERE id IN (`+placeholders(4, len(part))+`)`, append([]any{mandate.RevokedHash(), tx.now, seq}, anys(part)...)...)
		if err != nil {
			return tx.db.mapErr(err)
		}
	}
	return nil
}

// PutOrganisation adds an organisation or renames it, stamped with the
// register's sequence (a name written again unchanged keeps its stamp).
func (tx mandateTx) PutOrganisation(ctx context.Context, businessID, name string) error {
	seq, err := tx.nextMandateSeq(ctx)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO organisations (id, business_id, name, demo, created_at, seq) VALUES ($1, $2, $3, FALSE, $4, $5)
		ON CONFLICT (business_id) DO UPDATE SET name = excluded.name, seq = excluded.seq WHERE organisations.name <> excluded.name`,
		NewID(), businessID, name, tx.now, seq)
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

const requestCols = `id, requester_id, principal_id, type, issue, status, created_at, decided_at, COALESCE(decided_by, '')`

func scanRequest(row interface{ Scan(...any) error }) (mandate.Request, error) {
	var r mandate.Request
	var decided sql.NullTime
	err := row.Scan(&r.ID, &r.RequesterID, &r.Principal, &r.Type, &r.Issue, &r.Status, &r.CreatedAt, &decided, &r.DecidedBy)
	r.CreatedAt = r.CreatedAt.UTC()
	if decided.Valid {
		r.DecidedAt = decided.Time.UTC()
	}
	return r, err
}

// RequestsBy lists a person's mandate requests, newest first.
func (r *MandateRepo) RequestsBy(ctx context.Context, requesterID string) ([]mandate.Request, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+requestCols+` FROM mandate_requests WHERE requester_id = $1
		ORDER BY created_at DESC, id DESC LIMIT 100`, requesterID)
	if err != nil {
		return nil, r.db.mapErr(err)
	}
	out, err := scanAll(rows, scanRequest)
	return out, r.db.mapErr(err)
}

// PendingRequestsTo lists the pending requests to the organisations.
func (r *MandateRepo) PendingRequestsTo(ctx context.Context, ids []string) ([]mandate.Request, error) {
	var out []mandate.Request
	for _, id := range ids {
		rows, err := r.db.sql.QueryContext(ctx, `SELECT `+requestCols+` FROM mandate_requests
			WHERE principal_id = $1 AND status = 'pending' ORDER BY created_at, id LIMIT 100`, id)
		if err != nil {
			return nil, r.db.mapErr(err)
		}
		rs, err := scanAll(rows, scanRequest)
		if err != nil {
			return nil, r.db.mapErr(err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

// InsertRequest stores a new request.
func (tx mandateTx) RequestsSince(ctx context.Context, requesterID string, since time.Time, same mandate.Ask) (all, pending int, err error) {
	err = tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM mandate_requests WHERE requester_id = $1 AND created_at >= $2),
			(SELECT count(*) FROM mandate_requests WHERE requester_id = $1 AND principal_id = $3 AND type = $4 AND issue = $5 AND status = $6)`,
		requesterID, since, same.Principal, string(same.Type), same.Issue, string(mandate.RequestPending)).Scan(&all, &pending)
	return all, pending, err
}

func (tx mandateTx) InsertRequest(ctx context.Context, r *mandate.Request) error {
	r.ID = NewID()
	_, err := tx.ExecContext(ctx, `INSERT INTO mandate_requests (id, requester_id, principal_id, type, issue, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.RequesterID, r.Principal, string(r.Type), r.Issue, string(r.Status), r.CreatedAt)
	return tx.db.mapErr(err)
}

// RequestForUpdate reads a request and locks it.
func (tx mandateTx) RequestForUpdate(ctx context.Context, id string) (mandate.Request, error) {
	r, err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestCols+` FROM mandate_requests WHERE id = $1`+tx.db.dialect.forUpdate(), id))
	return r, tx.db.mapErr(err)
}

// UpdateRequest writes a request's answer.
func (tx mandateTx) UpdateRequest(ctx context.Context, r mandate.Request) error {
	res, err := tx.ExecContext(ctx, `UPDATE mandate_requests SET status = $2, decided_at = $3, decided_by = $4 WHERE id = $1`,
		r.ID, string(r.Status), r.DecidedAt, r.DecidedBy)
	return tx.db.mapErr(oneRow(res, err))
}

// Grantors lists the holders of mandates of the type from the organisation
// with their verified e-mail addresses.
func (tx mandateTx) Grantors(ctx context.Context, businessID string, t mandate.Type) ([]mandate.Grantor, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+mandateCols+`, COALESCE(p.id, ''), COALESCE(c.address, ''), COALESCE(p.lang, 'fi')
		FROM mandates m
		LEFT JOIN persons p ON p.hetu = m.agent_id
		LEFT JOIN notification_consents c ON c.person_id = p.id AND c.channel = 'email' AND c.verified
		WHERE m.principal_id = $1 AND m.type = $2 AND m.agent_kind = 'person'`, businessID, string(t))
	if err != nil {
		return nil, tx.db.mapErr(err)
	}
	out, err := scanAll(rows, func(row interface{ Scan(...any) error }) (mandate.Grantor, error) {
		var g mandate.Grantor
		var err error
		g.Mandate, err = scanMandate(row, &g.PersonID, &g.Email, &g.Lang)
		return g, err
	})
	return out, tx.db.mapErr(err)
}

// Contact is a customer's verified e-mail address for notices and language.
func (tx mandateTx) Contact(ctx context.Context, personID string) (email, lang string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(c.address, ''), p.lang FROM persons p
		LEFT JOIN notification_consents c ON c.person_id = p.id AND c.channel = 'email' AND c.verified
		WHERE p.id = $1`, personID).Scan(&email, &lang)
	return email, lang, tx.db.mapErr(err)
}

// PersonCode is a customer's identity code.
func (tx mandateTx) PersonCode(ctx context.Context, personID string) (string, error) {
	var code string
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(hetu, '') FROM persons WHERE id = $1`, personID).Scan(&code)
	return code, tx.db.mapErr(err)
}

// Enqueue adds a notice to the outbox in the transaction.
func (tx mandateTx) Enqueue(ctx context.Context, it *outbox.Item) error {
	return tx.Tx.Enqueue(ctx, it)
}

// CustomerIDs maps the identity codes that belong to a customer to the
// customer's ID, in IN lists of the dialect's size.
func (r *MandateRepo) CustomerIDs(ctx context.Context, codes []string) (map[string]string, error) {
	codes = slices.Compact(slices.Sorted(slices.Values(codes)))
	out := make(map[string]string, len(codes))
	for part := range slices.Chunk(codes, r.db.dialect.inList()) {
		rows, err := r.db.query(ctx, `SELECT hetu, id FROM persons WHERE hetu IN (`+placeholders(1, len(part))+`)`, anys(part)...)
		if err != nil {
			return nil, err
		}
		if err := scanPairs(rows, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanPairs reads rows of two text columns into the map, first to second.
func scanPairs(rows *sql.Rows, into map[string]string) error {
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		into[k] = v
	}
	return rows.Err()
}
