package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
)

// PaymentRepo is the payment service's storage: the SQL only.
type PaymentRepo struct{ db *DB }

// Payment returns the payment service's repository on the database.
func (db *DB) Payment() *PaymentRepo { return &PaymentRepo{db: db} }

var (
	_ payment.Repo = (*PaymentRepo)(nil)
	_ payment.Tx   = paymentTx{}
)

type paymentTx struct{ *Tx }

// InTx runs fn in one transaction, retried on a busy or serialization
// failure.
func (r *PaymentRepo) InTx(ctx context.Context, fn func(payment.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(paymentTx{tx}) })
}

const paymentColumns = `id, person_id, benefit_id, kind, period, run_id, due_date, pay_date,
	amount_cents, iban, end_to_end_id, status, created_at`

// paymentStatus is a benefit payment's status as read, in a query over
// payments without an alias. The stored status is what happened to the
// payment itself — prepared (recorded in a run), rejected or returned by
// the bank; "sent" (rows written before 2026-12-03 and the scale
// generator's) — and a prepared payment is sent exactly when its run's
// file is published: the run's one row says so for all of its payments.
const paymentStatus = `CASE WHEN payments.status = 'prepared' AND EXISTS (SELECT 1 FROM payment_runs pr
	WHERE pr.id = payments.run_id AND pr.status = 'published') THEN 'sent' ELSE payments.status END`

