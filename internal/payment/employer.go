package payment

import (
	"context"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// Employers' reimbursements: an employer's application for the
// reimbursement of daily allowance it paid as salary (internal/employer),
// once staff approve it, is paid by the next run to the employer's account,
// in the same transaction and the same file as the benefit payments. The
// key is the application: one employer_payments row per application
// (unique), so a run again, a concurrent run or a run after a kill never
// pays an application twice. An approved application's amount never
// changes (a decision is final), so the run needs no lock of it: the
// runs' lock serialises the runs and the unique key holds whatever races.

// EmployerPayment is the payment of one approved employer application.
type EmployerPayment struct {
	ID            string
	ApplicationID string
	Org           string // the employer's business ID
	OrgName       string // read for the bank file
	Benefit       string // the daily allowance reimbursed: "sickness" or "parental"; "" for occupational healthcare
	RunID         string
	PayDate       civil.Date
	AmountCents   int64 // the approved reimbursement
	IBAN          string
	EndToEndID    string
	Status        string // Prepared, then Sent; Rejected or Returned by the bank
	CreatedAt     time.Time
	ReasonCode    string // rejected or returned: the bank's ISO reason code
}

// employerTx is the storage of the employers' reimbursements in a run's
// transaction.
type employerTx interface {
	// EmployerDue lists the approved employer applications that have no
	// payment yet, in application ID order, as the payments to record.
	EmployerDue(ctx context.Context) ([]EmployerPayment, error)
	// InsertEmployerPayments stores the payments whose application has
	// none yet, skipping the others, and returns how many it stored.
	InsertEmployerPayments(ctx context.Context, ps []*EmployerPayment) (int, error)
	// EmployerPaymentsForUpdate locks the run's employer payments with
	// the end-to-end IDs (all of the run's for nil), in end-to-end ID
	// order.
	EmployerPaymentsForUpdate(ctx context.Context, runID string, e2es []string) ([]EmployerPayment, error)
	// EmployerPaymentByEndToEndForUpdate locks the employer payment with
	// the end-to-end ID, of any run.
	EmployerPaymentByEndToEndForUpdate(ctx context.Context, e2e string) (EmployerPayment, error)
	// MarkEmployerFailed sets a sent employer payment rejected or
	// returned, with the bank's reason code and the file that said so;
	// fault.Conflict when it is not sent.
	MarkEmployerFailed(ctx context.Context, id, outcome, reasonCode, source string) error
}

// EmployerPeriod is the period of an employer application's refusal in a
// run's report (Refusal.Period; its BenefitID is empty).
func EmployerPeriod(applicationID string) string { return "employer:" + applicationID }

// recordEmployers records in the run a payment of every approved employer
// application not yet paid, refusing those the bank would refuse.
func (s *Service) recordEmployers(ctx context.Context, tx Tx, r *Run, payDate civil.Date, refused *[]Refusal) (int, error) {
	due, err := tx.EmployerDue(ctx)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	ps := make([]*EmployerPayment, 0, len(due))
	for i := range due {
		p := &due[i]
		if reason := Check(p.IBAN, p.AmountCents); reason != "" {
			*refused = append(*refused, Refusal{Period: EmployerPeriod(p.ApplicationID), Reason: reason})
			continue
		}
		p.RunID, p.PayDate, p.Status = r.ID, payDate, Prepared
		ps = append(ps, p)
	}
	return tx.InsertEmployerPayments(ctx, ps)
}

// employerRemittance is the message on the employer's bank statement: the
// reimbursement (the daily allowance, or occupational healthcare) and the
// application, never the employee (the file goes
// through the banks; the employer knows the application by its ID).
func employerRemittance(benefit, applicationID string) string {
	name := "päivärahakorvaus/dagpenningsersättning"
	switch benefit {
	case "sickness":
		name = "sairauspäiväraha/sjukdagpenning"
	case "parental":
		name = "vanhempainpäiväraha/föräldradagpenning"
	case "occupational_healthcare":
		name = "työterveyshuollon korvaus/ersättning för företagshälsovård"
	}
	return "Kela " + name + ", hakemus/ansökan " + applicationID
}

// An employer's payment the bank rejects (pain.002) or returns (camt.054)
// is marked so, with the bank's reason, by the same imports and in the
// same transactions as the benefit payments (returns.go), after the
// benefit payments they lock, so that the imports lock in one order. The
// employer sees it on the application's page. It is not paid again on its
// own: the staff queue of returns and its repayment are the benefit
// payments' (keyed by the customer), and an employer's corrected account
// is a new decision today.
