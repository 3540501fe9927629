package recovery

import (
	"math/big"
	"math/bits"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// DaysInYear is the day count convention's year: interest is actual/365
// fixed, so a leap year's 366 days earn 366/365 of the annual rate. The
// Interest Act (633/1982) states rates per year without a day count; the
// fixed 365 is the common Finnish practice and keeps a day's interest the
// same in every year.
const DaysInYear = 365

// InterestPeriod is one line of an interest calculation: the days From to
// To (both included) at one rate.
type InterestPeriod struct {
	From, To       civil.Date
	Days           int
	RateBP         int64 // annual rate in basis points
	PrincipalCents int64
	Cents          int64
	// NoRate marks days the rule table has no rate for: no interest was
	// computed for them, and the total is not final until the table is
	// completed.
	NoRate bool
	// Exempt marks days an approved exemption frees from interest
	// (Claim.InterestFree): they earn nothing.
	Exempt bool
}

// InterestBetween returns the interest a claim earns after from up to and
// including to: to.DaysSince(from) days, so InterestBetween(c, due, paid)
// charges the days after the due date up to the day of payment.
//
// It is simple interest on the claim's outstanding principal (never on
// interest or fees): principal × rate × days / 365, rounded half up to the
// cent. The days are split wherever the rate table changes rate (the
// half-years of the penalty interest, the 2018 change for student loans),
// each piece is computed and rounded on its own, and the total is the sum
// of the rounded pieces shown in the breakdown.
//
// The principal is taken as constant over the range: callers accrue up to
// each payment's value date and start again from there. Kinds with no
// rates in the table (overpayments, the healthcare fee) earn nothing and
// get no breakdown.
func InterestBetween(c Claim, from, to civil.Date, rules *Rules) (int64, []InterestPeriod) {
	principal := c.Outstanding().Principal
	if principal <= 0 || !to.After(from) {
		return 0, nil
	}
	rows := rules.Interest[c.Kind]
	if len(rows) == 0 {
		return 0, nil
	}
	var (
		total     int64
		breakdown []InterestPeriod
	)
	for day := from.AddDays(1); !day.After(to); {
		p := InterestPeriod{From: day, To: to, PrincipalCents: principal}
		if free, ok := freeOn(c.InterestFree, day); ok {
			p.Exempt = true
			if !free.To.IsZero() && free.To.Before(to) {
				p.To = free.To
			}
			p.Days = p.To.DaysSince(p.From) + 1
			breakdown = append(breakdown, p)
			day = p.To.AddDays(1)
			continue
		}
		// A piece ends where an exempt period begins.
		for _, f := range c.InterestFree {
			if f.From.After(day) && !f.From.After(p.To) {
				p.To = f.From.AddDays(-1)
			}
		}
		if row, ok := find(rows, day); ok {
			if !row.To.IsZero() && row.To.Before(to) {
				p.To = row.To
			}
			p.RateBP = row.RateBP
		} else {
			p.NoRate = true
			// The gap lasts until the next row starts.
			for _, r := range rows {
				if r.From.After(day) && !r.From.After(p.To) {
					p.To = r.From.AddDays(-1)
				}
			}
		}
		p.Days = p.To.DaysSince(p.From) + 1
		if !p.NoRate {
			p.Cents = simpleInterest(principal, p.RateBP, p.Days)
		}
		total += p.Cents
		breakdown = append(breakdown, p)
		day = p.To.AddDays(1)
	}
	return total, breakdown
}

// AccrueInterest charges the claim the interest earned since it was last
// accrued (InterestTo), or since its due date, up to and including to, and
// moves InterestTo there. Call it up to a payment's value date before
// ApplyPayment, so that the payment meets the interest of its day and the
// interest after it runs on the smaller principal. The event is zero when
// nothing accrued; the breakdown is for the customer's statement.
//
// Days after the end of the kind's rate table (Rules.InterestEnd: a
// half-year whose reference rate is not in the table yet) are not charged
// at zero and passed over: InterestTo stops at the table's end, the
// breakdown ends with that NoRate period, and the first accrual after the
// table is completed charges them — on the principal outstanding then, so
// a payment booked meanwhile lowers what the days before it earn (in the
// customer's favour), and a claim paid off meanwhile is not charged them.
// A gap the table leaves before or between its rows (days before the
// first rate) earns nothing and is passed, as it always did.
func (c *Claim) AccrueInterest(to civil.Date, rules *Rules) (Event, []InterestPeriod) {
	from := c.InterestTo
	if from.IsZero() {
		from = c.DueDate
	}
	if from.IsZero() || !to.After(from) {
		return Event{}, nil
	}
	cents, breakdown := InterestBetween(*c, from, to, rules)
	end := rules.InterestEnd(c.Kind)
	for i, p := range breakdown {
		if p.NoRate && !end.IsZero() && p.From.After(end) {
			to, breakdown, cents = p.From.AddDays(-1), breakdown[:i+1], 0
			for _, q := range breakdown[:i] {
				cents += q.Cents
			}
			break
		}
	}
	if !to.After(from) {
		return Event{}, breakdown
	}
	c.InterestTo = to
	if cents == 0 {
		return Event{}, breakdown
	}
	c.Interest += cents
	return Event{On: to, Kind: EventInterestAccrued, Cents: cents, Note: "recovery.event.interest_accrued"}, breakdown
}

// simpleInterest is principal × rateBP/10000 × days/365 in cents, rounded
// half up. The product overflows int64 only for huge claims over long
// periods; those take the big-integer path.
func simpleInterest(principal, rateBP int64, days int) int64 {
	const den = 10000 * DaysInYear
	if hi, lo := bits.Mul64(uint64(principal), uint64(rateBP)); hi == 0 && lo < 1<<40 {
		if hi, lo = bits.Mul64(lo, uint64(days)); hi == 0 && lo < 1<<62 {
			return int64((2*lo + den) / (2 * den))
		}
	}
	num := new(big.Int).Mul(big.NewInt(principal), big.NewInt(rateBP))
	num.Mul(num, big.NewInt(int64(days)))
	d := big.NewInt(den)
	// Half up for non-negative values: floor((2·num + den) / (2·den)).
	num.Lsh(num, 1).Add(num, d)
	d.Lsh(d, 1)
	return num.Quo(num, d).Int64()
}

// FreePeriod is a span of days in which a claim earns no interest, granted
// by an approved exemption: From and To both included, a zero To open-ended.
type FreePeriod struct {
	From civil.Date `json:"from"`
	To   civil.Date `json:"to,omitzero"`
}

// freeOn is the exempt period holding the day, if any.
func freeOn(ps []FreePeriod, day civil.Date) (FreePeriod, bool) {
	for _, p := range ps {
		if !day.Before(p.From) && (p.To.IsZero() || !day.After(p.To)) {
			return p, true
		}
	}
	return FreePeriod{}, false
}

// InterestDay is the day the collection next charges the claim interest
// when nothing else happens to it: the first monthly anniversary of its due
// date after InterestTo (or after the due date, before the first charge).
// The 31st falls on the last day of shorter months. Charged on these days,
// on every collection action and on every payment's value date (booking
// accrues to it), a claim gets at least one charge a month, and a million
// claims spread their charges over the month by due date instead of all
// on one day. Zero for a claim without a due date.
//
// Charging a month in one piece is not the same, cent for cent, as thirty
// daily charges: each charge is rounded half up to the cent on its own
// (InterestBetween), so daily charges add up to 30 roundings of a day's
// interest, the monthly one rounds once. The monthly figure is the exact
// one (principal × rate × days / 365, rounded once); see
// TestInterestChargedMonthlyRoundsOnce.
func (c Claim) InterestDay() civil.Date {
	due := c.DueDate
	if due.IsZero() {
		return civil.Date{}
	}
	from := c.InterestTo
	if from.IsZero() || from.Before(due) {
		from = due
	}
	k := (from.Year-due.Year)*12 + int(from.Month) - int(due.Month)
	for ; ; k++ {
		if d := monthsAfter(due, k); d.After(from) {
			return d
		}
	}
}

// monthsAfter is the day k months after d, on the last day of the month
// when the month is shorter.
func monthsAfter(d civil.Date, k int) civil.Date {
	first := civil.New(d.Year, d.Month+time.Month(k), 1)
	return civil.New(first.Year, first.Month, min(d.Day, civil.DaysIn(first.Year, first.Month)))
}