func scanPayment(row interface{ Scan(...any) error }) (payment.Payment, error) {
	var p payment.Payment
	err := row.Scan(&p.ID, &p.PersonID, &p.BenefitID, &p.Kind, &p.Period, &p.RunID, &p.DueDate, &p.PayDate,
		&p.AmountCents, &p.IBAN, &p.EndToEndID, &p.Status, &p.CreatedAt)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

const paymentsOfQuery = `SELECT ` + paymentReadColumns + ` FROM payments WHERE person_id = $1
	ORDER BY pay_date DESC, id DESC LIMIT 500`

// PaymentsOf lists the customer's payments, newest pay day first.
func (r *PaymentRepo) PaymentsOf(ctx context.Context, personID string) ([]payment.Payment, error) {
	rows, err := r.db.query(ctx, paymentsOfQuery, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanPaymentRead)
}

// PaymentOf is one payment of the customer; another's is NotFound.
func (r *PaymentRepo) PaymentOf(ctx context.Context, personID, id string) (payment.Payment, error) {
	p, err := scanPaymentRead(r.db.queryRow(ctx, `SELECT `+paymentReadColumns+` FROM payments WHERE id = $1 AND person_id = $2`, id, personID))
	return p, r.db.mapErr(err)
}

const benefitColumns = `b.id, b.person_id, b.kind, b.amount_cents, b.iban, b.starts, b.ends, b.decided`

func scanBenefit(row interface{ Scan(...any) error }) (payment.Benefit, error) {
	var b payment.Benefit
	err := row.Scan(&b.ID, &b.PersonID, &b.Kind, &b.AmountCents, &b.IBAN, &b.Starts, &b.Ends, &b.Decided)
	return b, err
}

// scanBenefitHolder is scanBenefit followed by the holder's name and language.
func scanBenefitHolder(row interface{ Scan(...any) error }) (payment.Benefit, error) {
	var b payment.Benefit
	err := row.Scan(&b.ID, &b.PersonID, &b.Kind, &b.AmountCents, &b.IBAN, &b.Starts, &b.Ends, &b.Decided, &b.Holder, &b.Lang)
	return b, err
}

const benefitsOfQuery = `SELECT ` + benefitColumns + ` FROM benefits b WHERE b.person_id = $1 ORDER BY b.starts, b.id`

// BenefitsOf lists the customer's benefits.
func (r *PaymentRepo) BenefitsOf(ctx context.Context, personID string) ([]payment.Benefit, error) {
	rows, err := r.db.query(ctx, benefitsOfQuery, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanBenefit)
}

// RunPayments calls fn for each of the run's payments in end-to-end ID
// order, with the holder's name and language.
func (r *PaymentRepo) RunPayments(ctx context.Context, runID string, fn func(*payment.Payment) error) error {
	// The benefit payments, then the employers': each in end-to-end ID
	// order along its run index, so that a file of a million payments is
	// read in order rather than sorted (a UNION ordered as a whole sorted
	// every row of the run).
	for _, q := range []string{
		`SELECT p.end_to_end_id, p.kind, p.period, p.amount_cents, p.iban,
			pe.given_name || ' ' || pe.family_name, pe.lang, ''
		FROM payments p JOIN persons pe ON pe.id = p.person_id WHERE p.run_id = $1 ORDER BY p.end_to_end_id`,
		// An employer payment's kind is what it reimburses: the daily
		// allowance, or occupational healthcare (whose applications name
		// no benefit).
		`SELECT e.end_to_end_id, CASE WHEN a.kind = 'occupational_healthcare' THEN a.kind ELSE a.benefit END, '', e.amount_cents, e.iban, COALESCE(o.name, e.org_id), 'fi', e.application_id
		FROM employer_payments e JOIN employer_applications a ON a.id = e.application_id
		LEFT JOIN organisations o ON o.business_id = e.org_id WHERE e.run_id = $1 ORDER BY e.end_to_end_id`,
	} {
		if err := r.runPayments(ctx, q, runID, fn); err != nil {
			return err
		}
	}
	return nil
}

func (r *PaymentRepo) runPayments(ctx context.Context, q, runID string, fn func(*payment.Payment) error) error {
	rows, err := r.db.sql.QueryContext(ctx, q, runID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var p payment.Payment
	for rows.Next() {
		if err := rows.Scan(&p.EndToEndID, &p.Kind, &p.Period, &p.AmountCents, &p.IBAN, &p.Holder, &p.Lang, &p.ApplicationID); err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
	}
	return rows.Err()
}

const runColumns = `id, number, pay_date, status, message_id, file_name, payments, total_cents, sha256,
	started_by, created_at, published_at`

func scanRun(row interface{ Scan(...any) error }) (payment.Run, error) {
	var r payment.Run
	var pub sql.NullTime
	err := row.Scan(&r.ID, &r.Number, &r.PayDate, &r.Status, &r.MessageID, &r.FileName, &r.Payments, &r.TotalCents,
		&r.SHA256, &r.StartedBy, &r.CreatedAt, &pub)
	r.CreatedAt = r.CreatedAt.UTC()
	if pub.Valid {
		r.PublishedAt = pub.Time.UTC()
	}
	return r, err
}

// Runs lists the latest runs, newest first.
func (r *PaymentRepo) Runs(ctx context.Context, limit int) ([]payment.Run, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+runColumns+` FROM payment_runs ORDER BY number DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanRun)
}

// paymentRunLock is the advisory lock key that serialises payment runs on
// PostgreSQL (the audit chain's is 7744).
const paymentRunLock = 7745

func (t paymentTx) LockRuns(ctx context.Context) error {
	if t.db.dialect != postgresDialect {
		return nil
	}
	_, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+strconv.Itoa(paymentRunLock)+`)`)
	return err
}

func (t paymentTx) UnpublishedRuns(ctx context.Context) ([]payment.Run, error) {
	rows, err := t.QueryContext(ctx, `SELECT `+runColumns+` FROM payment_runs WHERE status = 'prepared' ORDER BY number`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanRun)
}

func (t paymentTx) NextRunNumber(ctx context.Context) (int64, error) {
	var n int64
	err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM payment_runs`).Scan(&n)
	return n, err
}

func (t paymentTx) InsertRun(ctx context.Context, r *payment.Run) error {
	r.ID, r.CreatedAt = NewID(), t.now.Truncate(1e9)
	_, err := t.ExecContext(ctx, `INSERT INTO payment_runs (id, number, pay_date, status, message_id, file_name,
		payments, total_cents, started_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $8)`,
		r.ID, r.Number, r.PayDate, r.Status, r.MessageID, r.FileName, r.StartedBy, r.CreatedAt)
	return err
}

