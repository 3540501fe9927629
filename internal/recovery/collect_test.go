package recovery

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/etuus/etuus/internal/fi/civil"
)

// randomClaim is a claim still collected, with a history, as the
// collection may find it: any kind, due any day of 2024–2026, open,
// reminded or in a plan with some of it paid, reminded or not, a plan
// approved or broken before.
func randomClaim(r *rand.Rand) (Claim, []Event, civil.Date) {
	due := civil.New(2024, 1, 1).AddDays(r.IntN(3 * 365))
	kinds := Kinds()
	c := Claim{Kind: kinds[r.IntN(len(kinds))], Principal: 1000 + r.Int64N(500000), DueDate: due, Status: Open}
	var h []Event
	day := due
	// Events after the due date, a few days apart.
	for range r.IntN(4) {
		day = day.AddDays(1 + r.IntN(40))
		switch r.IntN(3) {
		case 0:
			h = append(h, Event{On: day, Kind: EventReminder})
			c.Status = Reminded
		case 1:
			h = append(h, Event{On: day, Kind: EventPlanBroken})
			c.Status = Open
		default:
			h = append(h, Event{On: day, Kind: EventReminder})
		}
	}
	if r.IntN(3) == 0 {
		// In a plan approved after the history, its instalments monthly.
		day = day.AddDays(1 + r.IntN(20))
		h = append(h, Event{On: day, Kind: EventPlanApproved})
		n := 1 + r.IntN(6)
		p := &Plan{Total: c.Principal, ProposedOn: day, FirstDue: day.AddDays(r.IntN(60))}
		per := c.Principal / int64(n)
		for i := range n {
			cents := per
			if i == n-1 {
				cents = c.Principal - per*int64(n-1)
			}
			cum := cents
			if i > 0 {
				cum += p.Instalments[i-1].Cumulative
			}
			p.Instalments = append(p.Instalments, Instalment{N: i + 1, Due: monthsAfter(p.FirstDue, i), Cents: cents, Cumulative: cum})
		}
		c.Plan, c.Status = p, InPlan
		c.Paid.Principal = r.Int64N(c.Principal + 1)
		// Reminders within the plan.
		for range r.IntN(3) {
			day = day.AddDays(1 + r.IntN(40))
			h = append(h, Event{On: day, Kind: EventReminder})
		}
	}
	if !c.Status.Collecting() {
		c.Status = Open
	}
	return c, h, day.AddDays(r.IntN(120) - 30)
}

// TestNextActionNext: when NextAction finds nothing to do and names the
// first day its answer may change, it finds nothing to do on every day
// before that; when it names none, nothing on any later day. With the
// claim and its history unchanged; anything else that changes them clears
// the claim's collection day.
func TestNextActionNext(t *testing.T) {
	rules := DefaultRules()
	r := rand.New(rand.NewPCG(19, 34))
	for range 5000 {
		c, h, today := randomClaim(r)
		act, err := NextAction(c, h, today, rules)
		if err != nil {
			t.Fatal(err)
		}
		if act.Kind != ActNone {
			continue
		}
		until := act.Next
		if until.IsZero() {
			until = today.AddDays(800)
		}
		for day := today; day.Before(until); day = day.AddDays(1) {
			if a, _ := NextAction(c, h, day, rules); a.Kind != ActNone {
				t.Fatalf("%+v %v: none on %s until %s, but %s on %s", c, h, today, act.Next, a.Kind, day)
			}
		}
	}
}

// collectStep is what collectOne does to a claim on a day, without the
// storage, the letters and the pause: the rules' action, and the interest
// the new run charges (when it acts, on the interest day). It returns the
// action.
func collectStep(t *testing.T, c *Claim, h *[]Event, day civil.Date, rules *Rules) ActionKind {
	act, err := NextAction(*c, *h, day, rules)
	if err != nil {
		t.Fatal(err)
	}
	if act.Kind != ActNone || !day.Before(c.InterestDay()) {
		if ev, _ := c.AccrueInterest(day, rules); ev.Kind != "" {
			*h = append(*h, ev)
		}
	}
	switch act.Kind {
	case ActReminder:
		c.Fees += act.FeeCents
		if c.Status != InPlan {
			c.Status = Reminded
		}
		*h = append(*h, Event{On: day, Kind: EventReminder, Cents: act.FeeCents})
	case ActEnforcement:
		c.Status = Enforcement
		*h = append(*h, Event{On: day, Kind: EventToEnforcement})
	case ActBreakPlan:
		c.Plan, c.Status = nil, Open
		*h = append(*h, Event{On: day, Kind: EventPlanBroken})
	case ActPlanComplete:
		c.Plan, c.Status = nil, Open
		c.DueDate = day.AddDays(14)
	}
	return act.Kind
}

