package store

import (
	"context"
	"slices"
	"strings"

	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/payment"
)

// Employers' reimbursements in payment runs (payment/employer.go): the
// SQL only.

// EmployerDue lists the approved applications without a payment, in ID
// order, with the organisation's name.
func (t paymentTx) EmployerDue(ctx context.Context) ([]payment.EmployerPayment, error) {
	rows, err := t.QueryContext(ctx, `SELECT a.id, a.org_id, COALESCE(o.name, ''), a.benefit, a.amount_cents, a.iban
		FROM employer_applications a LEFT JOIN organisations o ON o.business_id = a.org_id
		WHERE a.status = $1 AND NOT EXISTS (SELECT 1 FROM employer_payments e WHERE e.application_id = a.id)
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
// application is paid already.
func (t paymentTx) InsertEmployerPayments(ctx context.Context, ps []*payment.EmployerPayment) (int, error) {
	rows := make([][]any, len(ps))
	for i, p := range ps {
		p.ID = NewID()
		p.EndToEndID = strings.ReplaceAll(p.ID, "-", "")
		p.CreatedAt = t.now
		rows[i] = []any{p.ID, p.ApplicationID, p.Org, p.RunID, p.PayDate, p.AmountCents, p.IBAN, p.EndToEndID, p.Status, p.CreatedAt}
	}
	n, err := t.insertValues(ctx, `INSERT INTO employer_payments (id, application_id, org_id, run_id, pay_date, amount_cents, iban,
		end_to_end_id, status, created_at) VALUES `, ` ON CONFLICT (application_id) DO NOTHING`, 10, rows)
	return int(n), err
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
