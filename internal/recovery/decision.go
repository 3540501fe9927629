package recovery

import (
	"slices"

	"github.com/etuus/etuus/internal/fi/civil"
)

// ExemptPeriod is the span an approved exemption frees the claim from
// interest (both days included, a zero To open-ended):
//
//   - interest (student loan): from the start asked for, until the Centre
//     decides otherwise (an etuus choice: the application names no end);
//   - state share (child support): whole calendar months, from the start
//     asked for to the end of the month before the application month
//     (CheckExemption makes that at least one month and at most twelve);
//   - full: from the start asked for, with the whole balance written off.
func ExemptPeriod(x Exemption) FreePeriod {
	p := FreePeriod{From: x.Request.From}
	if x.Request.Kind == ExemptStateShare {
		p.To = monthStart(civil.Today(x.CreatedAt)).AddDays(-1)
	}
	return p
}

// ApplyExemption puts an approved exemption into effect on the claim on the
// day of the decision and returns the history entries, each naming the
// decision (Note "recovery.event.exemption_<kind>"):
//
//   - the exempt period joins InterestFree, so that no interest accrues
//     for its days from now on;
//   - the interest already charged for its days (recomputed from the
//     history: the principal outstanding on each day, payments taken at
//     their value dates) is written off as far as it is unpaid;
//   - what of it the customer already paid is no longer interest: the
//     charge is taken off and the payment counts towards the principal
//     (an EventInterestToPrincipal entry naming the decision), so the
//     customer owes that much less. Only as much as the principal still
//     owed moves; a payment beyond it (the claim would be overpaid)
//     stays paid interest, and refunding it is a staff decision not made
//     here;
//   - a full exemption writes off the whole balance and the claim is
//     Waived.
//
// A claim already paid or waived changes nothing.
func (c *Claim) ApplyExemption(x Exemption, on civil.Date, history []Event, rules *Rules) []Event {
	if !c.Status.Collecting() && c.Status != Enforcement {
		return nil
	}
	note := "recovery.event.exemption_" + string(x.Request.Kind)
	if x.Request.Kind == ExemptFull {
		off := c.Outstanding()
		c.Principal -= off.Principal
		c.Interest -= off.Interest
		c.Fees -= off.Fees
		c.Status, c.Plan = Waived, nil
		return []Event{{On: on, Kind: EventWrittenOff, Cents: off.Total(), Parts: off, Note: note}}
	}
	p := ExemptPeriod(x)
	charged := interestChargedIn(*c, history, p, rules)
	c.InterestFree = append(c.InterestFree, p)
	off := min(charged, c.Outstanding().Interest)
	c.Interest -= off
	evs := []Event{{On: on, Kind: EventWrittenOff, Cents: off, Parts: Parts{Interest: off}, Note: note}}
	if moved := min(charged-off, c.Paid.Interest, c.Outstanding().Principal); moved > 0 {
		c.Interest -= moved
		c.Paid.Interest -= moved
		c.Paid.Principal += moved
		evs = append(evs, Event{On: on, Kind: EventInterestToPrincipal, Cents: moved, Parts: Parts{Principal: moved},
			Note: "recovery.event.exempt_paid_" + string(x.Request.Kind)})
	}
	if c.Balance() == 0 && c.Status.Collecting() {
		c.Status, c.Plan = Paid, nil
	}
	return evs
}

// interestChargedIn recomputes the interest the claim has been charged
// for the days of p up to InterestTo. Walking back from InterestTo, the
// principal before a payment's value date was larger by the principal it
// paid; a payment the bank took back counts as never made, as
// ReversePayment charged its interest again. Each stretch is computed as
// InterestBetween does, so the sum matches what was charged up to the
// rounding of pieces split differently.
func interestChargedIn(c Claim, history []Event, p FreePeriod, rules *Rules) int64 {
	start := c.DueDate
	if c.InterestTo.IsZero() || start.IsZero() {
		return 0
	}
	lo := later(start, p.From.AddDays(-1))
	hi := c.InterestTo
	if !p.To.IsZero() && p.To.Before(hi) {
		hi = p.To
	}
	if !hi.After(lo) {
		return 0
	}
	pays := slices.Clone(history)
	slices.SortStableFunc(pays, func(a, b Event) int { return b.On.Compare(a.On) }) // newest first
	var reversed []Parts
	principal := c.Outstanding().Principal
	end := c.InterestTo
	var total int64
	seg := func(from, to civil.Date, principal int64) {
		a, b := later(from, lo), to
		if hi.Before(b) {
			b = hi
		}
		if b.After(a) {
			n, _ := InterestBetween(Claim{Kind: c.Kind, Principal: principal, InterestFree: c.InterestFree}, a, b, rules)
			total += n
		}
	}
	for _, e := range pays {
		switch e.Kind {
		case EventPaymentReversed:
			reversed = append(reversed, e.Parts)
			continue
		case EventPayment:
		default:
			continue
		}
		if i := slices.Index(reversed, e.Parts); i >= 0 {
			reversed = slices.Delete(reversed, i, i+1)
			continue
		}
		if e.On.Before(end) {
			seg(e.On, end, principal)
			end = e.On
		}
		principal += e.Parts.Principal
	}
	seg(start, end, principal)
	return total
}

// later is the later of two days.
func later(a, b civil.Date) civil.Date {
	if a.After(b) {
		return a
	}
	return b
}
