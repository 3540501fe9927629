package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
)

// Rejected and returned payments (payment/returns.go): the SQL only.

const returnColumns = `r.id, r.payment_id, r.person_id, r.attempt, r.run_id, r.end_to_end_id, r.iban, r.amount_cents,
	r.outcome, r.reason_code, r.source, r.state, r.new_iban, COALESCE(r.repaid_run_id, ''), r.created_at, r.resolved_at,
	r.resolved_by, p.kind, p.period, p.pay_date`

const returnFrom = ` FROM payment_returns r JOIN payments p ON p.id = r.payment_id`

func scanReturn(row interface{ Scan(...any) error }) (payment.Return, error) {
	var r payment.Return
	var resolved sql.NullTime
	err := row.Scan(&r.ID, &r.PaymentID, &r.PersonID, &r.Attempt, &r.RunID, &r.EndToEndID, &r.IBAN, &r.AmountCents,
		&r.Outcome, &r.ReasonCode, &r.Source, &r.State, &r.NewIBAN, &r.RepaidRunID, &r.CreatedAt, &resolved,
		&r.ResolvedBy, &r.Kind, &r.Period, &r.PayDate)
	r.CreatedAt = r.CreatedAt.UTC()
	if resolved.Valid {
		r.ResolvedAt = resolved.Time.UTC()
	}
	return r, err
}

// Returns lists the failed attempts in the states, oldest first.
func (r *PaymentRepo) Returns(ctx context.Context, states []string, limit int) ([]payment.Return, error) {
	rows, err := r.db.query(ctx, `SELECT `+returnColumns+returnFrom+` WHERE r.state IN (`+placeholders(2, len(states))+`)
		ORDER BY r.created_at, r.id LIMIT $1`, append([]any{limit}, anys(states)...)...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanReturn)
}

const returnsOfQuery = `SELECT ` + returnColumns + returnFrom + ` WHERE r.person_id = $1
	ORDER BY r.created_at DESC, r.id DESC LIMIT 200`

// ReturnsOf lists the customer's failed attempts, newest first.
func (r *PaymentRepo) ReturnsOf(ctx context.Context, personID string) ([]payment.Return, error) {
	rows, err := r.db.query(ctx, returnsOfQuery, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanReturn)
}

func (t paymentTx) RunByMessageID(ctx context.Context, messageID string) (payment.Run, error) {
	r, err := scanRun(t.QueryRowContext(ctx, `SELECT `+runColumns+` FROM payment_runs WHERE message_id = $1`, messageID))
	return r, t.db.mapErr(err)
}

const attemptColumns = `id, person_id, benefit_id, run_id, end_to_end_id, iban, amount_cents, ` + paymentStatus + `, attempt`

func scanAttempt(row interface{ Scan(...any) error }) (payment.Attempt, error) {
	var a payment.Attempt
	err := row.Scan(&a.PaymentID, &a.PersonID, &a.BenefitID, &a.RunID, &a.EndToEndID, &a.IBAN, &a.AmountCents, &a.Status, &a.Attempt)
	return a, err
}

