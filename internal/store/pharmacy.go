package store

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/pharmacy"
)

// PharmacyRepo is pharmacy direct reimbursement's repository
// (pharmacy.Repo) on this database.
type PharmacyRepo struct{ db *DB }

type pharmacyTx struct{ *Tx }

var (
	_ pharmacy.Repo = (*PharmacyRepo)(nil)
	_ pharmacy.Tx   = pharmacyTx{}
)

// Pharmacy is the repository of pharmacy direct reimbursement.
func (db *DB) Pharmacy() *PharmacyRepo { return &PharmacyRepo{db: db} }

// InTx runs fn in a transaction, retried on busy and serialization
// failures.
func (r *PharmacyRepo) InTx(ctx context.Context, fn func(pharmacy.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(pharmacyTx{tx}) })
}

// rowQuerier is the database or a transaction.
type rowQuerier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

const rightsQuery = `SELECT kind, valid_from, valid_to FROM pharmacy_rights WHERE person_id = $1 ORDER BY kind, valid_from`

func pharmacyRights(ctx context.Context, q rowQuerier, personID string) ([]pharmacy.Right, error) {
	rows, err := q.QueryContext(ctx, rightsQuery, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanRight)
}

func scanRight(row interface{ Scan(...any) error }) (pharmacy.Right, error) {
	var r pharmacy.Right
	var to sql.Null[civil.Date]
	err := row.Scan(&r.Kind, &r.From, &to)
	r.To = to.V
	return r, err
}

const yearQuery = `SELECT deductible_paid, ceiling_counted FROM pharmacy_years WHERE person_id = $1 AND year = $2`

func pharmacyYear(row *sql.Row, year int) (pharmacy.YearStatus, error) {
	st := pharmacy.YearStatus{Year: year}
	err := row.Scan(&st.DeductiblePaid, &st.CeilingCounted)
	if isNoRows(err) {
		return st, nil
	}
	return st, err
}

const purchaseCols = `id, pharmacy_id, purchase_id, person_id, purchased_on, fallback, status, price, customer_share,
	reimbursement, deductible, ceiling, recorded_at, cancelled_at`

func scanPurchase(row interface{ Scan(...any) error }) (pharmacy.Purchase, error) {
	var p pharmacy.Purchase
	var cancelled sql.NullTime
	err := row.Scan(&p.ID, &p.PharmacyID, &p.PurchaseID, &p.PersonID, &p.PurchasedOn, &p.Fallback, &p.Status, &p.Price,
		&p.CustomerShare, &p.Reimbursement, &p.Deductible, &p.Ceiling, &p.RecordedAt, &cancelled)
	p.RecordedAt = p.RecordedAt.UTC()
	if cancelled.Valid {
		p.CancelledAt = cancelled.Time.UTC()
	}
	return p, err
}

// purchase reads a purchase with its lines.
func (db *DB) pharmacyPurchase(ctx context.Context, q rowQuerier, pharmacyID, purchaseID string) (pharmacy.Purchase, error) {
	p, err := scanPurchase(q.QueryRowContext(ctx, `SELECT `+purchaseCols+` FROM pharmacy_purchases
		WHERE pharmacy_id = $1 AND purchase_id = $2`, pharmacyID, purchaseID))
	if err != nil {
		return p, db.mapErr(err)
	}
	rows, err := q.QueryContext(ctx, `SELECT vnr, name, class, rate_bp, packages, price, deductible, customer_share,
		reimbursement, ceiling, over_ceiling FROM pharmacy_purchase_lines WHERE purchase_id = $1 ORDER BY line`, p.ID)
	if err != nil {
		return p, db.mapErr(err)
	}
	p.Lines, err = scanAll(rows, func(row interface{ Scan(...any) error }) (pharmacy.Line, error) {
		var l pharmacy.Line
		err := row.Scan(&l.VNR, &l.Name, &l.Class, &l.RateBP, &l.Packages, &l.Price, &l.Deductible, &l.CustomerShare,
			&l.Reimbursement, &l.Ceiling, &l.OverCeiling)
		return l, err
	})
	return p, db.mapErr(err)
}

// Purchase finds a pharmacy's purchase by its purchase ID.
func (r *PharmacyRepo) Purchase(ctx context.Context, pharmacyID, purchaseID string) (pharmacy.Purchase, error) {
	return r.db.pharmacyPurchase(ctx, r.db.sql, pharmacyID, purchaseID)
}

// Calls lists a pharmacy's calls, newest first.
func (r *PharmacyRepo) Calls(ctx context.Context, pharmacyID string, limit int) ([]pharmacy.Call, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT id, pharmacy_id, client_id, at, op, outcome, purchase_id
		FROM pharmacy_calls WHERE pharmacy_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, pharmacyID, limit)
	if err != nil {
		return nil, r.db.mapErr(err)
	}
	calls, err := scanAll(rows, func(row interface{ Scan(...any) error }) (pharmacy.Call, error) {
		var c pharmacy.Call
		err := row.Scan(&c.ID, &c.PharmacyID, &c.ClientID, &c.At, &c.Op, &c.Outcome, &c.PurchaseID)
		c.At = c.At.UTC()
		return c, err
	})
	return calls, r.db.mapErr(err)
}

