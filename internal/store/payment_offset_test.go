package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// offsettingOn is the payment service on the database with offsetting by
// the recovery service rec.
func offsettingOn(db *store.DB, rec *recovery.Service) *payment.Service {
	svc := payment.NewService(db.Payment(), payment.Config{Debtor: payment.Debtor{
		Name: "Kansaneläkelaitos", OrgID: "0246246-0", IBAN: iban.MustParse("FI2112345600000785"), BIC: "NDEAFIHH"}, Recovery: rec, Text: texts()})
	svc.SetClock(func() time.Time { return db.Now() })
	return svc
}

// offsetServices sets the database's clock to Monday 5.1.2026 and returns
// the recovery service and the payment service offsetting through it.
func offsetServices(db *store.DB) (*recovery.Service, *payment.Service) {
	db.Now = func() time.Time { return time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC) }
	seedUnits(db)
	rec := recoveryOn(db)
	return rec, offsettingOn(db, rec)
}

// offsetPerson makes a customer with a pension of pensionCents and the
// claims (their PersonID filled in).
func offsetPerson(t *testing.T, db *store.DB, pensionCents int64, cs ...*recovery.Claim) customer.Person {
	t.Helper()
	ctx := context.Background()
	p := customer.Person{GivenName: "Testi", FamilyName: "Kuittaus", Lang: "fi"}
	if err := db.CreatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if err := db.AddBenefit(ctx, &payment.Benefit{PersonID: p.ID, Kind: "pension", AmountCents: pensionCents,
		IBAN: "FI4950009420028730", Starts: civil.New(2025, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		c.PersonID = p.ID
		if err := db.CreateClaim(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func paymentOf(t *testing.T, db *store.DB, personID string) payment.Payment {
	t.Helper()
	ps, err := db.Payment().PaymentsOf(context.Background(), personID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("payments of %s: %v %v", personID, ps, err)
	}
	return ps[0]
}

func claimNow(t *testing.T, db *store.DB, c *recovery.Claim) recovery.Claim {
	t.Helper()
	got, _, err := db.Recovery().ClaimOf(context.Background(), c.PersonID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestPaymentRunOffsets: a run offsets one third of a pension from an
// overdue claim, books it to the claim as a booked transaction (the
// invariants ForEachDB checks), leaves claims with a waiting proposal, a
// plan or no due date passed alone, and a second run offsets nothing twice.
func TestPaymentRunOffsets(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rec, svc := offsetServices(db)
		due := civil.New(2025, 12, 1)
		big := &recovery.Claim{Kind: recovery.Overpayment, Principal: 50000, DueDate: due, InterestTo: civil.New(2026, 1, 7)}
		a := offsetPerson(t, db, 70000, big)
		small := &recovery.Claim{Kind: recovery.HealthcareFee, Principal: 1000, DueDate: due, Term: recovery.Term{Year: 2025}}
		older := &recovery.Claim{Kind: recovery.Overpayment, Principal: 900, DueDate: due.AddDays(-30), InterestTo: civil.New(2026, 1, 7)}
		e := offsetPerson(t, db, 70000, small, older)
		pending := &recovery.Claim{Kind: recovery.Overpayment, Principal: 50000, DueDate: due, InterestTo: civil.New(2026, 1, 7)}
		b := offsetPerson(t, db, 70000, pending)
		if _, err := rec.ProposePlan(ctx, access.AsCustomer(b.ID), pending.ID,
			recovery.PlanRequest{MonthlyCents: 5000, FirstDue: civil.New(2026, 2, 20)}, ""); err != nil {
			t.Fatal(err)
		}
		notDue := &recovery.Claim{Kind: recovery.Overpayment, Principal: 50000, DueDate: civil.New(2026, 2, 1)}
		c := offsetPerson(t, db, 70000, notDue)
		tiny := &recovery.Claim{Kind: recovery.Overpayment, Principal: 50000, DueDate: due, InterestTo: civil.New(2026, 1, 7)}
		d := offsetPerson(t, db, 2500, tiny) // 25 € a month: the 30 € minimum would take it all

		// The customer is told in advance: the coming pension shows its offset.
		coming, err := svc.Payments(ctx, access.AsCustomer(a.ID))
		if err != nil {
			t.Fatal(err)
		}
		cp, err := svc.Coming(ctx, access.AsCustomer(a.ID), coming)
		if err != nil {
			t.Fatal(err)
		}
		if len(cp) == 0 || cp[0].OffsetCents() != 23333 || cp[0].NetCents() != 70000-23333 {
			t.Fatalf("coming = %+v", cp)
		}
		page, err := rec.Claim(ctx, access.AsCustomer(a.ID), big.ID)
		if err != nil {
			t.Fatal(err)
		}
		if page.PlannedOffsets != nil {
			t.Errorf("planned offsets without coming payments wired: %+v", page.PlannedOffsets)
		}
		rec.SetComingPayments(svc.ComingFor)
		if page, err = rec.Claim(ctx, access.AsCustomer(a.ID), big.ID); err != nil || len(page.PlannedOffsets) == 0 ||
			page.PlannedOffsets[0].Cents != 23333 || page.PlannedOffsets[0].PayDate != civil.New(2026, 1, 7) {
			t.Fatalf("claim page offsets = %+v, %v", page.PlannedOffsets, err)
		}

		day := civil.New(2026, 1, 7) // Wednesday: pensions
		dry, err := svc.Run(ctx, payer, day, payment.RunOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Discard{}})
		if err != nil {
			t.Fatal(err)
		}
		// a: one third of 700 €; e: its two claims' 19 € (with the older's
		// interest to the pay day) — no more than the balance.
		if rep.Payments != 5 || rep.Offsets != 2 {
			t.Fatalf("run = %+v", rep)
		}
		if dry.Offsets != rep.Offsets || dry.OffsetCents != rep.OffsetCents || dry.TotalCents != rep.TotalCents {
			t.Errorf("dry run %+v, run %+v", dry, rep)
		}
		pa := paymentOf(t, db, a.ID)
		if pa.OffsetCents != 23333 || pa.AmountCents != 70000-23333 {
			t.Errorf("a's payment = %+v", pa)
		}
		if got := claimNow(t, db, big); got.Paid.Total() != 23333 {
			t.Errorf("a's claim paid %d", got.Paid.Total())
		}
		pe := paymentOf(t, db, e.ID)
		se, oe := claimNow(t, db, small), claimNow(t, db, older)
		if se.Status != recovery.Paid || oe.Status != recovery.Paid || pe.OffsetCents != se.Paid.Total()+oe.Paid.Total() ||
			pe.AmountCents+pe.OffsetCents != 70000 {
			t.Errorf("e: payment %+v, claims %+v / %+v", pe, se, oe)
		}
		for _, p := range []customer.Person{b, c, d} {
			if got := paymentOf(t, db, p.ID); got.OffsetCents != 0 {
				t.Errorf("%s offset %d", p.ID, got.OffsetCents)
			}
		}
		if rep.TotalCents+rep.OffsetCents != 4*70000+2500 {
			t.Errorf("gross %d", rep.TotalCents+rep.OffsetCents)
		}

		// The run's report, as staff read it.
		sums, err := svc.RunReports(ctx, payer, 10)
		if err != nil || len(sums) != 1 || sums[0].Offsets != 2 || sums[0].OffsetCents != rep.OffsetCents ||
			sums[0].GrossCents() != rep.TotalCents+rep.OffsetCents {
			t.Fatalf("reports = %+v, %v", sums, err)
		}
		one, err := svc.RunReport(ctx, payer, rep.Run.ID)
		if err != nil || one.Payments != 5 {
			t.Fatalf("report = %+v, %v", one, err)
		}
		if _, err := svc.RunReports(ctx, access.AsCustomer(a.ID), 10); err == nil {
			t.Error("a customer read the run reports")
		}
		offs, err := svc.PaidOffsets(ctx, access.AsCustomer(a.ID))
		if err != nil || len(offs[pa.ID]) != 1 || offs[pa.ID][0].ClaimID != big.ID {
			t.Errorf("paid offsets = %+v, %v", offs, err)
		}

		// Again, and the next day: nothing is paid or offset twice.
		for _, d := range []civil.Date{day, day.AddDays(1)} {
			again, err := svc.Run(ctx, payer, d, payment.RunOptions{Publish: payment.Discard{}})
			if err != nil || again.Payments != 0 || again.Offsets != 0 {
				t.Fatalf("run again %s = %+v, %v", d, again, err)
			}
		}
		if got := claimNow(t, db, big); got.Paid.Total() != 23333 {
			t.Errorf("a's claim paid %d after re-runs", got.Paid.Total())
		}
	})
}

// TestPaymentRunOffsetsConcurrent runs the same pay days from four
// writers at once, with bank-file-free claim writes (plan proposals)
// racing them, on both databases: every payment and offset exactly once,
// the claims' invariants intact.
func TestPaymentRunOffsetsConcurrent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rec, svc := offsetServices(db)
		var claims []*recovery.Claim
		var people []customer.Person
		for i := range 30 {
			c := &recovery.Claim{Kind: recovery.Overpayment, Principal: 20000 + int64(i), DueDate: civil.New(2025, 11, 1),
				InterestTo: civil.New(2026, 3, 1)}
			people = append(people, offsetPerson(t, db, 40000+int64(i)*100, c))
			claims = append(claims, c)
		}
		days := []civil.Date{civil.New(2026, 1, 7), civil.New(2026, 2, 6)}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 4 {
			wg.Go(func() {
				for _, d := range days {
					if _, err := svc.Run(ctx, access.AsSystem("pay-"+string(rune('a'+w))), d, payment.RunOptions{Publish: payment.Discard{}}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Go(func() {
			for i := 0; i < len(people); i += 3 {
				_, err := rec.ProposePlan(ctx, access.AsCustomer(people[i].ID), claims[i].ID,
					recovery.PlanRequest{MonthlyCents: 5000, FirstDue: civil.New(2026, 1, 20)}, "")
				// A claim the runs paid off takes no plan: that is a refusal.
				if err != nil && !fault.Is(err, fault.Conflict) {
					errs <- err
				}
			}
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var payments, offsets int
		var offsetSum, booked int64
		if err := db.SQL().QueryRow(`SELECT COUNT(*), COALESCE(SUM(offset_cents), 0) FROM payments`).Scan(&payments, &offsetSum); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM payment_offsets`).Scan(&offsets); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`SELECT COALESCE(SUM(paid_fees + paid_interest + paid_principal), 0) FROM claims`).Scan(&booked); err != nil {
			t.Fatal(err)
		}
		if payments != 2*len(people) || offsets == 0 || offsetSum != booked {
			t.Errorf("%d payments, %d offsets of %d cents, claims paid %d", payments, offsets, offsetSum, booked)
		}
		// Each claim is offset at most once per payment: two runs, two offsets.
		var most int
		if err := db.SQL().QueryRow(`SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM payment_offsets GROUP BY claim_id) x`).Scan(&most); err != nil {
			t.Fatal(err)
		}
		if most > len(days) {
			t.Errorf("a claim offset %d times in %d runs", most, len(days))
		}
	})
}