// AttemptsForUpdate locks the run's payments with the end-to-end IDs (all
// of the run's for nil), in end-to-end ID order so that two imports of one
// report lock in the same order.
func (t paymentTx) AttemptsForUpdate(ctx context.Context, runID string, e2es []string) ([]payment.Attempt, error) {
	if e2es == nil {
		rows, err := t.QueryContext(ctx, `SELECT `+attemptColumns+` FROM payments WHERE run_id = $1
			ORDER BY end_to_end_id`+t.db.dialect.forUpdate(), runID)
		if err != nil {
			return nil, err
		}
		return scanAll(rows, scanAttempt)
	}
	ids := slices.Sorted(slices.Values(e2es))
	var out []payment.Attempt
	for part := range slices.Chunk(ids, t.db.dialect.inList()) {
		rows, err := t.QueryContext(ctx, `SELECT `+attemptColumns+` FROM payments WHERE run_id = $1
			AND end_to_end_id IN (`+placeholders(2, len(part))+`) ORDER BY end_to_end_id`+t.db.dialect.forUpdate(),
			append([]any{runID}, anys(part)...)...)
		if err != nil {
			return nil, err
		}
		as, err := scanAll(rows, scanAttempt)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

func (t paymentTx) AttemptByEndToEndForUpdate(ctx context.Context, e2e string) (payment.Attempt, error) {
	a, err := scanAttempt(t.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM payments WHERE end_to_end_id = $1`+
		t.db.dialect.forUpdate(), e2e))
	return a, t.db.mapErr(err)
}

func (t paymentTx) ReturnsByEndToEnd(ctx context.Context, e2es []string) (map[string]payment.Return, error) {
	out := map[string]payment.Return{}
	for part := range slices.Chunk(e2es, t.db.dialect.inList()) {
		rows, err := t.QueryContext(ctx, `SELECT `+returnColumns+returnFrom+`
			WHERE r.end_to_end_id IN (`+placeholders(1, len(part))+`)`, anys(part)...)
		if err != nil {
			return nil, err
		}
		rs, err := scanAll(rows, scanReturn)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			out[r.EndToEndID] = r
		}
	}
	return out, nil
}

// MarkFailed sets the payment's current attempt rejected or returned and
// stores the failed attempt; the payment must still be that attempt, sent
// (paymentStatus).
func (t paymentTx) MarkFailed(ctx context.Context, r *payment.Return) error {
	res, err := t.ExecContext(ctx, `UPDATE payments SET status = $1 WHERE id = $2 AND attempt = $3 AND `+paymentStatus+` = 'sent'`,
		r.Outcome, r.PaymentID, r.Attempt)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err == nil {
			err = fault.New(fault.Conflict, payment.ErrNotSent)
		}
		return err
	}
	r.ID, r.CreatedAt = NewID(), t.now
	_, err = t.ExecContext(ctx, `INSERT INTO payment_returns (id, payment_id, person_id, attempt, run_id, end_to_end_id, iban,
		amount_cents, outcome, reason_code, source, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.ID, r.PaymentID, r.PersonID, r.Attempt, r.RunID, r.EndToEndID, r.IBAN, r.AmountCents, r.Outcome, r.ReasonCode,
		r.Source, r.State, r.CreatedAt)
	return t.db.mapErr(err)
}

func (t paymentTx) ReturnForUpdate(ctx context.Context, id string) (payment.Return, error) {
	r, err := scanReturn(t.QueryRowContext(ctx, `SELECT `+returnColumns+returnFrom+` WHERE r.id = $1`+t.db.dialect.forUpdateOf("r"), id))
	return r, t.db.mapErr(err)
}

// OrderRepay stores the return's state and new account, and pays the
// benefit, and the person's other benefits paid to the failed account, to
// the new account.
func (t paymentTx) OrderRepay(ctx context.Context, r *payment.Return, benefitID string) error {
	_, err := t.ExecContext(ctx, `UPDATE payment_returns SET state = $1, new_iban = $2, resolved_at = $3, resolved_by = $4
		WHERE id = $5`, r.State, r.NewIBAN, r.ResolvedAt, r.ResolvedBy, r.ID)
	if err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, `UPDATE benefits SET iban = $1 WHERE person_id = $2 AND (id = $3 OR REPLACE(iban, ' ', '') = $4)`,
		r.NewIBAN, r.PersonID, benefitID, strings.ReplaceAll(r.IBAN, " ", ""))
	return err
}

func (t paymentTx) ReturnsToRepay(ctx context.Context) ([]payment.Return, error) {
	rows, err := t.QueryContext(ctx, `SELECT `+returnColumns+returnFrom+` WHERE r.state = 'repay' ORDER BY r.created_at, r.id`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanReturn)
}

// Repay records the payment's next attempt in the run and marks the
// return repaid, both only if neither moved on meanwhile.
func (t paymentTx) Repay(ctx context.Context, r *payment.Return, runID string, payDate civil.Date) (bool, error) {
	res, err := t.ExecContext(ctx, `UPDATE payments SET attempt = attempt + 1, run_id = $1, pay_date = $2, iban = $3,
		end_to_end_id = $4, status = 'prepared' WHERE id = $5 AND attempt = $6 AND status IN ('rejected', 'returned')`,
		runID, payDate, r.NewIBAN, strings.ReplaceAll(NewID(), "-", ""), r.PaymentID, r.Attempt)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	res, err = t.ExecContext(ctx, `UPDATE payment_returns SET state = 'repaid', repaid_run_id = $1 WHERE id = $2 AND state = 'repay'`,
		runID, r.ID)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err == nil {
			err = fault.New(fault.Conflict, payment.ErrReturnNotOpen)
		}
		return false, err
	}
	return true, nil
}