func (t paymentTx) DeleteRun(ctx context.Context, runID string) error {
	_, err := t.ExecContext(ctx, `DELETE FROM payment_runs WHERE id = $1`, runID)
	return err
}

// Benefits reads the benefits in pages of benefitPage by ID, each page
// read whole before fn runs (a connection cannot read and write at once).
func (t paymentTx) Benefits(ctx context.Context, fn func([]payment.Benefit) error) error {
	const benefitPage = 5000
	after := ""
	for {
		rows, err := t.QueryContext(ctx, `SELECT `+benefitColumns+`, pe.given_name || ' ' || pe.family_name, pe.lang
			FROM benefits b JOIN persons pe ON pe.id = b.person_id WHERE b.id > $1 ORDER BY b.id LIMIT $2`, after, benefitPage)
		if err != nil {
			return err
		}
		page, err := scanAll(rows, scanBenefitHolder)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page) < benefitPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// InsertPayments stores the payments, skipping any whose benefit and
// period are paid already: on SQLite one row a statement (insertValues),
// on PostgreSQL all of them in one statement over arrays
// (insertPaymentsPostgres).
func (t paymentTx) InsertPayments(ctx context.Context, ps []*payment.Payment) (int, error) {
	for _, p := range ps {
		p.ID = NewID()
		p.EndToEndID = strings.ReplaceAll(p.ID, "-", "")
		p.CreatedAt = t.now
	}
	if t.db.dialect == postgresDialect {
		return t.insertPaymentsPostgres(ctx, ps)
	}
	rows := make([][]any, len(ps))
	for i, p := range ps {
		rows[i] = []any{p.ID, p.PersonID, p.BenefitID, p.Kind, p.Period, p.RunID, p.DueDate, p.PayDate,
			p.AmountCents, p.IBAN, p.EndToEndID, p.Status, p.CreatedAt}
	}
	n, err := t.insertValues(ctx, `INSERT INTO payments (`+paymentColumns+`) VALUES `, ` ON CONFLICT (benefit_id, period) DO NOTHING`, 13, rows)
	return int(n), err
}

// insertPaymentsPostgres is InsertPayments on PostgreSQL: the same rows
// and the same ON CONFLICT, passed as one array a column and unnested,
// so that a page of 500 payments is 13 parameters rather than 6,500 (in
// 200-row statements, whose parameters pgx encoded one by one: a fifth
// of a run's CPU). PostgreSQL only; SQLite has no arrays.
func (t paymentTx) insertPaymentsPostgres(ctx context.Context, ps []*payment.Payment) (int, error) {
	n := len(ps)
	var (
		ids, persons, benefits, kinds, periods, runs = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		dues, pays, ibans, e2es, statuses            = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		amounts                                      = make([]int64, n)
		created                                      = make([]time.Time, n)
	)
	for i, p := range ps {
		ids[i], persons[i], benefits[i], kinds[i], periods[i], runs[i] = p.ID, p.PersonID, p.BenefitID, p.Kind, p.Period, p.RunID
		dues[i], pays[i], ibans[i], e2es[i], statuses[i] = p.DueDate.String(), p.PayDate.String(), p.IBAN, p.EndToEndID, p.Status
		amounts[i], created[i] = p.AmountCents, p.CreatedAt
	}
	res, err := t.ExecContext(ctx, `INSERT INTO payments (`+paymentColumns+`)
		SELECT u.id, u.person_id, u.benefit_id, u.kind, u.period, u.run_id, u.due_date::date, u.pay_date::date,
			u.amount_cents, u.iban, u.end_to_end_id, u.status, u.created_at
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::bigint[], $10::text[], $11::text[], $12::text[], $13::timestamptz[])
			AS u(id, person_id, benefit_id, kind, period, run_id, due_date, pay_date, amount_cents, iban, end_to_end_id, status, created_at)
		ON CONFLICT (benefit_id, period) DO NOTHING`,
		ids, persons, benefits, kinds, periods, runs, dues, pays, amounts, ibans, e2es, statuses, created)
	if err != nil {
		return 0, err
	}
	k, err := res.RowsAffected()
	return int(k), err
}

func (t paymentTx) RunTotals(ctx context.Context, runID string) (int, int64, error) {
	var n int
	var sum int64
	err := t.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM (
		SELECT amount_cents FROM payments WHERE run_id = $1
		UNION ALL SELECT amount_cents FROM employer_payments WHERE run_id = $1) x`, runID).Scan(&n, &sum)
	return n, sum, err
}

func (t paymentTx) SaveRunTotals(ctx context.Context, r *payment.Run) error {
	_, err := t.ExecContext(ctx, `UPDATE payment_runs SET payments = $1, total_cents = $2 WHERE id = $3`, r.Payments, r.TotalCents, r.ID)
	return err
}

func (t paymentTx) PublishRun(ctx context.Context, runID, sha string) (bool, error) {
	res, err := t.ExecContext(ctx, `UPDATE payment_runs SET status = 'published', sha256 = $1, published_at = $2
		WHERE id = $3 AND status = 'prepared'`, sha, t.now, runID)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	// A benefit payment recorded in the run is sent from now on because
	// its run is published (paymentStatus): not rewritten, which on
	// PostgreSQL rewrote every index entry of each of the run's rows and
	// was a third of a 100,000-payment run.
	_, err = t.ExecContext(ctx, `UPDATE employer_payments SET status = 'sent' WHERE run_id = $1`, runID)
	return true, err
}

func (t paymentTx) Audit(ctx context.Context, es ...audit.Entry) error { return t.Tx.Audit(ctx, es...) }

// AddBenefit stores a benefit (demo data, tests and benchmarks; deciding
// benefits is another capability's use case).
func (db *DB) AddBenefit(ctx context.Context, b *payment.Benefit) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.addBenefit(ctx, b) })
}

func (tx *Tx) addBenefit(ctx context.Context, b *payment.Benefit) error {
	if b.ID == "" {
		b.ID = NewID()
	}
	_, err := tx.exec(ctx, `INSERT INTO benefits (id, person_id, kind, amount_cents, iban, starts, ends, decided, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		b.ID, b.PersonID, b.Kind, b.AmountCents, b.IBAN, b.Starts, b.Ends, b.Decided, tx.now)
	return err
}

// SeedDemoBenefits writes the demo benefits once (their own mark in meta,
// so a database seeded before benefits existed gets them too); false when
// they were written before.
func (db *DB) SeedDemoBenefits(ctx context.Context, bs []payment.Benefit) (bool, error) {
	seeded := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var v string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'demo_benefits_seeded'`).Scan(&v)
		if err == nil || !isNoRows(err) {
			return err
		}
		for i := range bs {
			if err := tx.addBenefit(ctx, &bs[i]); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('demo_benefits_seeded', $1)`, tx.now.Format("2006-01-02T15:04:05Z"))
		seeded = err == nil
		return err
	})
	return seeded, err
}

