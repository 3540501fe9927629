package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
)

// Employers' reimbursements in payment runs (payment/employer.go): the
// SQL only.

// EmployerDue lists the approved applications due, in ID order, with the
// organisation's name: those with no payment but failed ones followed by
// a new account — none yet, or the last failed and the organisation gave
// a new account since (which is the application's account now).
func (t paymentTx) EmployerDue(ctx context.Context) ([]payment.EmployerPayment, error) {
	rows, err := t.QueryContext(ctx, `SELECT a.id, a.org_id, COALESCE(o.name, ''), a.benefit, a.amount_cents, a.iban
		FROM employer_applications a LEFT JOIN organisations o ON o.business_id = a.org_id
		WHERE a.status = $1 AND NOT EXISTS (SELECT 1 FROM employer_payments e WHERE e.application_id = a.id
			AND NOT (e.status IN ('rejected', 'returned') AND e.new_iban_at IS NOT NULL))
		ORDER BY a.id`, string(employer.Approved))
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(row interface{ Scan(...any) error }) (payment.EmployerPayment, error) {
		var p payment.EmployerPayment
		err := row.Scan(&p.ApplicationID, &p.Org, &p.OrgName, &p.Benefit, &p.AmountCents, &p.IBAN)
		return p, err
	})
}

// InsertEmployerPayments stores the payments, skipping any whose
// application has a payment not failed already (the partial unique index
// employer_payments_live, migration 00032).
func (t paymentTx) InsertEmployerPayments(ctx context.Context, ps []*payment.EmployerPayment) (int, error) {
	rows := make([][]any, len(ps))
	for i, p := range ps {
		p.ID = NewID()
		p.EndToEndID = strings.ReplaceAll(p.ID, "-", "")
		p.CreatedAt = t.now
		rows[i] = []any{p.ID, p.ApplicationID, p.Org, p.RunID, p.PayDate, p.AmountCents, p.IBAN, p.EndToEndID, p.Status, p.CreatedAt}
	}
	n, err := t.insertValues(ctx, `INSERT INTO employer_payments (id, application_id, org_id, run_id, pay_date, amount_cents, iban,
		end_to_end_id, status, created_at) VALUES `, ` ON CONFLICT (application_id) WHERE status NOT IN ('rejected', 'returned') DO NOTHING`, 10, rows)
	return int(n), err
}

// EmployeesPaid lists the run's employer payments of daily allowance
// applications whose employee's identity code is a customer's, with what
// the employee is told, in application ID order.
func (t paymentTx) EmployeesPaid(ctx context.Context, runID string) ([]payment.EmployeePaid, error) {
	rows, err := t.QueryContext(ctx, `SELECT a.id, p.id, a.org_id, COALESCE(o.name, ''), a.benefit, a.period_start, a.period_end,
			e.amount_cents, e.pay_date
		FROM employer_payments e JOIN employer_applications a ON a.id = e.application_id
		JOIN persons p ON p.hetu = a.employee_hetu
		LEFT JOIN organisations o ON o.business_id = a.org_id
		WHERE e.run_id = $1 AND a.kind = $2 AND a.employee_hetu <> ''
		ORDER BY a.id`, runID, string(employer.DailyAllowance))
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(row interface{ Scan(...any) error }) (payment.EmployeePaid, error) {
		var p payment.EmployeePaid
		err := row.Scan(&p.ApplicationID, &p.PersonID, &p.Org, &p.OrgName, &p.Benefit, &p.Start, &p.End, &p.AmountCents, &p.PayDate)
		return p, err
	})
}

const employerPaymentColumns = `id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status,
	created_at, reason_code`

