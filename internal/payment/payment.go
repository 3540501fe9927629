// Package payment is the benefit payment capability: benefits and how they
// pay (a dated schedule table), the payments due on a day, the payment run
// that records them once and hands them to the bank as a pain.001 file, and
// the customer's view of their coming and past payments.
//
// Exactly once: a payment is keyed by its benefit and period (a unique key
// in the database), so a run on the same day, a concurrent run, or a run
// after one was killed never pays a period twice. A run records its
// payments in one transaction, then writes its file to a temporary name,
// renames it to its final name and only then marks the run published. The
// file's bytes follow from the recorded rows alone, so a run killed before
// that mark is finished by the next one with the same file, under the same
// name and message ID: the bank never receives a second, different copy.
package payment

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
)

// MaxCents is the SEPA credit transfer ceiling, 999 999 999.99 €.
const MaxCents = 99_999_999_999

// CatchUpDays is how far back a run looks for instalments that fell due
// and were not paid (a day the worker was down, an account corrected):
// they are paid on the run's day.
const CatchUpDays = 31

// Benefit is a customer's benefit as decided: what it pays, to which
// account, from when to when.
type Benefit struct {
	ID       string
	PersonID string
	Kind     string // a benefit of the schedule table, e.g. "pension"
	// AmountCents is the monthly instalment, the one payment of a
	// decision, or the daily amount of unemployment benefit.
	AmountCents int64
	IBAN        string
	Starts      civil.Date
	Ends        civil.Date // zero: until further notice
	Decided     civil.Date // the decision, for benefits paid on it
	// Holder is the customer's name as the bank file carries it; Lang the
	// language of the remittance text. Filled by the run's reads only.
	Holder string
	Lang   string
}

// ActiveIn reports whether the benefit runs on any day of the month.
func (b Benefit) ActiveIn(year int, month time.Month) bool {
	first := civil.New(year, month, 1)
	last := civil.New(year, month, civil.DaysIn(year, month))
	return !b.Starts.After(last) && (b.Ends.IsZero() || !b.Ends.Before(first))
}

// Payment statuses.
const (
	Prepared = "prepared" // recorded in a run whose file is not yet published
	Sent     = "sent"     // in a published file
)

// Payment is one payment of a benefit for one period.
type Payment struct {
	ID        string
	PersonID  string
	BenefitID string
	Kind      string // the benefit
	// Period names what is paid: "2026-12" for a month, "decision" for a
	// one-off payment, "report:2026-11-02" for a status report period.
	Period      string
	RunID       string
	DueDate     civil.Date // the schedule's day
	PayDate     civil.Date // the requested execution day
	AmountCents int64      // what is paid out: after any recovery offset
	OffsetCents int64      // withheld for recovery claims (offset.go)
	IBAN        string
	EndToEndID  string
	Status      string
	CreatedAt   time.Time
	// Holder and Lang are read for the bank file only.
	Holder string
	Lang   string
	// ApplicationID is set, read for the bank file only, on an employer's
	// reimbursement (employer.go): Holder is the organisation, Kind the
	// daily allowance reimbursed.
	ApplicationID string
}

// Due is an instalment the schedule says is due.
type Due struct {
	Benefit     Benefit
	Period      string
	DueDate     civil.Date
	AmountCents int64
}

// Refusal is an instalment a run could not pay, with the reason (an i18n
// key). It is tried again by the next run while still within CatchUpDays.
type Refusal struct {
	BenefitID string
	Period    string
	Reason    string
}

// The reasons an instalment is refused.
const (
	ReasonIBAN       = "payment.refused.iban"
	ReasonAmount     = "payment.refused.amount"
	ReasonNoBankDay  = "payment.refused.no_banking_day"
	ReasonNoSchedule = "payment.refused.no_schedule"
)

// MonthPeriod is the period key of a monthly instalment.
func MonthPeriod(year int, month time.Month) string { return fmt.Sprintf("%04d-%02d", year, month) }

// ReportPeriod is the period key of a status report's payment.
func ReportPeriod(start civil.Date) string { return "report:" + start.String() }

// DecisionPeriod is the period key of a payment made on the decision.
const DecisionPeriod = "decision"

