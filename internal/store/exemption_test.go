package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestExemptions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }
		p := customer.Person{HETU: "241198-998U", GivenName: "Johan", FamilyName: "K"}
		other := customer.Person{HETU: "100871-998D", GivenName: "Matti", FamilyName: "V"}
		db.CreatePerson(ctx, &p)
		db.CreatePerson(ctx, &other)
		cs := recovery.Claim{PersonID: p.ID, Kind: recovery.ChildSupport, Principal: 85000, DueDate: civil.New(2026, 12, 20)}
		ov := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 5000, DueDate: civil.New(2026, 12, 20)}
		db.CreateClaim(ctx, &cs)
		db.CreateClaim(ctx, &ov)
		req := recovery.ExemptionRequest{Kind: recovery.ExemptStateShare, MonthlyIncomeCents: 90000, Children: 2, From: civil.New(2026, 9, 1), Reason: "Out of work."}
		if _, err := db.ApplyExemption(ctx, other.ID, cs.ID, req); !fault.Is(err, fault.NotFound) {
			t.Errorf("another's claim: %v", err)
		}
		if _, err := db.ApplyExemption(ctx, p.ID, ov.ID, req); fault.KeyOf(err) != "exemption.error.kind" {
			t.Errorf("an overpayment: %v", err)
		}
		x, err := db.ApplyExemption(ctx, p.ID, cs.ID, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyExemption(ctx, p.ID, cs.ID, req); !fault.Is(err, fault.Conflict) {
			t.Errorf("second pending: %v", err)
		}
		q, err := db.PendingExemptions(ctx, 10)
		if err != nil || len(q) != 1 || q[0].PersonName != "Johan K" || q[0].Request != req {
			t.Fatalf("queue = %+v %v", q, err)
		}
		if err := db.DecideExemption(ctx, "staff-1", x.ID, false, "exemption.reject.income"); err != nil {
			t.Fatal(err)
		}
		if err := db.DecideExemption(ctx, "staff-1", x.ID, true, ""); !fault.Is(err, fault.Conflict) {
			t.Errorf("deciding twice: %v", err)
		}
		mine, _ := db.ExemptionsOf(ctx, p.ID, cs.ID)
		if len(mine) != 1 || mine[0].Status != store.ProposalRejected || mine[0].ReasonKey != "exemption.reject.income" || mine[0].DecidedAt.IsZero() {
			t.Errorf("after the decision: %+v", mine)
		}
	})
}
