// Package paydate applies Kela's payment-date rules to the Finnish banking-day calendar.
package paydate

import (
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
)

// PayOnOrBefore returns the day a payment due on d is made: d itself when it
// is a banking day, otherwise the preceding banking day. Kela pays early
// rather than late.
func PayOnOrBefore(d civil.Date) civil.Date { return bankday.PreviousOrSame(d) }

// Rule is a benefit's monthly payment day.
type Rule int

// The monthly payment rules.
const (
	Pension          Rule = iota + 1 // the 7th
	GuaranteePension                 // the 22nd
	ChildBenefit                     // the 26th, and also earlier when the 26th is a Monday
	HousingAllowance                 // general housing allowance: the first banking day of the month
	ChildMaintenance                 // child maintenance allowance: the 10th
)

var rules = [...]struct {
	key string
	day int // 0: the first banking day of the month
}{
	Pension:          {"pension", 7},
	GuaranteePension: {"guarantee-pension", 22},
	ChildBenefit:     {"child-benefit", 26},
	HousingAllowance: {"housing-allowance", 0},
	ChildMaintenance: {"child-maintenance-allowance", 10},
}

// String returns a stable key, such as "child-benefit", for translations.
func (r Rule) String() string {
	if r < Pension || int(r) >= len(rules) {
		return fmt.Sprintf("paydate.Rule(%d)", int(r))
	}
	return rules[r].key
}

// PaymentDate returns the day a benefit paid under rule reaches accounts in
// the month. A payment day that is not a banking day moves to the preceding
// banking day. Child benefit also moves back from a Monday 26th to the
// banking day before it, so that the money is there for the weekend. It
// panics on an unknown rule, which is a programming error.
func PaymentDate(rule Rule, year int, month time.Month) civil.Date {
	if rule < Pension || int(rule) >= len(rules) {
		panic("paydate: unknown rule " + rule.String())
	}
	day := rules[rule].day
	if day == 0 {
		return bankday.NextOrSame(civil.Date{Year: year, Month: month, Day: 1})
	}
	d := civil.Date{Year: year, Month: month, Day: day}
	if rule == ChildBenefit && d.Weekday() == time.Monday {
		return bankday.Previous(d)
	}
	return PayOnOrBefore(d)
}

// backdatedDays is how many banking days a backdated payment may take to
// reach the account after the decision (DOMAIN.md §2).
const backdatedDays = 2

// BackdatedLatest returns the last day by which a backdated benefit must be
// in the customer's account: two banking days after the decision.
func BackdatedLatest(decision civil.Date) civil.Date {
	return bankday.AddBankingDays(decision, backdatedDays)
}
