package store

import (
	"context"
	"slices"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
)

// Recovery offsetting in payment runs: the recovery capability books in
// the payment run's transaction, and the run's report.

var _ recovery.OffsetTx = recoveryTx{}

// Offsets is the run's transaction as the recovery capability books in it.
func (t paymentTx) Offsets() recovery.OffsetTx { return recoveryTx(t) }

// OffsetClaimsForUpdate locks the open and reminded claims due before the
// day, in reference order (as bank imports lock them).
func (t recoveryTx) OffsetClaimsForUpdate(ctx context.Context, before civil.Date) ([]recovery.Claim, error) {
	rows, err := t.QueryContext(ctx, `SELECT `+claimColumns+` FROM claims
		WHERE status IN ('open', 'reminded') AND due_date < $1 ORDER BY reference`+t.db.dialect.forUpdate(), before)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanClaim)
}

// PendingClaims returns which of the claims have a plan proposal or an
// exemption application waiting.
func (t recoveryTx) PendingClaims(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for part := range slices.Chunk(ids, t.db.dialect.inList()/2) {
		in := placeholders(1, len(part))
		rows, err := t.QueryContext(ctx, `SELECT claim_id FROM plan_proposals WHERE status = 'proposed' AND claim_id IN (`+in+`)
			UNION SELECT claim_id FROM exemption_applications WHERE status = 'proposed' AND claim_id IN (`+in+`)`, anys(part)...)
		if err != nil {
			return nil, err
		}
		got, err := scanAll(rows, func(row interface{ Scan(...any) error }) (string, error) {
			var id string
			return id, row.Scan(&id)
		})
		if err != nil {
			return nil, err
		}
		for _, id := range got {
			out[id] = true
		}
	}
	return out, nil
}

// SaveOffsets records what the payment withheld: its amount becomes what
// it pays out, and each claim's offset is kept with its bank entry.
func (t paymentTx) SaveOffsets(ctx context.Context, p *payment.Payment, offs []recovery.Offset) error {
	var sum int64
	for _, o := range offs {
		sum += o.Cents
		if _, err := t.exec(ctx, `INSERT INTO payment_offsets (payment_id, claim_id, person_id, run_id, cents, bank_entry_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, o.ClaimID, p.PersonID, p.RunID, o.Cents, o.EntryID, t.now); err != nil {
			return err
		}
	}
	p.AmountCents -= sum
	p.OffsetCents += sum
	_, err := t.exec(ctx, `UPDATE payments SET amount_cents = $1, offset_cents = $2 WHERE id = $3`, p.AmountCents, p.OffsetCents, p.ID)
	return err
}

// SaveRefusals keeps the run's refusals for its report.
func (t paymentTx) SaveRefusals(ctx context.Context, runID string, rs []payment.Refusal) error {
	for _, r := range rs {
		if _, err := t.exec(ctx, `INSERT INTO payment_run_refusals (run_id, benefit_id, period, reason) VALUES ($1, $2, $3, $4)
			ON CONFLICT (run_id, benefit_id, period) DO NOTHING`, runID, r.BenefitID, r.Period, r.Reason); err != nil {
			return err
		}
	}
	return nil
}

// paymentReadColumns are a payment's columns as pages read them: its
// status as read (paymentStatus) and what an offset withheld
// (InsertPayments writes paymentColumns).
const paymentReadColumns = `id, person_id, benefit_id, kind, period, run_id, due_date, pay_date,
	amount_cents, iban, end_to_end_id, ` + paymentStatus + `, created_at, offset_cents`

func scanPaymentRead(row interface{ Scan(...any) error }) (payment.Payment, error) {
	var off int64
	p, err := scanPayment(scanTailOf(row, &off))
	p.OffsetCents = off
	return p, err
}

// OffsetsOf lists the offsets of the customer's payments.
func (r *PaymentRepo) OffsetsOf(ctx context.Context, personID string) ([]payment.PaymentOffset, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT payment_id, claim_id, run_id, cents FROM payment_offsets
		WHERE person_id = $1 ORDER BY created_at DESC, payment_id, claim_id LIMIT 1000`, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(row interface{ Scan(...any) error }) (payment.PaymentOffset, error) {
		var o payment.PaymentOffset
		return o, row.Scan(&o.PaymentID, &o.ClaimID, &o.RunID, &o.Cents)
	})
}

const runSummaryQuery = `SELECT ` + runColumns + `,
	(SELECT COUNT(*) FROM payments p WHERE p.run_id = r.id AND p.offset_cents > 0),
	(SELECT COALESCE(SUM(p.offset_cents), 0) FROM payments p WHERE p.run_id = r.id),
	(SELECT COUNT(*) FROM payment_run_refusals x WHERE x.run_id = r.id)
	FROM payment_runs r`

func scanRunSummary(row interface{ Scan(...any) error }) (payment.RunSummary, error) {
	var s payment.RunSummary
	var tail [3]int64
	r, err := scanRun(scanTailOf(row, &tail[0], &tail[1], &tail[2]))
	s.Run, s.Offsets, s.OffsetCents, s.RefusalCount = r, int(tail[0]), tail[1], int(tail[2])
	return s, err
}

// tailScanner scans a row's leading columns with the caller's targets and
// its last ones into tail.
type tailScanner struct {
	row  interface{ Scan(...any) error }
	tail []any
}

func (s tailScanner) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }

func scanTailOf(row interface{ Scan(...any) error }, tail ...any) tailScanner {
	return tailScanner{row: row, tail: tail}
}

// RunReports lists the latest runs with their reports, newest first.
func (r *PaymentRepo) RunReports(ctx context.Context, limit int) ([]payment.RunSummary, error) {
	rows, err := r.db.sql.QueryContext(ctx, runSummaryQuery+` ORDER BY r.number DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanRunSummary)
}

// RunReport is one run's report with its refusals.
func (r *PaymentRepo) RunReport(ctx context.Context, runID string) (payment.RunSummary, error) {
	s, err := scanRunSummary(r.db.sql.QueryRowContext(ctx, runSummaryQuery+` WHERE r.id = $1`, runID))
	if err != nil {
		return s, r.db.mapErr(err)
	}
	rows, err := r.db.sql.QueryContext(ctx, `SELECT benefit_id, period, reason FROM payment_run_refusals
		WHERE run_id = $1 ORDER BY reason, benefit_id, period LIMIT 1000`, runID)
	if err != nil {
		return s, err
	}
	s.Refusals, err = scanAll(rows, func(row interface{ Scan(...any) error }) (payment.Refusal, error) {
		var x payment.Refusal
		return x, row.Scan(&x.BenefitID, &x.Period, &x.Reason)
	})
	return s, err
}
