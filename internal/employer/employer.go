// Package employer is the employer e-services the mandates protect
// (issue 12, seed 004): an organisation's application for the
// reimbursement of daily allowance it paid as salary (sickness or
// parental allowance paid to the employer for an employee's absence), the
// organisation's list of its applications, staff's decision, and the
// employee's view of the applications that name them. Every employer
// request is the mandate service's decision on the issue
// "employer_benefits", audited there with its reasons.
package employer

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/fi/iban"
)

// Issue is the mandate issue (internal/mandate/issues.json) every action
// of this package needs.
const Issue = "employer_benefits"

// Benefit is the daily allowance the employer applies for.
type Benefit string

// The benefits an employer may apply for.
const (
	Sickness Benefit = "sickness" // sairauspäiväraha
	Parental Benefit = "parental" // vanhempainpäiväraha
)

// Benefits lists them in the order forms show them.
var Benefits = []Benefit{Sickness, Parental}

// Status is where an application is.
type Status string

// The statuses.
const (
	Pending  Status = "pending"
	Approved Status = "approved"
	Refused  Status = "refused"
)

// Limits of an application.
const (
	// MaxDays is the longest period one application covers.
	MaxDays = 366
	// MaxAgeDays is how far back a period may start: two years.
	MaxAgeDays = 2 * 365
	// MaxSalaryCents is the largest salary one application states.
	MaxSalaryCents = 100_000_000 // 1,000,000.00 €
	// MaxReason is the longest refusal reason, in characters.
	MaxReason = 1000
)

// Application is an employer's application for reimbursement of daily
// allowance paid as salary.
type Application struct {
	ID      string
	Kind    Kind   // DailyAllowance or OccupationalHealthcare
	Org     string // business ID of the employer
	OrgName string // read with the application
	// Daily allowance paid as salary: the benefit, the employee, the
	// period of absence and the salary paid for it.
	Benefit     Benefit
	Employee    string // the employee's identity code
	Start, End  civil.Date
	SalaryCents int64 // the salary the employer paid for the period
	// Occupational healthcare (occupational.go): the workplace, the
	// accounting period (Start..End), the employees covered, the costs in
	// compensation classes I and II and the revenue received for the
	// services.
	Workplace                              string
	Employees                              int
	Class1Cents, Class2Cents, RevenueCents int64

	IBAN        string // the employer's account for the reimbursement
	Status      Status
	AmountCents int64  // approved: the reimbursement
	Reason      string // refused: staff's reason
	SubmittedBy string // the person (customer ID) who applied for the organisation
	CreatedAt   time.Time
	DecidedAt   time.Time
	DecidedBy   string // staff ID
	// EmployeeThread is, in the employee's own list (Repo.ForEmployee),
	// their inbox thread with the decision's message; "" in other reads
	// and before a decision.
	EmployeeThread string
	// Payment is the reimbursement's payment, once a payment run has
	// recorded it (internal/payment pays approved applications); zero
	// until then.
	Payment Payment
}

// Payment is an approved application's latest payment as the payment run
// recorded it. When the bank rejected or returned it, the organisation
// gives a corrected account (Service.GiveAccount, or GiveOccupationalAccount
// for occupational healthcare) and the next run pays
// the application again: a new latest payment.
type Payment struct {
	ID          string
	PayDate     civil.Date // the day the run asked the bank to pay
	AmountCents int64
	Status      string // PaymentPrepared, PaymentSent, PaymentRejected or PaymentReturned
	ReasonCode  string // rejected or returned: the bank's ISO reason code
	// AccountGivenAt is when the organisation gave a new account after
	// this payment failed; zero while it has not.
	AccountGivenAt time.Time
	// Again reports that an earlier payment of the application failed and
	// this one pays it again.
	Again bool
}

// The statuses of an application's payment (internal/payment's).
const (
	PaymentPrepared = "prepared" // recorded in a run whose file is not yet with the bank
	PaymentSent     = "sent"     // in a file handed to the bank
	PaymentRejected = "rejected" // the bank refused it (pain.002)
	PaymentReturned = "returned" // the bank sent the money back (camt.054)
)

// Failed reports whether the bank rejected or returned the payment.
func (p Payment) Failed() bool { return p.Status == PaymentRejected || p.Status == PaymentReturned }

// WaitingAccount reports whether the payment failed and the organisation
// has not yet given a new account.
func (p Payment) WaitingAccount() bool { return p.Failed() && p.AccountGivenAt.IsZero() }

// Recorded reports whether a run has recorded the payment.
func (p Payment) Recorded() bool { return p.Status != "" }

// Sent reports whether the payment is in a file handed to the bank.
func (p Payment) Sent() bool { return p.Status == PaymentSent }

// Days is the length of the period, both ends included.
func (a Application) Days() int { return a.End.DaysSince(a.Start) + 1 }

// MaskedEmployee is the identity code with its individual part hidden, for
// lists.
func (a Application) MaskedEmployee() string {
	c, err := hetu.Parse(a.Employee)
	if err != nil {
		return ""
	}
	return c.Masked()
}