// Now is the database's clock, as a transaction would read it.
func (r *PharmacyRepo) Now() time.Time { return r.db.now().UTC().Truncate(time.Microsecond) }

// Counter reads a check's data in one round trip through a statement
// prepared once: the person with their status of the year, one row for
// each right (or one row without a right).
func (r *PharmacyRepo) Counter(ctx context.Context, code string, year int) (pharmacy.Person, []pharmacy.Right, pharmacy.YearStatus, error) {
	var p pharmacy.Person
	st := pharmacy.YearStatus{Year: year}
	rows, err := r.db.query(ctx, `SELECT p.id, p.birth_date, COALESCE(y.deductible_paid, 0), COALESCE(y.ceiling_counted, 0),
			r.kind, r.valid_from, r.valid_to
		FROM persons p
		LEFT JOIN pharmacy_years y ON y.person_id = p.id AND y.year = $2
		LEFT JOIN pharmacy_rights r ON r.person_id = p.id
		WHERE p.hetu = $1 ORDER BY r.kind, r.valid_from`, code, year)
	if err != nil {
		return p, nil, st, r.db.mapErr(err)
	}
	defer rows.Close()
	var rights []pharmacy.Right
	found := false
	for rows.Next() {
		var born sql.Null[civil.Date]
		var kind sql.NullString
		var from, to sql.Null[civil.Date]
		if err := rows.Scan(&p.ID, &born, &st.DeductiblePaid, &st.CeilingCounted, &kind, &from, &to); err != nil {
			return p, nil, st, r.db.mapErr(err)
		}
		found, p.BirthDate = true, born.V
		if kind.Valid {
			rights = append(rights, pharmacy.Right{Kind: kind.String, From: from.V, To: to.V})
		}
	}
	if err := rows.Err(); err != nil {
		return p, nil, st, r.db.mapErr(err)
	}
	if !found {
		return p, nil, st, r.db.mapErr(sql.ErrNoRows)
	}
	return p, rights, st, nil
}

// Rights lists a person's rights.
func (r *PharmacyRepo) Rights(ctx context.Context, personID string) ([]pharmacy.Right, error) {
	rs, err := pharmacyRights(ctx, r.db.sql, personID)
	return rs, r.db.mapErr(err)
}

// Year is a person's status of a year.
func (r *PharmacyRepo) Year(ctx context.Context, personID string, year int) (pharmacy.YearStatus, error) {
	st, err := pharmacyYear(r.db.sql.QueryRowContext(ctx, yearQuery, personID, year), year)
	return st, r.db.mapErr(err)
}

// Purchases lists a person's purchases of a year, newest first.
func (r *PharmacyRepo) Purchases(ctx context.Context, personID string, year, limit int) ([]pharmacy.Purchase, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+purchaseCols+` FROM pharmacy_purchases
		WHERE person_id = $1 AND year = $2 ORDER BY recorded_at DESC, id DESC LIMIT $3`, personID, year, limit)
	if err != nil {
		return nil, r.db.mapErr(err)
	}
	ps, err := scanAll(rows, scanPurchase)
	return ps, r.db.mapErr(err)
}

// PersonByHETU finds a customer by the full identity code.
func (t pharmacyTx) PersonByHETU(ctx context.Context, code string) (pharmacy.Person, error) {
	var p pharmacy.Person
	var born sql.Null[civil.Date]
	err := t.queryRow(ctx, `SELECT id, birth_date FROM persons WHERE hetu = $1`, code).Scan(&p.ID, &born)
	p.BirthDate = born.V
	return p, t.db.mapErr(err)
}

func (t pharmacyTx) Rights(ctx context.Context, personID string) ([]pharmacy.Right, error) {
	rs, err := pharmacyRights(ctx, t.Tx, personID)
	return rs, t.db.mapErr(err)
}

// YearForUpdate creates the year's row at zero if need be and locks it.
func (t pharmacyTx) YearForUpdate(ctx context.Context, personID string, year int) (pharmacy.YearStatus, error) {
	if _, err := t.exec(ctx, `INSERT INTO pharmacy_years (person_id, year) VALUES ($1, $2)
		ON CONFLICT (person_id, year) DO NOTHING`, personID, year); err != nil {
		return pharmacy.YearStatus{}, t.db.mapErr(err)
	}
	st, err := pharmacyYear(t.queryRow(ctx, yearQuery+t.db.dialect.forUpdate(), personID, year), year)
	return st, t.db.mapErr(err)
}

