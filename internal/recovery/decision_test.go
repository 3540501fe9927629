package recovery

import (
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// An exemption approved late leaves the claim owing what it would owe had
// the exemption been there from the start: the interest of the exempt days
// is written off, with payments before the start and a payment the bank
// took back. Only the rounding of a piece split at the start may differ,
// by a cent. (A payment made after the start paid exempt interest first;
// it moves to principal: see TestExemptInterestAlreadyPaid.)
func TestApplyExemptionMatchesExemptFromTheStart(t *testing.T) {
	rules := DefaultRules()
	type step struct {
		on      civil.Date
		pay     int64 // cents paid on the day
		reverse bool  // the bank takes the previous payment back
	}
	for _, tc := range []struct {
		name  string
		kind  Kind
		x     Exemption
		steps []step
	}{
		{"interest, no payments", StudentLoan,
			Exemption{Request: ExemptionRequest{Kind: ExemptInterest, From: d("2026-03-01")}},
			[]step{{on: d("2026-06-10")}}},
		{"interest, payments before the start", StudentLoan,
			Exemption{Request: ExemptionRequest{Kind: ExemptInterest, From: d("2026-03-01")}},
			[]step{{on: d("2026-02-10"), pay: euro(200)}, {on: d("2026-02-25"), pay: euro(300)}, {on: d("2026-06-10")}}},
		{"interest, a payment taken back", StudentLoan,
			Exemption{Request: ExemptionRequest{Kind: ExemptInterest, From: d("2026-03-01")}},
			[]step{{on: d("2026-04-20"), pay: euro(300)}, {on: d("2026-05-02"), reverse: true}, {on: d("2026-06-10")}}},
		{"state share, whole months", ChildSupport,
			Exemption{Request: ExemptionRequest{Kind: ExemptStateShare, From: d("2026-02-01")}, CreatedAt: time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)},
			[]step{{on: d("2026-01-20"), pay: euro(100)}, {on: d("2026-06-10")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			late := Claim{Kind: tc.kind, Principal: euro(1000), DueDate: d("2026-01-15"), Status: Open}
			early := late
			early.InterestFree = []FreePeriod{ExemptPeriod(tc.x)}
			var history []Event
			var lastPay Event
			var lastOn civil.Date
			for _, s := range tc.steps {
				for _, c := range []*Claim{&late, &early} {
					ev, _ := c.AccrueInterest(s.on, rules)
					if c == &late && ev.Kind != "" {
						history = append(history, ev)
					}
					switch {
					case s.pay > 0:
						pay, _ := c.ApplyPayment(s.on, s.pay)
						if c == &late {
							history, lastPay, lastOn = append(history, pay), pay, s.on
						}
					case s.reverse:
						evs := c.ReversePayment(s.on, lastOn, lastPay.Parts, rules)
						if c == &late {
							history = append(history, evs...)
						}
					}
				}
			}
			evs := late.ApplyExemption(tc.x, d("2026-06-10"), history, rules)
			if len(evs) != 1 || evs[0].Kind != EventWrittenOff || evs[0].Cents <= 0 || evs[0].Parts.Interest != evs[0].Cents {
				t.Fatalf("events = %+v", evs)
			}
			if diff := late.Interest - early.Interest; diff < -1 || diff > 1 {
				t.Errorf("interest %d after the late exemption, %d exempt from the start (written off %d)", late.Interest, early.Interest, evs[0].Cents)
			}
			// From now on both accrue alike.
			a, _ := late.AccrueInterest(d("2026-12-31"), rules)
			b, _ := early.AccrueInterest(d("2026-12-31"), rules)
			if a.Cents != b.Cents {
				t.Errorf("later interest %d, want %d", a.Cents, b.Cents)
			}
		})
	}
}

// A full exemption writes off everything unpaid and waives the claim.
func TestApplyFullExemption(t *testing.T) {
	c := Claim{Kind: StudentLoan, Principal: euro(1000), Interest: 1234, Fees: 500, Paid: Parts{Fees: 500, Interest: 34, Principal: euro(100)}, Status: Reminded}
	evs := c.ApplyExemption(Exemption{Request: ExemptionRequest{Kind: ExemptFull, From: d("2026-03-01")}}, d("2026-06-10"), nil, DefaultRules())
	if c.Status != Waived || c.Balance() != 0 || len(evs) != 1 || evs[0].Cents != euro(900)+1200 ||
		evs[0].Parts != (Parts{Interest: 1200, Principal: euro(900)}) || evs[0].Note != "recovery.event.exemption_full" {
		t.Errorf("claim %+v, events %+v", c, evs)
	}
	// Paid amounts stay paid: nothing is charged below them.
	if c.Principal != c.Paid.Principal || c.Interest != c.Paid.Interest || c.Fees != c.Paid.Fees {
		t.Errorf("charged below paid: %+v", c)
	}
}

// Interest of the exempt days that a payment already paid stays paid: the
// write-off takes only what is unpaid, so no part is paid more than
// charged (a refund or reallocation is left to staff).
func TestExemptInterestAlreadyPaid(t *testing.T) {
	rules := DefaultRules()
	c := Claim{Kind: StudentLoan, Principal: euro(1000), DueDate: d("2026-01-15"), Status: Open}
	var history []Event
	ev, _ := c.AccrueInterest(d("2026-05-01"), rules)
	pay, _ := c.ApplyPayment(d("2026-05-01"), ev.Cents) // exactly the interest
	history = append(history, ev, pay)
	ev2, _ := c.AccrueInterest(d("2026-06-10"), rules)
	history = append(history, ev2)
	evs := c.ApplyExemption(Exemption{Request: ExemptionRequest{Kind: ExemptInterest, From: d("2026-03-01")}}, d("2026-06-10"), history, rules)
	if len(evs) != 2 || evs[0].Cents != ev2.Cents || c.Outstanding().Interest != 0 || c.Paid.Interest > c.Interest {
		t.Fatalf("written off %+v; claim %+v", evs, c)
	}
	// The interest of 1.3–1.5 was paid: it is no longer interest, and the
	// payment counts towards the principal.
	want, _ := InterestBetween(Claim{Kind: StudentLoan, Principal: euro(1000)}, d("2026-02-28"), d("2026-05-01"), rules)
	moved := evs[1]
	if moved.Kind != EventInterestToPrincipal || moved.Note != "recovery.event.exempt_paid_interest" || moved.Cents <= 0 ||
		moved.Cents-want < -1 || moved.Cents-want > 1 || moved.Parts != (Parts{Principal: moved.Cents}) {
		t.Errorf("moved %+v; the exempt interest paid was %d", moved, want)
	}
	if c.Paid.Principal != moved.Cents || c.Paid.Interest != ev.Cents-moved.Cents || c.Interest != ev.Cents-moved.Cents ||
		c.Principal != euro(1000) || c.Balance() != euro(1000)-moved.Cents || c.Paid.Total() != ev.Cents {
		t.Errorf("claim after the move: %+v (balance %d)", c, c.Balance())
	}
}

// Paid exempt interest moves to principal only as far as principal is
// owed: a claim whose principal is all paid keeps the rest as paid
// interest (refunding it is a staff decision).
func TestExemptInterestPaidBeyondPrincipal(t *testing.T) {
	rules := DefaultRules()
	c := Claim{Kind: StudentLoan, Principal: euro(1000), DueDate: d("2026-01-15"), Status: Open}
	ev, _ := c.AccrueInterest(d("2026-05-01"), rules)
	pay, _ := c.ApplyPayment(d("2026-05-01"), ev.Cents+euro(1000)-100) // all but a euro of the principal
	history := []Event{ev, pay}
	evs := c.ApplyExemption(Exemption{Request: ExemptionRequest{Kind: ExemptInterest, From: d("2026-03-01")}}, d("2026-05-01"), history, rules)
	if len(evs) != 2 || evs[1].Cents != 100 || c.Paid.Principal != c.Principal || c.Balance() != 0 || c.Status != Paid || c.Paid.Interest > c.Interest {
		t.Errorf("events %+v; claim %+v", evs, c)
	}
}
