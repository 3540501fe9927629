package store_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// separateOverview is what OverviewOf replaces: the five reads one by one,
// and with claims the recovery repository's ClaimsPendingOf.
func separateOverview(t *testing.T, db *store.DB, personID string, claims bool) payment.OverviewRows {
	t.Helper()
	ctx := context.Background()
	r := db.Payment()
	var o payment.OverviewRows
	var err error
	if claims {
		if o.Claims, o.Pending, err = db.Recovery().ClaimsPendingOf(ctx, personID); err != nil {
			t.Fatal(err)
		}
	}
	if o.Payments, err = r.PaymentsOf(ctx, personID); err != nil {
		t.Fatal(err)
	}
	if o.Benefits, err = r.BenefitsOf(ctx, personID); err != nil {
		t.Fatal(err)
	}
	if o.Reports, err = r.ReportsOf(ctx, personID, ""); err != nil {
		t.Fatal(err)
	}
	if o.Returns, err = r.ReturnsOf(ctx, personID); err != nil {
		t.Fatal(err)
	}
	if o.Accounts, err = r.AccountChangesOf(ctx, personID); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestOverviewOfSameAsSeparateReads: the payments page's one read (a
// pipeline on PostgreSQL) returns, field for field, what the five reads it
// replaces return — for a customer with payments, a returned payment, an
// account change and a status report, for one with payments only, and for
// one with nothing — and never another customer's rows.
func TestOverviewOfSameAsSeparateReads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people := paymentFixture(t, db, 3)
		me, other := people[2], people[1]
		svc := paymentOn(db)
		run, in := firstRun(t, svc, t.TempDir())
		owner := e2eOwners(t, db, run.ID)
		var ret iso20022.Payment
		for _, p := range in.Batches[0].Payments {
			if owner[p.EndToEndID] == me.ID && p.AmountCents == 70002 {
				ret = p
				break
			}
		}
		file := camt(t, "FI2112345600000785", bankReturn(ret.EndToEndID, ret.AmountCents, "AC04", "R1"))
		if _, err := svc.ImportReturns(ctx, paymentOperator, bytes.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		a := access.AsCustomer(me.ID)
		newAcct := payment.AccountInput{IBAN: "DE89 3704 0044 0532 0130 00", Holder: "Anna Testi"}
		pre, err := svc.PreviewAccount(ctx, a, newAcct)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ChangeAccount(ctx, a, newAcct, pre.OldToken); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2024, 3, 26, 10, 0, 0, 0, time.UTC) }
		u := payment.Benefit{PersonID: me.ID, Kind: "unemployment", AmountCents: 3767, IBAN: "DE89370400440532013000", Starts: civil.New(2024, 3, 14)}
		if err := db.AddBenefit(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FileReport(ctx, a, u.ID, payment.ReportInput{Hours: 8, IncomeCents: 10000, SickDays: 1}); err != nil {
			t.Fatal(err)
		}
		nobody := customer.Person{GivenName: "Testi", FamilyName: "Tyhjä", Lang: "fi"}
		if err := db.CreatePerson(ctx, &nobody); err != nil {
			t.Fatal(err)
		}

		for _, c := range []struct {
			name   string
			id     string
			filled bool // every list has rows
		}{{"everything", me.ID, true}, {"payments only", other.ID, false}, {"nothing", nobody.ID, false}} {
			t.Run(c.name, func(t *testing.T) {
				for _, claims := range []bool{false, true} {
					got, err := db.Payment().OverviewOf(ctx, c.id, claims)
					if err != nil {
						t.Fatal(err)
					}
					want := separateOverview(t, db, c.id, claims)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("OverviewOf(claims %v) =\n%+v\nthe separate reads =\n%+v", claims, got, want)
					}
				}
				got, _ := db.Payment().OverviewOf(ctx, c.id, true)
				if c.filled && (len(got.Payments) == 0 || len(got.Benefits) == 0 || len(got.Reports) == 0 ||
					len(got.Returns) == 0 || len(got.Accounts) == 0) {
					t.Errorf("a list is empty, so the comparison shows little: %+v", got)
				}
				for _, p := range got.Payments {
					if p.PersonID != c.id {
						t.Errorf("another customer's payment %+v", p)
					}
				}
			})
		}
		// The page reads it through the service: still the same overview.
		o, err := svc.Payments(ctx, a)
		if err != nil || len(o.Past) == 0 || len(o.Returns) != 1 || len(o.Accounts) != 1 || len(o.Reports) != 1 || len(o.NextReports) != 1 {
			t.Errorf("overview = %+v, %v", o, err)
		}
	})
}

