package recovery

import (
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
)

// PlanRequest is a customer's payment plan proposal: a monthly amount OR a
// number of months (exactly one of them), and the first due date.
type PlanRequest struct {
	MonthlyCents int64
	Months       int
	FirstDue     civil.Date
}

// Instalment is one monthly payment of a plan.
type Instalment struct {
	N          int        // 1, 2, …
	Due        civil.Date // a banking day
	Cents      int64
	Cumulative int64 // the plan's instalments 1…N together
}

// Plan is a payment plan's schedule, computed and shown to the customer
// before it is sent, and checked against the rule table.
//
// The schedule covers the balance on the day of the proposal and nothing
// more. Student loan and child support debt keep earning interest while a
// plan runs (the interest is on the principal still unpaid); that interest
// is charged to the claim as it accrues and is left to pay once the
// instalments are done, rather than changing instalments the customer has
// already agreed to. There are no monthly invoices (seed 002): every
// instalment is paid with the claim's reference.
type Plan struct {
	Total          int64 // the balance the plan pays, in cents
	MonthlyCents   int64 // every instalment but the last
	FirstDue       civil.Date
	ProposedOn     civil.Date
	Instalments    []Instalment
	PaidAtApproval int64 // the claim's Paid.Total() when approved; see Claim.ApprovePlan
}

// Months is the number of instalments.
func (p Plan) Months() int { return len(p.Instalments) }

// Last is the last instalment.
func (p Plan) Last() Instalment { return p.Instalments[len(p.Instalments)-1] }

// ProposePlan computes the schedule for paying balance cents as requested
// on today, under the plan rule in force today. Instalments fall on the
// first due date's day of the month (the month's last day in shorter
// months), each moved forward to a banking day; all but the last are the
// monthly amount, and the last takes the remainder so that they add up to
// the balance exactly.
//
// A plan outside the rules is refused with a fault.Invalid naming the rule
// it breaks; the error's Data carries the rule's numbers for the message:
//
//   - recovery.plan.nothing_to_pay: the balance is zero;
//   - recovery.plan.amount_or_months_missing: neither amount nor months
//     (an empty form); its Data says what to fill in;
//   - recovery.plan.amount_or_months: both amount and months;
//   - recovery.plan.not_positive: a negative amount or number of months;
//   - recovery.plan.first_due_missing, .first_due_past, .first_due_too_far:
//     the first due date is missing, before today, or more than the rule's
//     MaxFirstDueDays ahead;
//   - recovery.plan.too_small: instalments under the monthly minimum (a
//     balance under the minimum may be paid in one instalment);
//   - recovery.plan.too_long: more instalments than the maximum months.
func ProposePlan(balance int64, req PlanRequest, today civil.Date, rules *Rules) (Plan, error) {
	rule, err := rules.PlanAt(today)
	if err != nil {
		return Plan{}, err
	}
	switch {
	case balance <= 0:
		return Plan{}, fault.New(fault.Invalid, "recovery.plan.nothing_to_pay")
	case req.MonthlyCents == 0 && req.Months == 0:
		return Plan{}, fault.InvalidField("monthly", "recovery.plan.amount_or_months_missing", map[string]any{
			"MinMonthlyCents": min(rule.MinMonthlyCents, balance), "MaxMonths": rule.MaxMonths})
	case req.MonthlyCents != 0 && req.Months != 0:
		return Plan{}, fault.InvalidField("monthly", "recovery.plan.amount_or_months", nil)
	case req.MonthlyCents < 0:
		return Plan{}, fault.InvalidField("monthly", "recovery.plan.not_positive", nil)
	case req.Months < 0:
		return Plan{}, fault.InvalidField("months", "recovery.plan.not_positive", nil)
	case req.FirstDue.IsZero() || !req.FirstDue.IsValid():
		return Plan{}, fault.InvalidField("first_due", "recovery.plan.first_due_missing", nil)
	case req.FirstDue.Before(today):
		return Plan{}, fault.InvalidField("first_due", "recovery.plan.first_due_past", nil)
	case req.FirstDue.DaysSince(today) > rule.MaxFirstDueDays:
		return Plan{}, fault.InvalidField("first_due", "recovery.plan.first_due_too_far", map[string]any{
			"MaxDays": rule.MaxFirstDueDays, "Latest": today.AddDays(rule.MaxFirstDueDays)})
	}

	// The minimum binds only when there is that much to pay.
	minimum := min(rule.MinMonthlyCents, balance)
	// The most months the minimum allows, for the messages.
	maxMonthsAtMinimum := max(balance/rule.MinMonthlyCents, 1)
	monthly, field := req.MonthlyCents, "monthly"
	if req.Months != 0 {
		field = "months"
		if req.Months > rule.MaxMonths {
			return Plan{}, fault.InvalidField(field, "recovery.plan.too_long", map[string]any{
				"MaxMonths": rule.MaxMonths, "Months": req.Months,
				"MinMonthlyCents": ceilDiv(balance, int64(rule.MaxMonths))})
		}
		monthly = ceilDiv(balance, int64(req.Months))
	}
	if monthly < minimum {
		return Plan{}, fault.InvalidField(field, "recovery.plan.too_small", map[string]any{
			"MinMonthlyCents": rule.MinMonthlyCents, "MonthlyCents": monthly,
			"MaxMonths": int(min(maxMonthsAtMinimum, int64(rule.MaxMonths)))})
	}
	monthly = min(monthly, balance)
	n := ceilDiv(balance, monthly)
	if n > int64(rule.MaxMonths) {
		return Plan{}, fault.InvalidField(field, "recovery.plan.too_long", map[string]any{
			"MaxMonths": rule.MaxMonths, "Months": int(n),
			"MinMonthlyCents": ceilDiv(balance, int64(rule.MaxMonths))})
	}

	p := Plan{Total: balance, MonthlyCents: monthly, FirstDue: req.FirstDue, ProposedOn: today,
		Instalments: make([]Instalment, n)}
	var sum int64
	for i := range p.Instalments {
		cents := monthly
		if i == len(p.Instalments)-1 {
			cents = balance - sum
		}
		sum += cents
		p.Instalments[i] = Instalment{N: i + 1, Due: monthlyDue(req.FirstDue, i), Cents: cents, Cumulative: sum}
	}
	return p, nil
}

// monthlyDue is the i-th month after first on first's day of the month,
// or the month's last day when it is shorter, moved to a banking day.
func monthlyDue(first civil.Date, i int) civil.Date {
	m := civil.New(first.Year, first.Month+time.Month(i), 1)
	m.Day = min(first.Day, civil.DaysIn(m.Year, m.Month))
	return bankday.NextOrSame(m)
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