// Input is what the employer's form gives, the salary already in cents.
type Input struct {
	Benefit     string
	Employee    string
	Start, End  string // ISO or Finnish dates
	SalaryCents int64
	IBAN        string
}

// checkPeriod reads a period's first and last day (fields start and end)
// of either kind of application: both dates, the end not before the
// start. A refusal is a fault.Invalid naming the field.
func checkPeriod(start, end string) (civil.Date, civil.Date, error) {
	s, err := civil.Parse(strings.TrimSpace(start))
	if err != nil {
		return s, civil.Date{}, fault.InvalidField("start", "employer.error.date", nil)
	}
	e, err := civil.Parse(strings.TrimSpace(end))
	if err != nil {
		return s, e, fault.InvalidField("end", "employer.error.date", nil)
	}
	if e.Before(s) {
		return s, e, fault.InvalidField("end", "employer.error.end_before_start", nil)
	}
	return s, e, nil
}

// Check reads an application from the input on the day: the benefit is
// one of Benefits; the identity code is valid; the period starts on or
// before its end, has ended by today (the salary was paid), is at most
// MaxDays long and starts at most MaxAgeDays ago; the salary is positive
// and at most MaxSalaryCents; the account is a valid IBAN. A refusal is a
// fault.Invalid naming the field.
func Check(in Input, today civil.Date) (Application, error) {
	a := Application{Kind: DailyAllowance}
	a.Benefit = Benefit(strings.TrimSpace(in.Benefit))
	if a.Benefit != Sickness && a.Benefit != Parental {
		return a, fault.InvalidField("benefit", "employer.error.benefit", nil)
	}
	code, err := hetu.Parse(strings.ToUpper(strings.TrimSpace(in.Employee)))
	if err != nil {
		return a, fault.InvalidField("employee", "employer.error.employee", nil)
	}
	a.Employee = code.String()
	if a.Start, a.End, err = checkPeriod(in.Start, in.End); err != nil {
		return a, err
	}
	switch {
	case a.End.After(today):
		return a, fault.InvalidField("end", "employer.error.end_future", nil)
	case a.Days() > MaxDays:
		return a, fault.InvalidField("end", "employer.error.too_long", map[string]any{"Days": MaxDays})
	case a.Start.Before(today.AddDays(-MaxAgeDays)):
		return a, fault.InvalidField("start", "employer.error.too_old", nil)
	}
	if in.SalaryCents <= 0 || in.SalaryCents > MaxSalaryCents {
		return a, fault.InvalidField("salary", "employer.error.salary", nil)
	}
	a.SalaryCents = in.SalaryCents
	acc, err := iban.Parse(in.IBAN)
	if err != nil {
		return a, fault.InvalidField("iban", "employer.error.iban", nil)
	}
	a.IBAN = acc.String()
	a.Status = Pending
	return a, nil
}

// Decision is staff's decision on an application.
type Decision struct {
	Approve     bool
	AmountCents int64  // approve: the reimbursement
	Reason      string // refuse: why
}

// Apply applies a decision to a pending application: an approval needs an
// amount above zero and at most the application's Ceiling (the salary
// paid: the reimbursement never exceeds what the employer paid; or the
// claimed occupational-healthcare compensation); a refusal needs a reason of at most
// MaxReason characters, and so does an occupational-healthcare approval
// of less than the claimed compensation. An application decided already is a
// fault.Conflict.
func (a *Application) Apply(d Decision, staffID string, now time.Time) error {
	if a.Status != Pending {
		return fault.New(fault.Conflict, "employer.error.decided")
	}
	if d.Approve {
		if d.AmountCents <= 0 || d.AmountCents > a.Ceiling() {
			if a.Kind == OccupationalHealthcare {
				return fault.InvalidField("amount", "employer.ohc.error.decision_amount", map[string]any{"ClaimedCents": a.Ceiling()})
			}
			return fault.InvalidField("amount", "employer.error.amount", map[string]any{"SalaryCents": a.SalaryCents})
		}
		reason := ""
		if a.Kind == OccupationalHealthcare {
			// Staff approve less than claimed when the costs exceed what is
			// necessary and reasonable or the yearly maximum per employee
			// (set by the Government, not kept here): the employer is told
			// why.
			reason = strings.TrimSpace(d.Reason)
			if (d.AmountCents < a.Ceiling() && reason == "") || utf8.RuneCountInString(reason) > MaxReason {
				return fault.InvalidField("reason", "employer.ohc.error.reduced_reason", map[string]any{"Max": MaxReason})
			}
			if d.AmountCents == a.Ceiling() {
				// The reason explains a reduction, and the pages and the
				// notice show it as such: none when nothing was reduced.
				reason = ""
			}
		}
		a.Status, a.AmountCents, a.Reason = Approved, d.AmountCents, reason
	} else {
		reason := strings.TrimSpace(d.Reason)
		if reason == "" || utf8.RuneCountInString(reason) > MaxReason {
			return fault.InvalidField("reason", "employer.error.reason", map[string]any{"Max": MaxReason})
		}
		a.Status, a.AmountCents, a.Reason = Refused, 0, reason
	}
	a.DecidedAt, a.DecidedBy = now, staffID
	return nil
}
