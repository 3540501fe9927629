package payment

import (
	"context"
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
)

// Employers' reimbursements: an employer's application for the
// reimbursement of daily allowance it paid as salary (internal/employer),
// once staff approve it, is paid by the next run to the employer's account,
// in the same transaction and the same file as the benefit payments.
//
// The invariant (storetest/invariants_employer.go): an approved
// application has at most one payment the bank has not rejected or
// returned (prepared, then sent); every earlier payment of it failed and
// was followed by a corrected account from the organisation, which the
// next payment was sent to; so the sum paid and not failed never exceeds
// the approved amount. An approved application is at any time either
// waiting for its first run, paid (one live payment), or its last payment
// failed and it is waiting for a new account (or, given one, for the next
// run). The key is a partial unique index on the application over the
// payments not failed, so a run again, a concurrent run or a run after a
// kill never pays an application twice at a time. An approved
// application's amount never changes (a decision is final) and its account
// changes only while its last payment failed and no account was given
// since (employer.Service.GiveAccount, GiveOccupationalAccount), so the run needs no lock of it:
// the runs' lock serialises the runs and the unique key holds whatever
// races.

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

// ReasonKey is the i18n key of the bank's reason, as for a customer's
// return.
func (p EmployerPayment) ReasonKey() string { return ReasonKey(p.ReasonCode) }

// EmployerNoticeFacts is what the organisation's message about a failed
// payment names: the application and who sent it (whose language and
// notice choice the message follows).
type EmployerNoticeFacts struct {
	SubmittedBy string     // customer ID
	Kind        string     // the application's kind (employer.Kind)
	Benefit     string     // daily allowance: "sickness" or "parental"
	Workplace   string     // occupational healthcare: the workplace
	Start, End  civil.Date // the period of absence, or the accounting period
}

// EmployeePaid is an employer's payment a run recorded for a daily
// allowance application whose employee's identity code is a customer's:
// what the employee is told (never the account or the salary).
type EmployeePaid struct {
	ApplicationID string
	PersonID      string // the customer the application names as its employee
	Org, OrgName  string // the employer's business ID and name
	Benefit       string // "sickness" or "parental"
	Start, End    civil.Date
	AmountCents   int64
	PayDate       civil.Date
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
	// EmployeesPaid lists the run's employer payments of daily allowance
	// applications whose employee's identity code is a customer's, in
	// application ID order.
	EmployeesPaid(ctx context.Context, runID string) ([]EmployeePaid, error)
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
	// EmployerNoticeFacts reads the application a failed payment tells of.
	EmployerNoticeFacts(ctx context.Context, applicationID string) (EmployerNoticeFacts, error)
	// PostEmployerNotice stores the notice as a new thread of the
	// organisation with one system message (employer.Tx.PostNotice).
	PostEmployerNotice(ctx context.Context, n *employer.Notice) error
}

// The states of a failed employer payment in staff's list.
const (
	EmployerWaitingAccount = "waiting_account" // the organisation has not given a new account
	EmployerAccountGiven   = "account_given"   // given: the next run pays it
	EmployerPaidAgain      = "paid_again"      // a later run paid the application again
)

// EmployerReturn is a rejected or returned employer payment as staff see
// it: the payment, when it failed, and what has happened since.
type EmployerReturn struct {
	EmployerPayment
	Kind         string // the application's kind (employer.Kind)
	Workplace    string // occupational healthcare: the application's workplace
	FailedAt     time.Time
	NewIBAN      string    // the account the organisation gave since, ""
	NewIBANAt    time.Time // when
	State        string    // EmployerWaitingAccount, EmployerAccountGiven or EmployerPaidAgain
	AgainPayDate civil.Date
	AgainStatus  string // the later payment's status
}

// employerRepo is the reads of employers' failed payments.
type employerRepo interface {
	// EmployerReturns lists the rejected and returned employer payments,
	// the latest failure first, with what followed each.
	EmployerReturns(ctx context.Context, limit int) ([]EmployerReturn, error)
}

// EmployerReturnQueue lists the employer payments the bank rejected or
// returned, for staff who run payments, with their state: waiting for the
// organisation's new account, given it (paid by the next run), or paid
// again. The read is audited.
func (s *Service) EmployerReturnQueue(ctx context.Context, a access.Actor, limit int) ([]EmployerReturn, error) {
	if err := s.runner(a); err != nil {
		return nil, err
	}
	rs, err := s.repo.EmployerReturns(ctx, limit)
	if err != nil {
		return nil, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "payment.employer_returns_viewed",
			Object: "employer_payments", Detail: fmt.Sprintf("%d listed", len(rs))})
	})
	return rs, err
}

// EmployerPeriod is the period of an employer application's refusal in a
// run's report (Refusal.Period; its BenefitID is empty).
func EmployerPeriod(applicationID string) string { return "employer:" + applicationID }