func scanEmployerPayment(row interface{ Scan(...any) error }) (payment.EmployerPayment, error) {
	var p payment.EmployerPayment
	err := row.Scan(&p.ID, &p.ApplicationID, &p.Org, &p.RunID, &p.PayDate, &p.AmountCents, &p.IBAN, &p.EndToEndID, &p.Status,
		&p.CreatedAt, &p.ReasonCode)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// EmployerPaymentsForUpdate locks the run's employer payments with the
// end-to-end IDs (all of the run's for nil), in end-to-end ID order.
func (t paymentTx) EmployerPaymentsForUpdate(ctx context.Context, runID string, e2es []string) ([]payment.EmployerPayment, error) {
	if e2es == nil {
		rows, err := t.QueryContext(ctx, `SELECT `+employerPaymentColumns+` FROM employer_payments WHERE run_id = $1
			ORDER BY end_to_end_id`+t.db.dialect.forUpdate(), runID)
		if err != nil {
			return nil, err
		}
		return scanAll(rows, scanEmployerPayment)
	}
	ids := slices.Sorted(slices.Values(e2es))
	var out []payment.EmployerPayment
	for part := range slices.Chunk(ids, t.db.dialect.inList()) {
		rows, err := t.QueryContext(ctx, `SELECT `+employerPaymentColumns+` FROM employer_payments WHERE run_id = $1
			AND end_to_end_id IN (`+placeholders(2, len(part))+`) ORDER BY end_to_end_id`+t.db.dialect.forUpdate(),
			append([]any{runID}, anys(part)...)...)
		if err != nil {
			return nil, err
		}
		ps, err := scanAll(rows, scanEmployerPayment)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// EmployerPaymentByEndToEndForUpdate locks the employer payment with the
// end-to-end ID.
func (t paymentTx) EmployerPaymentByEndToEndForUpdate(ctx context.Context, e2e string) (payment.EmployerPayment, error) {
	p, err := scanEmployerPayment(t.QueryRowContext(ctx, `SELECT `+employerPaymentColumns+` FROM employer_payments
		WHERE end_to_end_id = $1`+t.db.dialect.forUpdate(), e2e))
	return p, t.db.mapErr(err)
}

// MarkEmployerFailed sets a sent employer payment rejected or returned.
func (t paymentTx) MarkEmployerFailed(ctx context.Context, id, outcome, reasonCode, source string) error {
	res, err := t.ExecContext(ctx, `UPDATE employer_payments SET status = $1, reason_code = $2, failed_source = $3, failed_at = $4
		WHERE id = $5 AND status = 'sent'`, outcome, reasonCode, source, t.now, id)
	if err := oneRow(res, err); err != nil {
		if isNoRows(err) {
			return fault.New(fault.Conflict, payment.ErrNotSent)
		}
		return err
	}
	return nil
}

// EmployerNoticeFacts reads the application a failed payment tells of.
func (t paymentTx) EmployerNoticeFacts(ctx context.Context, applicationID string) (payment.EmployerNoticeFacts, error) {
	var f payment.EmployerNoticeFacts
	err := t.QueryRowContext(ctx, `SELECT submitted_by, kind, benefit, workplace, period_start, period_end
		FROM employer_applications WHERE id = $1`,
		applicationID).Scan(&f.SubmittedBy, &f.Kind, &f.Benefit, &f.Workplace, &f.Start, &f.End)
	return f, t.db.mapErr(err)
}

// PostEmployerNotice stores the notice as a new thread of the
// organisation (employerTx.PostNotice).
func (t paymentTx) PostEmployerNotice(ctx context.Context, n *employer.Notice) error {
	return employerTx(t).PostNotice(ctx, n)
}

// EmployerReturns lists the rejected and returned employer payments, the
// latest failure first, each with the new account given since and the
// payment that followed it, if any.
func (r *PaymentRepo) EmployerReturns(ctx context.Context, limit int) ([]payment.EmployerReturn, error) {
	rows, err := r.db.query(ctx, `SELECT e.id, e.application_id, e.org_id, COALESCE(o.name, ''), a.kind, a.benefit, a.workplace, e.run_id, e.pay_date,
			e.amount_cents, e.iban, e.end_to_end_id, e.status, e.created_at, e.reason_code, e.failed_at, e.new_iban, e.new_iban_at,
			n.pay_date, COALESCE(n.status, '')
		FROM employer_payments e JOIN employer_applications a ON a.id = e.application_id
		LEFT JOIN organisations o ON o.business_id = e.org_id
		LEFT JOIN employer_payments n ON n.id = (SELECT x.id FROM employer_payments x WHERE x.application_id = e.application_id
			AND x.created_at > e.created_at ORDER BY x.created_at, x.id LIMIT 1)
		WHERE e.status IN ('rejected', 'returned') ORDER BY e.failed_at DESC, e.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, r.db.mapErr(err)
	}
	out, err := scanAll(rows, func(row interface{ Scan(...any) error }) (payment.EmployerReturn, error) {
		var x payment.EmployerReturn
		var failed, given sql.NullTime
		var again civil.Date
		err := row.Scan(&x.ID, &x.ApplicationID, &x.Org, &x.OrgName, &x.Kind, &x.Benefit, &x.Workplace, &x.RunID, &x.PayDate, &x.AmountCents, &x.IBAN,
			&x.EndToEndID, &x.Status, &x.CreatedAt, &x.ReasonCode, &failed, &x.NewIBAN, &given, &again, &x.AgainStatus)
		x.CreatedAt = x.CreatedAt.UTC()
		x.FailedAt = failed.Time.UTC()
		x.State = payment.EmployerWaitingAccount
		if given.Valid {
			x.NewIBANAt, x.State = given.Time.UTC(), payment.EmployerAccountGiven
		}
		if x.AgainStatus != "" {
			x.State, x.AgainPayDate = payment.EmployerPaidAgain, again
		}
		return x, err
	})
	return out, r.db.mapErr(err)
}