// TestClaimsPendingOf: the forecast's one read of a customer's claims
// says which claims wait for a decision exactly as ProposalsOf and
// ExemptionsOf of each claim do: a pending proposal or exemption
// application counts, a decided one does not, and another customer's
// pending application on their own claim does not leak in.
func TestClaimsPendingOf(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC) }
		seedUnits(db)
		svc := recoveryOn(db)
		due := civil.New(2025, 12, 1)
		claim := func(k recovery.Kind) *recovery.Claim {
			return &recovery.Claim{Kind: k, Principal: 50000, DueDate: due, InterestTo: civil.New(2026, 1, 7)}
		}
		proposed, exempting, decided, plain := claim(recovery.Overpayment), claim(recovery.ChildSupport),
			claim(recovery.Overpayment), claim(recovery.Overpayment)
		me := offsetPerson(t, db, 70000, proposed, exempting, decided, plain)
		theirs := claim(recovery.Overpayment)
		other := offsetPerson(t, db, 70000, theirs)
		plan := recovery.PlanRequest{MonthlyCents: 5000, FirstDue: civil.New(2026, 2, 20)}
		for _, c := range []*recovery.Claim{proposed, decided, theirs} {
			if _, err := svc.ProposePlan(ctx, access.AsCustomer(c.PersonID), c.ID, plan, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.ApplyExemption(ctx, access.AsCustomer(me.ID), exempting.ID, recovery.ExemptionRequest{
			Kind: recovery.ExemptStateShare, MonthlyIncomeCents: 90000, Children: 2, From: civil.New(2025, 10, 1), Reason: "Out of work."}); err != nil {
			t.Fatal(err)
		}
		ps, err := db.Recovery().ProposalsOf(ctx, me.ID, decided.ID)
		if err != nil || len(ps) != 1 {
			t.Fatal(ps, err)
		}
		if _, err := svc.DecidePlan(ctx, specialist, ps[0].ID, true, ""); err != nil {
			t.Fatal(err)
		}

		for _, who := range []customer.Person{me, other} {
			cs, pending, err := db.Recovery().ClaimsPendingOf(ctx, who.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.Recovery().ClaimsOf(ctx, who.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cs, want) {
				t.Errorf("%s: claims =\n%+v\nClaimsOf =\n%+v", who.FamilyName, cs, want)
			}
			wantPending := map[string]bool{}
			for _, c := range want {
				ps, err := db.Recovery().ProposalsOf(ctx, who.ID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				xs, err := db.Recovery().ExemptionsOf(ctx, who.ID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range ps {
					if p.Status == recovery.Pending {
						wantPending[c.ID] = true
					}
				}
				for _, x := range xs {
					if x.Status == recovery.Pending {
						wantPending[c.ID] = true
					}
				}
			}
			if !reflect.DeepEqual(pending, wantPending) {
				t.Errorf("%s: pending = %v, want %v", who.FamilyName, pending, wantPending)
			}
			// The payments page reads them with the payments, the same.
			o, err := db.Payment().OverviewOf(ctx, who.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o.Claims, cs) || !reflect.DeepEqual(o.Pending, pending) {
				t.Errorf("%s: OverviewOf's claims =\n%+v %v\nClaimsPendingOf =\n%+v %v", who.FamilyName, o.Claims, o.Pending, cs, pending)
			}
			if want := separateOverview(t, db, who.ID, true); !reflect.DeepEqual(o, want) || len(o.Benefits) != 1 {
				t.Errorf("%s: OverviewOf =\n%+v\nthe separate reads =\n%+v", who.FamilyName, o, want)
			}
		}
		cs, pending, _ := db.Recovery().ClaimsPendingOf(ctx, me.ID)
		if want := map[string]bool{proposed.ID: true, exempting.ID: true}; len(cs) != 4 || !reflect.DeepEqual(pending, want) {
			t.Errorf("mine: %d claims, pending %v; want 4, %v", len(cs), pending, want)
		}
	})
}

// TestMyPaymentsSameAsSeparateReads: the payments page (one read of the
// repository, the forecast over the claims read with it) shows what the
// overview and the forecast read on their own (Payments, then Coming
// through recovery.PlannedOffsets) show: an offset from a coming pension
// for an overdue claim, none for a claim with a plan proposal waiting,
// none for a customer without claims.
func TestMyPaymentsSameAsSeparateReads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rec, svc := offsetServices(db)
		due := civil.New(2025, 12, 1)
		overdue := &recovery.Claim{Kind: recovery.Overpayment, Principal: 50000, DueDate: due, InterestTo: civil.New(2026, 1, 7)}
		older := &recovery.Claim{Kind: recovery.Overpayment, Principal: 900, DueDate: due.AddDays(-30), InterestTo: civil.New(2026, 1, 7)}
		a := offsetPerson(t, db, 70000, overdue, older)
		waiting := &recovery.Claim{Kind: recovery.Overpayment, Principal: 50000, DueDate: due, InterestTo: civil.New(2026, 1, 7)}
		b := offsetPerson(t, db, 70000, waiting)
		if _, err := rec.ProposePlan(ctx, access.AsCustomer(b.ID), waiting.ID,
			recovery.PlanRequest{MonthlyCents: 5000, FirstDue: civil.New(2026, 2, 20)}, ""); err != nil {
			t.Fatal(err)
		}
		c := offsetPerson(t, db, 70000)
		for _, x := range []struct {
			name      string
			who       customer.Person
			anyOffset bool
		}{{"overdue claims", a, true}, {"a plan proposed", b, false}, {"no claims", c, false}} {
			t.Run(x.name, func(t *testing.T) {
				me := access.AsCustomer(x.who.ID)
				got, err := svc.MyPayments(ctx, me)
				if err != nil {
					t.Fatal(err)
				}
				o, err := svc.Payments(ctx, me)
				if err != nil {
					t.Fatal(err)
				}
				coming, err := svc.Coming(ctx, me, o)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Overview, o) || !reflect.DeepEqual(got.Coming, coming) {
					t.Errorf("MyPayments =\n%+v\nPayments and Coming =\n%+v\n%+v", got, o, coming)
				}
				if len(got.Coming) == 0 || got.AnyOffset != x.anyOffset {
					t.Errorf("%d coming, any offset %v; want some, %v", len(got.Coming), got.AnyOffset, x.anyOffset)
				}
			})
		}
	})
}