// recordEmployers records in the run a payment of every approved employer
// application not yet paid, refusing those the bank would refuse, and
// tells the employees (tellEmployees).
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
	n, err := tx.InsertEmployerPayments(ctx, ps)
	if err != nil || n == 0 {
		return n, err
	}
	return n, s.tellEmployees(ctx, tx, r.ID)
}

// tellEmployees tells the employee named on each daily allowance
// application the run paid, when their identity code is a customer's,
// that their employer is paid: in the run's transaction, so with the
// payment or not at all, and once an application (a notice's kind and
// source are unique; a payment again after the bank returned one tells
// nobody again). A system message in a new thread of their inbox, in
// their language — the employer, the benefit and period, the amount and
// the pay date, never the employer's account or the salary — and by
// their notice choice the content-free notice of a new message. Only the
// payments this run stored are told of: a concurrent run that found the
// application paid (the unique key) stored none of it.
func (s *Service) tellEmployees(ctx context.Context, tx Tx, runID string) error {
	paid, err := tx.EmployeesPaid(ctx, runID)
	if err != nil {
		return err
	}
	for _, p := range paid {
		err := s.tell(ctx, tx, Notice{PersonID: p.PersonID, Kind: NoticeEmployerPaid, SourceID: p.ApplicationID}, func(lang string) (string, string) {
			name := p.OrgName
			if name == "" {
				name = p.Org
			}
			benefit := s.t(lang, "employer.benefit.sickness")
			if p.Benefit == string(employer.Parental) {
				benefit = s.t(lang, "employer.benefit.parental")
			}
			return s.t(lang, "employer.notice.employee.paid.title"),
				s.t(lang, "employer.notice.employee.paid.body", "Employer", name, "BusinessID", p.Org, "Benefit", benefit,
					"Period", p.Start.Finnish()+"–"+p.End.Finnish(), "Amount", i18n.Euros(lang, p.AmountCents), "Date", p.PayDate.Finnish())
		}, false)
		if err != nil {
			return err
		}
	}
	return nil
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
// organisation is told in that transaction (markEmployerFailed), so once:
// a message in its secure messages naming the application (the daily
// allowance, or the occupational-healthcare reimbursement with its
// workplace), the period, the amount, the masked account and the bank's
// reason (never the employee), and a notice without content to the
// person who applied. A person the mandate decision allows gives a
// corrected account on the application's page (employer.Service.
// GiveAccount; GiveOccupationalAccount, decided for the workplace); the
// next run pays the application again, once (EmployerDue).

// markEmployerFailed marks a sent employer payment rejected or returned
// and tells the organisation, in tx.
func (s *Service) markEmployerFailed(ctx context.Context, tx Tx, ep EmployerPayment, outcome, reason, source string) error {
	reason = firstOf(reason, "NARR")
	if err := tx.MarkEmployerFailed(ctx, ep.ID, outcome, reason, source); err != nil {
		return err
	}
	f, err := tx.EmployerNoticeFacts(ctx, ep.ApplicationID)
	if err != nil {
		return err
	}
	consent, lang, err := tx.NoticeChoice(ctx, f.SubmittedBy)
	if err != nil {
		return err
	}
	title := "employer.notice.payment_returned.title"
	if outcome == Rejected {
		title = "employer.notice.payment_rejected.title"
	}
	period, amount, account, date := f.Start.Finnish()+"–"+f.End.Finnish(), i18n.Euros(lang, ep.AmountCents), MaskIBAN(ep.IBAN), ep.PayDate.Finnish()
	var body string
	if f.Kind == string(employer.OccupationalHealthcare) {
		// The occupational-healthcare reimbursement of a workplace and an
		// accounting period, given a new account on its own pages.
		body = s.t(lang, "employer.ohc.notice.payment_failed.body", "ID", ep.ApplicationID, "Workplace", f.Workplace,
			"Period", period, "Amount", amount, "Date", date, "Account", account, "Reason", s.t(lang, ReasonKey(reason)))
	} else {
		benefit := s.t(lang, "employer.benefit.sickness")
		if f.Benefit == string(employer.Parental) {
			benefit = s.t(lang, "employer.benefit.parental")
		}
		body = s.t(lang, "employer.notice.payment_failed.body", "ID", ep.ApplicationID, "Benefit", benefit,
			"Period", period, "Amount", amount, "Date", date, "Account", account, "Reason", s.t(lang, ReasonKey(reason)))
	}
	n := employer.Notice{Org: ep.Org, ApplicationID: ep.ApplicationID, Lang: lang, UnitID: firstOf(s.cfg.NoticeUnit, employer.DefaultNoticeUnit),
		Title: s.t(lang, title), Body: body}
	if err := tx.PostEmployerNotice(ctx, &n); err != nil {
		return err
	}
	if !consent.Notifies() {
		return nil
	}
	return tx.Enqueue(ctx, consent.Notice(employer.NoticePayment, lang, f.SubmittedBy, n.ThreadID))
}