// Status reports.

const reportColumns = `id, person_id, benefit_id, period_start, period_end, hours_worked, income_cents, sick_days,
	filed_on, pay_date, amount_cents, created_at`

func scanReport(row interface{ Scan(...any) error }) (payment.StatusReport, error) {
	var r payment.StatusReport
	err := row.Scan(&r.ID, &r.PersonID, &r.BenefitID, &r.Period.Start, &r.Period.End, &r.Hours, &r.IncomeCents, &r.SickDays,
		&r.FiledOn, &r.PayDate, &r.AmountCents, &r.CreatedAt)
	r.CreatedAt = r.CreatedAt.UTC()
	return r, err
}

const reportsOfQuery = `SELECT ` + reportColumns + ` FROM status_reports
	WHERE person_id = $1 AND (benefit_id = $2 OR $2 = '') ORDER BY period_start, id`

// ReportsOf lists the customer's reports for the benefit, or all of
// theirs for "".
func (r *PaymentRepo) ReportsOf(ctx context.Context, personID, benefitID string) ([]payment.StatusReport, error) {
	rows, err := r.db.sql.QueryContext(ctx, reportsOfQuery, personID, benefitID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanReport)
}

// OverviewOf reads the customer's payments, benefits, status reports,
// failed attempts and account changes — the same queries as PaymentsOf,
// BenefitsOf, ReportsOf(…, ""), ReturnsOf and AccountChangesOf — and with
// claims ClaimsPendingOf's, in one round trip on PostgreSQL (readBatch).
func (r *PaymentRepo) OverviewOf(ctx context.Context, personID string, claims bool) (payment.OverviewRows, error) {
	var o payment.OverviewRows
	reads := []batchRead{
		into(&o.Payments, paymentsOfQuery, scanPaymentRead, personID),
		into(&o.Benefits, benefitsOfQuery, scanBenefit, personID),
		into(&o.Reports, reportsOfQuery, scanReport, personID, ""),
		into(&o.Returns, returnsOfQuery, scanReturn, personID),
		into(&o.Accounts, accountChangesOfQuery, scanAccountChange, personID),
	}
	if claims {
		o.Pending = map[string]bool{}
		reads = append(reads, into(&o.Claims, claimsPendingOfSQL, scanClaimPending(o.Pending), personID, recovery.Pending))
	}
	err := r.db.readBatch(ctx, reads...)
	return o, err
}

