package employer

import (
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
)

// An employer that arranges occupational healthcare for its employees
// applies to Kela for the reimbursement of its costs
// (työterveyshuollon korvaushakemus) once an accounting period has ended,
// one application per workplace and accounting period (issue 12 b). The
// rules below are the Health Insurance Act's (sairausvakuutuslaki, chapter
// 13) as Kela's employer pages state them; the yearly maximum costs per
// employee, which the Government sets each year, are not encoded here:
// staff decide the approved amount, at most the claimed one, and say why.

// OccupationalIssue is the mandate issue (internal/mandate/issues.json) of
// the occupational-healthcare reimbursement: its restriction specifier
// names workplaces, so every action asks the decision for one workplace.
const OccupationalIssue = "occupational_healthcare"

// Kind is which e-service an application belongs to.
type Kind string

// The kinds of application.
const (
	DailyAllowance         Kind = "daily_allowance"         // reimbursement of daily allowance paid as salary
	OccupationalHealthcare Kind = "occupational_healthcare" // reimbursement of occupational-healthcare costs
)

// Limits of an occupational-healthcare application.
const (
	// MaxPeriodMonths is the longest accounting period: the Accounting Act
	// allows at most 18 months (a first or changed period), which the
	// Health Insurance Act's reimbursement follows.
	MaxPeriodMonths = 18
	// DeadlineMonths: the Health Insurance Act has the reimbursement
	// applied for within six months of the end of the accounting period;
	// a later application is refused.
	DeadlineMonths = 6
	// MaxWorkplaceDigits is the longest workplace number (the mandate
	// register's numeric restriction specifier).
	MaxWorkplaceDigits = 20
	// MaxEmployees is the most employees one workplace states.
	MaxEmployees = 1_000_000
	// MaxCostCents is the largest cost or revenue one field states.
	MaxCostCents = 100_000_000_000 // 1,000,000,000.00 €
	// Class1Percent and Class2Percent are the Health Insurance Act's
	// compensation percentages: 60 % of the necessary and reasonable
	// costs of preventive occupational healthcare (class I) and 50 % of
	// those of medical care and other healthcare (class II).
	Class1Percent = 60
	Class2Percent = 50
)

// AddMonths is the day n calendar months after d, the way a time limit in
// months is counted (Act on the Calculation of Statutory Time Limits,
// 150/1930): the same-numbered day, or the last day of a shorter month.
func AddMonths(d civil.Date, n int) civil.Date {
	first := civil.New(d.Year, d.Month+time.Month(n), 1)
	return civil.Date{Year: first.Year, Month: first.Month, Day: min(d.Day, civil.DaysIn(first.Year, first.Month))}
}

// Deadline is the last day an application for an accounting period ending
// on end may be made: six months after the end.
func Deadline(end civil.Date) civil.Date { return AddMonths(end, DeadlineMonths) }

// Claimed is the compensation the employer claims: 60 % of the class I
// costs plus 50 % of the class II costs, in whole cents rounded down, less
// the revenue received for the services; never below zero.
func Claimed(class1, class2, revenue int64) int64 {
	return max(0, (class1*Class1Percent+class2*Class2Percent)/100-revenue)
}

// Claimed is the application's claimed compensation (occupational
// healthcare; 0 for the other kind).
func (a Application) Claimed() int64 {
	if a.Kind != OccupationalHealthcare {
		return 0
	}
	return Claimed(a.Class1Cents, a.Class2Cents, a.RevenueCents)
}

// Ceiling is the most staff may approve: the salary paid, or the claimed
// compensation.
func (a Application) Ceiling() int64 {
	if a.Kind == OccupationalHealthcare {
		return a.Claimed()
	}
	return a.SalaryCents
}

// OccupationalInput is what the occupational-healthcare form gives, the
// amounts already in cents (negative: not a sum of euros).
type OccupationalInput struct {
	Workplace    string
	Start, End   string // the accounting period, ISO or Finnish dates
	Employees    string
	Class1Cents  int64
	Class2Cents  int64
	RevenueCents int64
	IBAN         string
}

// CheckWorkplace reads a workplace number: 1–20 digits, kept as written
// (the mandate register compares the text).
func CheckWorkplace(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxWorkplaceDigits || strings.Trim(s, "0123456789") != "" {
		return "", fault.InvalidField("workplace", "employer.ohc.error.workplace", map[string]any{"Max": MaxWorkplaceDigits})
	}
	return s, nil
}

// CheckOccupational reads an occupational-healthcare application from the
// input on the day: the workplace number is 1–20 digits; the accounting
// period starts on or before its end, has ended before today, is at most
// 18 months long, and today is at most six months after its end; the
// number of employees is a whole number from 1; the costs and revenue are
// zero or more, at most MaxCostCents; the claimed compensation is above
// zero; the account is a valid IBAN. A refusal is a fault.Invalid naming
// the field.
func CheckOccupational(in OccupationalInput, today civil.Date) (Application, error) {
	a := Application{Kind: OccupationalHealthcare}
	var err error
	if a.Workplace, err = CheckWorkplace(in.Workplace); err != nil {
		return a, err
	}
	if a.Start, a.End, err = checkPeriod(in.Start, in.End); err != nil {
		return a, err
	}
	switch {
	case !a.End.Before(today):
		return a, fault.InvalidField("end", "employer.ohc.error.not_ended", nil)
	case !a.End.Before(AddMonths(a.Start, MaxPeriodMonths)):
		return a, fault.InvalidField("end", "employer.ohc.error.too_long", map[string]any{"Months": MaxPeriodMonths})
	case today.After(Deadline(a.End)):
		return a, fault.InvalidField("end", "employer.ohc.error.late",
			map[string]any{"Months": DeadlineMonths, "Deadline": Deadline(a.End)})
	}
	n, err := strconv.Atoi(strings.TrimSpace(in.Employees))
	if err != nil || n < 1 || n > MaxEmployees {
		return a, fault.InvalidField("employees", "employer.ohc.error.employees", nil)
	}
	a.Employees = n
	for _, f := range []struct {
		name  string
		cents int64
		to    *int64
	}{{"class1", in.Class1Cents, &a.Class1Cents}, {"class2", in.Class2Cents, &a.Class2Cents}, {"revenue", in.RevenueCents, &a.RevenueCents}} {
		if f.cents < 0 || f.cents > MaxCostCents {
			return a, fault.InvalidField(f.name, "employer.ohc.error.amount", nil)
		}
		*f.to = f.cents
	}
	if a.Claimed() <= 0 {
		return a, fault.InvalidField("class1", "employer.ohc.error.nothing_claimed", nil)
	}
	acc, err := iban.Parse(in.IBAN)
	if err != nil {
		return a, fault.InvalidField("iban", "employer.error.iban", nil)
	}
	a.IBAN = acc.String()
	a.Status = Pending
	return a, nil
}