func (t pharmacyTx) UpdateYear(ctx context.Context, personID string, st pharmacy.YearStatus) error {
	res, err := t.exec(ctx, `UPDATE pharmacy_years SET deductible_paid = $1, ceiling_counted = $2
		WHERE person_id = $3 AND year = $4`, st.DeductiblePaid, st.CeilingCounted, personID, st.Year)
	return t.db.mapErr(oneRow(res, err))
}

func (t pharmacyTx) Purchase(ctx context.Context, pharmacyID, purchaseID string) (pharmacy.Purchase, error) {
	return t.db.pharmacyPurchase(ctx, t.Tx, pharmacyID, purchaseID)
}

// InsertPurchase stores a purchase and its lines.
func (t pharmacyTx) InsertPurchase(ctx context.Context, p *pharmacy.Purchase) error {
	p.ID = NewID()
	_, err := t.exec(ctx, `INSERT INTO pharmacy_purchases (`+purchaseCols+`, year)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14)`,
		p.ID, p.PharmacyID, p.PurchaseID, p.PersonID, p.PurchasedOn, p.Fallback, p.Status, p.Price, p.CustomerShare,
		p.Reimbursement, p.Deductible, p.Ceiling, p.RecordedAt.UTC(), p.PurchasedOn.Year)
	if err != nil {
		return t.db.mapErr(err)
	}
	for i, l := range p.Lines {
		_, err := t.exec(ctx, `INSERT INTO pharmacy_purchase_lines (purchase_id, line, vnr, name, class, rate_bp, packages,
			price, deductible, customer_share, reimbursement, ceiling, over_ceiling)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			p.ID, i+1, l.VNR, l.Name, string(l.Class), l.RateBP, l.Packages, l.Price, l.Deductible, l.CustomerShare,
			l.Reimbursement, l.Ceiling, l.OverCeiling)
		if err != nil {
			return t.db.mapErr(err)
		}
	}
	return nil
}

func (t pharmacyTx) CancelPurchase(ctx context.Context, id string, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE pharmacy_purchases SET status = $1, cancelled_at = $2 WHERE id = $3 AND status = $4`,
		pharmacy.Cancelled, at.UTC(), id, pharmacy.Recorded)
	return t.db.mapErr(oneRow(res, err))
}

// InsertCalls adds rows to the call history, many to a statement.
func (t pharmacyTx) InsertCalls(ctx context.Context, cs ...*pharmacy.Call) error {
	_, err := t.insertValues(ctx, callsInsert, "", callsCols, callRows(cs))
	return t.db.mapErr(err)
}

// WriteCalls adds rows to the call history and appends their audit
// entries in one transaction of its own (insertAudited: on PostgreSQL two
// round trips).
func (r *PharmacyRepo) WriteCalls(ctx context.Context, cs []*pharmacy.Call, es []audit.Entry) error {
	return r.db.insertAudited(ctx, callsInsert, callsCols, callRows(cs), es)
}

const (
	callsInsert = `INSERT INTO pharmacy_calls (id, pharmacy_id, client_id, at, op, outcome, purchase_id) VALUES `
	callsCols   = 7
)

// callRows sets the calls' IDs and returns them as callsInsert's rows.
func callRows(cs []*pharmacy.Call) [][]any {
	rows := make([][]any, len(cs))
	for i, c := range cs {
		c.ID = NewID()
		rows[i] = []any{c.ID, c.PharmacyID, c.ClientID, c.At.UTC(), c.Op, c.Outcome, c.PurchaseID}
	}
	return rows
}

// SeedPharmacy writes the demonstration people and rights of direct
// reimbursement once, reporting whether it did (under its own mark, so a
// database seeded before the capability existed gets them too). Rights of
// a person not in the database are skipped.
func (db *DB) SeedPharmacy(ctx context.Context, persons []customer.Person, rights map[string][]pharmacy.Right) (bool, error) {
	seeded := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var v string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'demo_pharmacy_seeded'`).Scan(&v)
		if err == nil {
			return nil
		} else if !isNoRows(err) {
			return err
		}
		for i := range persons {
			if err := tx.createPerson(ctx, &persons[i]); err != nil {
				return err
			}
		}
		for _, id := range slices.Sorted(maps.Keys(rights)) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM persons WHERE id = $1`, id).Scan(&n); err != nil {
				return err
			} else if n == 0 {
				continue
			}
			for _, r := range rights[id] {
				var to any
				if !r.To.IsZero() {
					to = r.To
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO pharmacy_rights (person_id, kind, valid_from, valid_to)
					VALUES ($1, $2, $3, $4)`, id, r.Kind, r.From, to); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('demo_pharmacy_seeded', $1)`, tx.now.Format(time.RFC3339))
		seeded = err == nil
		return err
	})
	return seeded, err
}
