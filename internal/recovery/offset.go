package recovery

import (
	"slices"

	"github.com/etuus/etuus/internal/fi/civil"
)

// BenefitPayment is one benefit instalment about to be paid, from which an
// overdue overpayment may be offset (withheld).
type BenefitPayment struct {
	BenefitKey  string     // e.g. "housing_allowance", "basic_social_assistance"
	GrossCents  int64      // the instalment before anything is withheld
	Days        int        // the days the instalment is for, for the protected amount
	PaymentDate civil.Date // picks the offset rule in force
}

// OffsetAmount returns how much of a benefit instalment may be withheld for
// an overdue overpayment balance, and an i18n key for the rule that decided
// it. The rules, from DOMAIN.md §5 ("Offsetting from ongoing benefits: at
// least 30 € a month, starting point one third of the instalment; never
// from basic social assistance; the enforcement-code protected amount
// usually prevents offsetting from unemployment benefit"), with the numbers
// from the offset rule in force on the payment date:
//
//   - nothing from an excluded benefit (basic social assistance):
//     recovery.offset.excluded;
//   - for a protected benefit (unemployment benefits), the protected amount
//     per day × Days stays with the customer; when that leaves nothing,
//     nothing is withheld: recovery.offset.protected (a protected benefit
//     without Days withholds nothing: recovery.offset.days_missing);
//   - the starting point is one third of the instalment, rounded down to
//     the cent in the customer's favour: recovery.offset.share;
//   - at least the minimum (30 €), but never more than the instalment:
//     recovery.offset.minimum;
//   - never more than what the protected amount leaves:
//     recovery.offset.protected_cap;
//   - never more than the overdue balance: recovery.offset.balance.
//
// No balance or no instalment withholds nothing (recovery.offset.nothing_due),
// and so does a payment date the rule table has no offset rule for
// (recovery.rules.missing): when in doubt, the customer is paid.
func OffsetAmount(p BenefitPayment, overdueBalance int64, rules *Rules) (withheld int64, reason string) {
	if overdueBalance <= 0 || p.GrossCents <= 0 {
		return 0, "recovery.offset.nothing_due"
	}
	rule, err := rules.OffsetAt(p.PaymentDate)
	if err != nil {
		return 0, "recovery.rules.missing"
	}
	if slices.Contains(rule.ExcludedBenefits, p.BenefitKey) {
		return 0, "recovery.offset.excluded"
	}
	available := p.GrossCents
	if slices.Contains(rule.ProtectedBenefits, p.BenefitKey) {
		if p.Days <= 0 {
			return 0, "recovery.offset.days_missing"
		}
		available -= rule.ProtectedCentsPerDay * int64(p.Days)
		if available <= 0 {
			return 0, "recovery.offset.protected"
		}
	}
	withheld, reason = p.GrossCents*rule.ShareNum/rule.ShareDen, "recovery.offset.share"
	if withheld < rule.MinCents {
		withheld, reason = min(rule.MinCents, p.GrossCents), "recovery.offset.minimum"
	}
	if withheld > available {
		withheld, reason = available, "recovery.offset.protected_cap"
	}
	if withheld > overdueBalance {
		withheld, reason = overdueBalance, "recovery.offset.balance"
	}
	return withheld, reason
}