func (t paymentTx) ReportsOf(ctx context.Context, personID, benefitID string) ([]payment.StatusReport, error) {
	rows, err := t.QueryContext(ctx, reportsOfQuery, personID, benefitID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanReport)
}

// BenefitOf is one benefit of the customer; another's is NotFound.
func (r *PaymentRepo) BenefitOf(ctx context.Context, personID, id string) (payment.Benefit, error) {
	b, err := scanBenefit(r.db.sql.QueryRowContext(ctx, `SELECT `+benefitColumns+` FROM benefits b WHERE b.id = $1 AND b.person_id = $2`, id, personID))
	return b, r.db.mapErr(err)
}

func (t paymentTx) BenefitForUpdate(ctx context.Context, personID, id string) (payment.Benefit, error) {
	b, err := scanBenefit(t.QueryRowContext(ctx, `SELECT `+benefitColumns+` FROM benefits b WHERE b.id = $1 AND b.person_id = $2`+t.db.dialect.forUpdate(), id, personID))
	return b, t.db.mapErr(err)
}

func (t paymentTx) InsertReport(ctx context.Context, r *payment.StatusReport) error {
	r.ID, r.CreatedAt = NewID(), t.now
	_, err := t.ExecContext(ctx, `INSERT INTO status_reports (`+reportColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.PersonID, r.BenefitID, r.Period.Start, r.Period.End, r.Hours, r.IncomeCents, r.SickDays, r.FiledOn, r.PayDate, r.AmountCents, r.CreatedAt)
	return t.db.mapErr(err)
}

func (t paymentTx) ReportsDue(ctx context.Context, from, to civil.Date) ([]payment.Due, error) {
	rows, err := t.QueryContext(ctx, `SELECT `+benefitColumns+`, pe.given_name || ' ' || pe.family_name, pe.lang,
		r.period_start, r.pay_date, r.amount_cents
		FROM status_reports r JOIN benefits b ON b.id = r.benefit_id JOIN persons pe ON pe.id = b.person_id
		WHERE r.pay_date >= $1 AND r.pay_date <= $2 ORDER BY r.id`, from, to)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(row interface{ Scan(...any) error }) (payment.Due, error) {
		var d payment.Due
		var start civil.Date
		b := &d.Benefit
		err := row.Scan(&b.ID, &b.PersonID, &b.Kind, &b.AmountCents, &b.IBAN, &b.Starts, &b.Ends, &b.Decided, &b.Holder, &b.Lang,
			&start, &d.DueDate, &d.AmountCents)
		d.Period = payment.ReportPeriod(start)
		return d, err
	})
}