// PeriodKind is the kind of a period key: "month", "decision" or "report"
// (pages name the period by it).
func PeriodKind(period string) string {
	switch {
	case period == DecisionPeriod:
		return "decision"
	case strings.HasPrefix(period, "report:"):
		return "report"
	}
	return "month"
}

// PeriodText is a period key as people read it: 12/2026 for a month, the
// start day 2.11.2026 of a report period, "" for a decision.
func PeriodText(period string) string {
	switch PeriodKind(period) {
	case "decision":
		return ""
	case "report":
		d, err := civil.ParseISO(strings.TrimPrefix(period, "report:"))
		if err != nil {
			return period
		}
		return d.Finnish()
	}
	y, m, ok := strings.Cut(period, "-")
	if !ok {
		return period
	}
	return strings.TrimPrefix(m, "0") + "/" + y
}

// PeriodKind and PeriodText of the payment's period.
func (p Payment) PeriodKind() string { return PeriodKind(p.Period) }
func (p Payment) PeriodText() string { return PeriodText(p.Period) }

// PeriodKind and PeriodText of the instalment's period.
func (d Due) PeriodKind() string { return PeriodKind(d.Period) }
func (d Due) PeriodText() string { return PeriodText(d.Period) }

// DueBetween lists the benefit's instalments whose schedule day falls in
// from..to (both included), and the refusals of those whose day cannot be
// found. Benefits paid on status reports have none here: their payments
// come from the reports.
func (s *Schedules) DueBetween(b Benefit, from, to civil.Date) ([]Due, []Refusal) {
	sc, ok := s.At(b.Kind, to)
	if !ok {
		return nil, []Refusal{{BenefitID: b.ID, Period: "", Reason: ReasonNoSchedule}}
	}
	switch sc.Rule {
	case OnReport:
		return nil, nil
	case OnDecision:
		if b.Decided.IsZero() {
			return nil, nil
		}
		pd := sc.DecisionPayDate(b.Decided)
		if pd.Before(from) || pd.After(to) {
			return nil, nil
		}
		return []Due{{Benefit: b, Period: DecisionPeriod, DueDate: pd, AmountCents: b.AmountCents}}, nil
	}
	var due []Due
	var refused []Refusal
	y, m := from.Year, from.Month
	for {
		if y > to.Year || y == to.Year && m > to.Month {
			break
		}
		if b.ActiveIn(y, m) {
			msc, ok := s.At(b.Kind, civil.New(y, m, 1))
			if !ok {
				msc = sc
			}
			pd, err := msc.PayDate(y, m)
			switch {
			case errors.Is(err, ErrNoBankingDay):
				refused = append(refused, Refusal{BenefitID: b.ID, Period: MonthPeriod(y, m), Reason: ReasonNoBankDay})
			case err != nil:
				refused = append(refused, Refusal{BenefitID: b.ID, Period: MonthPeriod(y, m), Reason: ReasonNoSchedule})
			case !pd.Before(from) && !pd.After(to):
				due = append(due, Due{Benefit: b, Period: MonthPeriod(y, m), DueDate: pd, AmountCents: b.AmountCents})
			}
		}
		if m++; m > time.December {
			y, m = y+1, time.January
		}
	}
	return due, refused
}

// DueOn lists what a run on payDate pays of the benefit: the instalments
// due on that day and those that fell due in the CatchUpDays before it.
func (s *Schedules) DueOn(b Benefit, payDate civil.Date) ([]Due, []Refusal) {
	return s.DueBetween(b, payDate.AddDays(-CatchUpDays), payDate)
}

// Check refuses an instalment the bank would refuse: an account that is not
// a valid IBAN, an amount that is not positive or is over the SEPA ceiling.
// It returns the reason key, or "".
func Check(ibanText string, cents int64) string {
	if _, err := iban.Parse(ibanText); err != nil {
		return ReasonIBAN
	}
	if cents <= 0 || cents > MaxCents {
		return ReasonAmount
	}
	return ""
}

// IsPayDay reports whether a run may request execution on the day: only
// banking days.
func IsPayDay(d civil.Date) bool { return bankday.IsBankingDay(d) }