// TestCollectOnSkipsNoAction: the collection that looks at a claim only on
// the day collectNext gives acts on exactly the days, and with exactly the
// actions, the old daily run did; it charges interest at least once in
// every 31 days; and the interest it charges differs from the daily
// charges by rounding only: at most a cent for each daily charge
// (on a small principal a day's interest rounds to 0, so daily charges
// charged nothing at all where the monthly ones charge what is owed).
func TestCollectOnSkipsNoAction(t *testing.T) {
	rules := DefaultRules()
	r := rand.New(rand.NewPCG(19, 35))
	type acted struct {
		on   civil.Date
		kind ActionKind
	}
	for range 1500 {
		c0, h0, start := randomClaim(r)
		end := start.AddDays(400)

		daily, dh := c0, slices.Clone(h0)
		var old []acted
		charges := 0
		for day := start; day.Before(end) && daily.Status.Collecting(); day = day.AddDays(1) {
			// The daily run charged every day.
			before := daily.InterestTo
			if ev, _ := daily.AccrueInterest(day, rules); ev.Kind != "" {
				dh = append(dh, ev)
			}
			if daily.InterestTo.After(before) {
				charges++ // a charge, even of 0 cents after rounding
			}
			if k := collectStep(t, &daily, &dh, day, rules); k != ActNone {
				old = append(old, acted{day, k})
			}
		}

		due, nh := c0, slices.Clone(h0)
		var got []acted
		looked, last := start, start
		for day := start; day.Before(end) && due.Status.Collecting(); day = day.AddDays(1) {
			if day.Before(looked) {
				continue
			}
			before := due.InterestTo
			if k := collectStep(t, &due, &nh, day, rules); k != ActNone {
				got = append(got, acted{day, k})
			}
			if due.InterestTo.After(before) {
				last = day
			}
			next, err := collectNext(due, nh, day, civil.Date{}, rules)
			if err != nil {
				t.Fatal(err)
			}
			if !next.After(day) {
				t.Fatalf("next %s not after %s", next, day)
			}
			if due.Status.Collecting() && due.Balance() > 0 && !due.DueDate.After(day) && next.DaysSince(last) > 31 &&
				!slices.ContainsFunc(breakdownOf(InterestBetween(due, last, next, rules)), func(p InterestPeriod) bool { return p.NoRate }) {
				t.Fatalf("%+v: no interest charge from %s to %s", due, last, next)
			}
			looked = next
		}
		if !slices.Equal(old, got) {
			t.Fatalf("claim %+v history %v from %s:\ndaily run acted %v\nnew run acted   %v", c0, h0, start, old, got)
		}
		if diff := daily.Interest - due.Interest; diff < -int64(charges) || diff > int64(charges) {
			t.Fatalf("%+v %v from %s: daily interest %d, monthly %d over %d daily charges\n%v\n%v\n%+v", c0, h0, start, daily.Interest, due.Interest, charges, dh, nh, daily)
		}
	}
}

// breakdownOf is the breakdown of InterestBetween.
func breakdownOf(_ int64, b []InterestPeriod) []InterestPeriod { return b }

// TestInterestDay: the monthly anniversaries of the due date, the 31st on
// the last day of shorter months.
func TestInterestDay(t *testing.T) {
	for _, tc := range []struct{ due, to, want string }{
		{"2026-01-15", "", "2026-02-15"},
		{"2026-01-15", "2026-01-20", "2026-02-15"},
		{"2026-01-15", "2026-02-15", "2026-03-15"},
		{"2026-01-15", "2026-02-14", "2026-02-15"},
		{"2026-01-31", "2026-01-31", "2026-02-28"},
		{"2026-01-31", "2026-02-28", "2026-03-31"},
		{"2027-12-31", "2028-02-10", "2028-02-29"},
		{"2026-11-30", "2026-12-30", "2027-01-30"},
		// InterestTo before the due date (a completed plan moves the due
		// date on): the due date's first anniversary is not waited for.
		{"2026-05-01", "2026-04-17", "2026-06-01"},
	} {
		c := Claim{DueDate: d(tc.due)}
		if tc.to != "" {
			c.InterestTo = d(tc.to)
		}
		if got := c.InterestDay(); got != d(tc.want) {
			t.Errorf("due %s, interest to %s: %s, want %s", tc.due, tc.to, got, tc.want)
		}
	}
}

// TestInterestChargedMonthlyRoundsOnce states what charging interest
// monthly instead of daily changes: each charge is rounded half up to the
// cent, so 30 one-day charges add 30 roundings, one 30-day charge one. On
// 1 000 € at 4 % a day is 10.96 cents: daily charges round each to 11, 330
// cents; the month in one charge is 328.77, 329 cents — the exact figure.
func TestInterestChargedMonthlyRoundsOnce(t *testing.T) {
	rules := DefaultRules()
	c := Claim{Kind: StudentLoan, Principal: 100000, DueDate: d("2026-01-15"), Status: Open}
	daily := c
	for day := d("2026-01-16"); !day.After(d("2026-02-14")); day = day.AddDays(1) {
		daily.AccrueInterest(day, rules)
	}
	monthly := c
	ev, _ := monthly.AccrueInterest(d("2026-02-14"), rules)
	if daily.Interest != 330 || monthly.Interest != 329 || ev.Cents != 329 || monthly.InterestTo != daily.InterestTo {
		t.Errorf("30 days of 4 %% on 1 000 €: daily %d, monthly %d; want 330 and 329", daily.Interest, monthly.Interest)
	}
}
