package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestClaimPeriodRoundTrip: the period a claim concerns is stored when the
// claim is created and read back by every read of claims (the customer's
// claim, the staff's 360 view, the lock taken to change it) and by the
// letter of the decision that started it; a claim without one reads back
// without one; a period whose last day is before its first is refused
// with its message and stores nothing, and the database refuses it too
// when the service is passed by.
func TestClaimPeriodRoundTrip(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) }
		p := customer.Person{HETU: "100871-998D", GivenName: "Matti", FamilyName: "V"}
		if err := db.CreatePerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		svc := recoveryOn(db)
		from, to := civil.New(2026, 3, 1), civil.New(2026, 8, 31)
		cs := []recovery.Claim{
			{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 120000, DueDate: civil.New(2026, 12, 31),
				BenefitKey: "housing_allowance", DecisionID: "D-2026-14", PeriodFrom: from, PeriodTo: to},
			{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 5000, DueDate: civil.New(2026, 12, 31)},
		}
		if _, err := svc.CreateClaims(ctx, cli, cs); err != nil {
			t.Fatal(err)
		}
		want := map[string][2]civil.Date{cs[0].ID: {from, to}, cs[1].ID: {}}
		check := func(where string, c recovery.Claim) {
			t.Helper()
			w, ok := want[c.ID]
			if !ok {
				return
			}
			if c.PeriodFrom != w[0] || c.PeriodTo != w[1] {
				t.Errorf("%s: claim %s period %s–%s, want %s–%s", where, c.Kind, c.PeriodFrom, c.PeriodTo, w[0], w[1])
			}
		}
		for _, c := range cs {
			got, _, err := db.Recovery().ClaimOf(ctx, p.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			check("ClaimOf", got)
			if err := db.Recovery().InTx(ctx, func(tx recovery.Tx) error {
				got, err := tx.ClaimForUpdate(ctx, c.ID)
				check("ClaimForUpdate", got)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		mine, err := db.Recovery().ClaimsOf(ctx, p.ID)
		if err != nil || len(mine) != 2 {
			t.Fatalf("ClaimsOf = %d, %v", len(mine), err)
		}
		for _, c := range mine {
			check("ClaimsOf", c)
		}
		if err := db.Desk().InTx(ctx, func(tx desk.Tx) error {
			view, err := tx.ClaimsOf(ctx, p.ID, 10)
			for _, c := range view {
				check("360 view", c)
			}
			if len(view) != 2 {
				t.Errorf("the 360 view lists %d claims", len(view))
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		letters, err := svc.Letters(ctx, access.AsCustomer(p.ID), cs[0].ID)
		if err != nil || len(letters) != 1 {
			t.Fatalf("letters = %+v, %v", letters, err)
		}
		if l := letters[0]; l.Kind != recovery.LetterRecoveryStarted || l.PeriodFrom != from || l.PeriodTo != to {
			t.Errorf("the started letter's period %s–%s, want %s–%s", l.PeriodFrom, l.PeriodTo, from, to)
		}

		// Refused: by the service with the rule's message, nothing
		// stored; by the database when the service is passed by.
		bad := []recovery.Claim{
			{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 100, DueDate: civil.New(2026, 12, 31)},
			{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 100, DueDate: civil.New(2026, 12, 31), PeriodFrom: to, PeriodTo: from},
		}
		if _, err := svc.CreateClaims(ctx, cli, bad); !fault.Is(err, fault.Invalid) || fault.KeyOf(err) != "recovery.error.period_order" {
			t.Errorf("a period ending before it starts: %v", err)
		}
		if mine, _ := db.Recovery().ClaimsOf(ctx, p.ID); len(mine) != 2 {
			t.Errorf("%d claims after the refused batch, want 2", len(mine))
		}
		for _, c := range []recovery.Claim{
			{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 100, DueDate: civil.New(2026, 12, 31), PeriodFrom: to, PeriodTo: from},
			{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 100, DueDate: civil.New(2026, 12, 31), PeriodFrom: from},
		} {
			if err := db.CreateClaim(ctx, &c); err == nil {
				t.Errorf("the database took the period %s–%s", c.PeriodFrom, c.PeriodTo)
			}
		}
	})
}
