package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
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
		exMust(t, db.CreatePerson(ctx, &p))
		exMust(t, db.CreatePerson(ctx, &other))
		cs := recovery.Claim{PersonID: p.ID, Kind: recovery.ChildSupport, Principal: 85000, DueDate: civil.New(2026, 12, 20)}
		ov := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 5000, DueDate: civil.New(2026, 12, 20)}
		exMust(t, db.CreateClaim(ctx, &cs))
		exMust(t, db.CreateClaim(ctx, &ov))
		svc := recoveryOn(db)
		req := recovery.ExemptionRequest{Kind: recovery.ExemptStateShare, MonthlyIncomeCents: 90000, Children: 2, From: civil.New(2026, 9, 1), Reason: "Out of work."}
		if _, err := svc.ApplyExemption(ctx, access.AsCustomer(other.ID), cs.ID, req); !fault.Is(err, fault.NotFound) {
			t.Errorf("another's claim: %v", err)
		}
		if _, err := svc.ApplyExemption(ctx, access.AsCustomer(p.ID), ov.ID, req); fault.KeyOf(err) != "exemption.error.kind" || !fault.Is(err, fault.Invalid) {
			t.Errorf("an overpayment: %v", err)
		}
		bad := req
		bad.From = civil.New(2024, 11, 1)
		if _, err := svc.ApplyExemption(ctx, access.AsCustomer(p.ID), cs.ID, bad); fault.KeyOf(err) != "exemption.error.from_past" {
			t.Errorf("two years back: %v", err)
		}
		x, err := svc.ApplyExemption(ctx, access.AsCustomer(p.ID), cs.ID, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ApplyExemption(ctx, access.AsCustomer(p.ID), cs.ID, req); !fault.Is(err, fault.Conflict) || fault.KeyOf(err) != "exemption.error.pending" {
			t.Errorf("second pending: %v", err)
		}
		q, err := db.Recovery().PendingExemptions(ctx, 10)
		if err != nil || len(q) != 1 || q[0].PersonName != "Johan K" || q[0].Request != req || q[0].ClaimKind != recovery.ChildSupport {
			t.Fatalf("queue = %+v %v", q, err)
		}
		if _, err := svc.DecideExemption(ctx, specialist, "no-such-id", false, "exemption.reason.no_grounds"); !fault.Is(err, fault.NotFound) {
			t.Errorf("deciding an unknown application: %v", err)
		}
		if _, err := svc.DecideExemption(ctx, specialist, x.ID, false, "exemption.reason.income_over"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DecideExemption(ctx, specialist, x.ID, true, "exemption.reason.granted"); !fault.Is(err, fault.Conflict) {
			t.Errorf("deciding twice: %v", err)
		}
		mine, err := db.Recovery().ExemptionsOf(ctx, p.ID, cs.ID)
		if err != nil || len(mine) != 1 || mine[0].Status != recovery.Rejected || mine[0].ReasonKey != "exemption.reason.income_over" ||
			mine[0].DecidedBy != "staff-1" || mine[0].DecidedAt.IsZero() {
			t.Errorf("after the decision: %+v %v", mine, err)
		}
		if theirs, _ := db.Recovery().ExemptionsOf(ctx, other.ID, cs.ID); len(theirs) != 0 {
			t.Errorf("another customer sees %d applications", len(theirs))
		}
		if q, _ := db.Recovery().PendingExemptions(ctx, 10); len(q) != 0 {
			t.Errorf("a decided application is still queued: %+v", q)
		}

		// Decided, the claim takes a new application; the newest comes first.
		req.Reason = "Still out of work."
		y, err := svc.ApplyExemption(ctx, access.AsCustomer(p.ID), cs.ID, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DecideExemption(ctx, manager, y.ID, true, "exemption.reason.granted"); err != nil {
			t.Fatal(err)
		}
		if mine, _ := db.Recovery().ExemptionsOf(ctx, p.ID, cs.ID); len(mine) != 2 || mine[0].ID != y.ID || mine[0].Status != recovery.Approved {
			t.Errorf("newest first: %+v", mine)
		}

		entries, err := db.AuditForSubject(ctx, p.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range entries {
			count[e.Action]++
			if e.Action == "recovery.exemption_rejected" && (e.ActorID != "staff-1" || e.Detail != "exemption.reason.income_over" || e.Object != "claim:"+cs.ID) {
				t.Errorf("rejection audited as %+v", e)
			}
		}
		if count["recovery.exemption_applied"] != 2 || count["recovery.exemption_rejected"] != 1 || count["recovery.exemption_approved"] != 1 {
			t.Errorf("audit = %v", count)
		}
	})
}

// Just after midnight in Helsinki it is still yesterday in UTC: an
// application from today, Finnish time, is not in the future.
func TestExemptionFinnishToday(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 21, 22, 30, 0, 0, time.UTC) } // 00.30 on 22.11. in Helsinki
		p := customer.Person{HETU: "010403A998U", GivenName: "Maija", FamilyName: "M"}
		exMust(t, db.CreatePerson(ctx, &p))
		sl := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 234000, DueDate: civil.New(2026, 12, 20)}
		exMust(t, db.CreateClaim(ctx, &sl))
		req := recovery.ExemptionRequest{Kind: recovery.ExemptInterest, MonthlyIncomeCents: 120000, Children: 1, From: civil.New(2026, 11, 22), Reason: "Low income."}
		if _, err := recoveryOn(db).ApplyExemption(ctx, access.AsCustomer(p.ID), sl.ID, req); err != nil {
			t.Errorf("from today in Helsinki: %v", err)
		}
	})
}

func exMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
