package recovery

import (
	"slices"

	"github.com/etuus/etuus/internal/fi/civil"
)

// BenefitPayment is one benefit instalment about to be paid, from which an
// overdue overpayment may be offset (withheld).
type BenefitPayment struct {
	BenefitKey string // e.g. "housing_allowance", "basic_social_assistance"
	GrossCents int64  // the instalment before tax withholding
	// NetCents is the instalment after tax withholding: what would reach
	// the customer. The protected amount is compared with it, as the
	// Enforcement Code compares it with net pay. Zero is "not known":
	// nothing is then withheld from a protected benefit, and other
	// benefits are capped at GrossCents.
	NetCents    int64
	Days        int        // the days the instalment is for, for the protected amount
	PaymentDate civil.Date // picks the offset rule and the protected amount in force
}

// OffsetAmount returns how much of a benefit instalment may be withheld for
// an overdue overpayment balance, and an i18n key for the rule that decided
// it. The rules, from DOMAIN.md §5 ("Offsetting from ongoing benefits: at
// least 30 € a month, starting point one third of the instalment; never
// from basic social assistance; the enforcement-code protected amount
// usually prevents offsetting from unemployment benefit … apply it to the
// net payment"), with the numbers from the offset rule and the protected
// amount in force on the payment date:
//
//   - nothing from an excluded benefit (basic social assistance):
//     recovery.offset.excluded;
//   - for a protected benefit (unemployment benefits), the protected amount
//     per day × Days stays with the customer out of the net payment; when
//     that leaves nothing, nothing is withheld: recovery.offset.protected.
//     A protected benefit without Days (recovery.offset.days_missing),
//     without its net amount (recovery.offset.net_missing) or on a day the
//     table has no protected amount for (recovery.rules.missing) withholds
//     nothing;
//   - the starting point is one third of the gross instalment, rounded
//     down to the cent in the customer's favour: recovery.offset.share;
//   - at least the minimum (30 €), but never more than is paid out (the
//     net instalment when known): recovery.offset.minimum;
//   - never more than the net instalment (recovery.offset.net_cap), and
//     for a protected benefit never more than the protected amount leaves
//     of it (recovery.offset.protected_cap);
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
	paid := p.GrossCents // what is paid out, from which anything is withheld
	if p.NetCents > 0 {
		paid = min(p.NetCents, p.GrossCents)
	}
	available, capped := paid, "recovery.offset.net_cap"
	if slices.Contains(rule.ProtectedBenefits, p.BenefitKey) {
		capped = "recovery.offset.protected_cap"
		if p.Days <= 0 {
			return 0, "recovery.offset.days_missing"
		}
		if p.NetCents <= 0 {
			return 0, "recovery.offset.net_missing"
		}
		protected, err := rules.ProtectedAmountAt(p.PaymentDate)
		if err != nil {
			return 0, "recovery.rules.missing"
		}
		available -= protected.CentsPerDay * int64(p.Days)
		if available <= 0 {
			return 0, "recovery.offset.protected"
		}
	}
	withheld, reason = p.GrossCents*rule.ShareNum/rule.ShareDen, "recovery.offset.share"
	if withheld < rule.MinCents {
		withheld, reason = min(rule.MinCents, paid), "recovery.offset.minimum"
	}
	if withheld > available {
		withheld, reason = available, capped
	}
	if withheld > overdueBalance {
		withheld, reason = overdueBalance, "recovery.offset.balance"
	}
	return withheld, reason
}
