package customer_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var (
	anna  = access.AsStaff("demo-staff-anna", "recovery", "specialist")
	kaisa = access.AsStaff("demo-staff-kaisa", "international", "specialist")
	pekka = access.AsStaff("demo-staff-pekka", "recovery", "manager")
	olli  = access.AsStaff("demo-staff-olli", "shared-services", "operations")
	// Kaisa moved to a unit without the permission.
	kaisaMoved = access.AsStaff("demo-staff-kaisa", "communications", "specialist")
)

// seeded is a database with the demo people (with verified e-mail notice
// choices) and one eIDAS identity not linked yet; it returns the identity's
// person ID and Matti's identity code and ID.
func seeded(t *testing.T, db *store.DB) (ctx context.Context, eidasID string, code hetu.Code, mattiID string) {
	t.Helper()
	ctx = context.Background()
	units, contacts, _ := org.Reference()
	if err := db.SeedReference(ctx, units, contacts); err != nil {
		t.Fatal(err)
	}
	d, err := demo.Set()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	p := customer.Person{EIDASCountry: "EE", EIDASID: "EE/FI/49001010099", GivenName: "Kati", FamilyName: "Tamm",
		BirthDate: civil.New(1990, 1, 1), Lang: "en"}
	if err := db.CreatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	code, _ = hetu.Parse("100871-998D")
	matti, err := db.PersonByHETU(ctx, code.String())
	if err != nil {
		t.Fatal(err)
	}
	return ctx, p.ID, code, matti.ID
}

func wantKind(t *testing.T, what string, err error, k fault.Kind) {
	t.Helper()
	if fault.KindOf(err) != k {
		t.Errorf("%s: %v (%s); want %s", what, err, fault.KindOf(err), k)
	}
}

// linkedTo is the person the identity's next sign-in acts for ("" for
// itself), as sign-in reads it.
func linkedTo(t *testing.T, db *store.DB, eidasID string) string {
	t.Helper()
	p, err := db.PersonByID(context.Background(), eidasID)
	if err != nil {
		t.Fatal(err)
	}
	var linked string
	err = db.InSignInTx(context.Background(), func(tx auth.SignInTx) error {
		_, linked, err = tx.PersonForIdentity(context.Background(), auth.Identity{Kind: auth.EIDAS, EIDASCountry: p.EIDASCountry, EIDASID: p.EIDASID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return linked
}

func mustLinks(t *testing.T, db *store.DB, st customer.LinkStatus) []customer.Link {
	t.Helper()
	ls, err := db.Customers().Links(context.Background(), st, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func notices(t *testing.T, db *store.DB) []outbox.Item {
	t.Helper()
	items, err := db.ClaimOutbox(context.Background(), "test-peek", 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func auditActions(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	n := map[string]int{}
	if err := db.Scan(context.Background(), func(e audit.Entry) error { n[e.Action]++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFourEyesLinking: a proposal changes nothing; the proposer cannot
// approve it; staff without the permission cannot propose, approve, withdraw
// or undo; a second permitted person's approval links, tells the customer
// and is audited; undoing needs a reason, unlinks and tells the customer.
func TestFourEyesLinking(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx, eidasID, code, mattiID := seeded(t, db)
		s := customer.NewService(db.Customers(), nil)

		_, err := s.ProposeLink(ctx, olli, eidasID, code, "passport seen")
		wantKind(t, "operations staff proposing", err, fault.Forbidden)
		_, err = s.ProposeLink(ctx, access.AsCustomer(mattiID), eidasID, code, "me")
		wantKind(t, "a customer proposing", err, fault.Forbidden)
		_, err = s.ProposeLink(ctx, anna, eidasID, code, "   ")
		wantKind(t, "empty reason", err, fault.Invalid)
		if fault.FieldOf(err) != "reason" {
			t.Errorf("empty reason on field %q", fault.FieldOf(err))
		}
		unknown, _ := hetu.Parse("131052-308T")
		_, err = s.ProposeLink(ctx, anna, eidasID, unknown, "passport seen")
		wantKind(t, "unknown identity code", err, fault.Invalid)

		l, err := s.ProposeLink(ctx, anna, eidasID, code, "Passport and Estonian ID card seen at the Tallinn office")
		if err != nil {
			t.Fatal(err)
		}
		if got := linkedTo(t, db, eidasID); got != "" {
			t.Fatalf("a proposal linked the identity to %s", got)
		}
		_, err = s.ProposeLink(ctx, kaisa, eidasID, code, "again")
		wantKind(t, "a second proposal while one waits", err, fault.Conflict)

		_, err = s.ApproveLink(ctx, anna, l.ID)
		wantKind(t, "the proposer approving", err, fault.Forbidden)
		if fault.KeyOf(err) != "eidas.error.own" {
			t.Errorf("own approval key %q", fault.KeyOf(err))
		}
		_, err = s.ApproveLink(ctx, olli, l.ID)
		wantKind(t, "operations staff approving", err, fault.Forbidden)
		_, err = s.ApproveLink(ctx, kaisaMoved, l.ID)
		wantKind(t, "an approver who lost the permission", err, fault.Forbidden)
		if got := linkedTo(t, db, eidasID); got != "" {
			t.Fatalf("refused approvals linked the identity to %s", got)
		}
		q, err := s.LinkQueue(ctx, kaisa)
		if err != nil || len(q.Waiting) != 1 || len(q.Unlinked) != 0 || q.Waiting[0].Target.ID != mattiID || q.Waiting[0].EIDAS.ID != eidasID {
			t.Fatalf("queue with a waiting proposal: %+v, %v", q, err)
		}
		notices(t, db) // the demo's earlier notices, if any

		if _, err := s.ApproveLink(ctx, kaisa, l.ID); err != nil {
			t.Fatal(err)
		}
		if got := linkedTo(t, db, eidasID); got != mattiID {
			t.Fatalf("after approval linked to %q; want Matti", got)
		}
		_, err = s.ApproveLink(ctx, pekka, l.ID)
		wantKind(t, "approving twice", err, fault.Conflict)
		err = s.WithdrawLink(ctx, pekka, l.ID)
		wantKind(t, "withdrawing an approved link", err, fault.Conflict)
		ns := notices(t, db)
		if len(ns) != 1 || ns[0].Kind != customer.NoticeLinked || ns[0].PersonID != mattiID || ns[0].Channel != outbox.Email {
			t.Fatalf("notices after approval: %+v", ns)
		}

		// Undo: permission and reason needed.
		_, err = s.UndoLink(ctx, olli, l.ID, "wrong person")
		wantKind(t, "operations staff undoing", err, fault.Forbidden)
		_, err = s.UndoLink(ctx, pekka, l.ID, "")
		wantKind(t, "undo without a reason", err, fault.Invalid)
		if _, err := s.UndoLink(ctx, pekka, l.ID, "The customer says the identity is not theirs"); err != nil {
			t.Fatal(err)
		}
		if got := linkedTo(t, db, eidasID); got != "" {
			t.Fatalf("after undo linked to %q", got)
		}
		_, err = s.UndoLink(ctx, pekka, l.ID, "again")
		wantKind(t, "undoing twice", err, fault.Conflict)
		ns = notices(t, db)
		if len(ns) != 1 || ns[0].Kind != customer.NoticeUnlinked || ns[0].PersonID != mattiID {
			t.Fatalf("notices after undo: %+v", ns)
		}

		// The identity waits again; a new proposal can be withdrawn.
		l2, err := s.ProposeLink(ctx, kaisa, eidasID, code, "second look")
		if err != nil {
			t.Fatal(err)
		}
		err = s.WithdrawLink(ctx, olli, l2.ID)
		wantKind(t, "operations staff withdrawing", err, fault.Forbidden)
		if err := s.WithdrawLink(ctx, kaisa, l2.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.ApproveLink(ctx, anna, l2.ID)
		wantKind(t, "approving a withdrawn proposal", err, fault.Conflict)
		if got := linkedTo(t, db, eidasID); got != "" {
			t.Fatalf("after withdrawal linked to %q", got)
		}

		acts := auditActions(t, db)
		for a, n := range map[customer.Action]int{customer.ActionPropose: 4, customer.ActionApprove: 2, customer.ActionUndo: 2, customer.ActionWithdraw: 2} {
			if acts[string(a)] != n {
				t.Errorf("audit has %d × %s; want %d (one for each of the two records)", acts[string(a)], a, n)
			}
		}
	})
}

// TestApproveRace: many staff approve the same proposal at once; exactly
// one approval links, the others see it decided, and one notice is sent.
func TestApproveRace(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx, eidasID, code, mattiID := seeded(t, db)
		s := customer.NewService(db.Customers(), nil)
		l, err := s.ProposeLink(ctx, anna, eidasID, code, "documents seen")
		if err != nil {
			t.Fatal(err)
		}
		notices(t, db)
		approvers := []access.Actor{kaisa, pekka,
			access.AsStaff("staff-x1", "international", "manager"), access.AsStaff("staff-x2", "recovery", "specialist"),
			access.AsStaff("staff-x3", "international", "specialist"), access.AsStaff("staff-x4", "recovery", "manager")}
		var wg sync.WaitGroup
		errs := make([]error, len(approvers))
		start := make(chan struct{})
		for i, a := range approvers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = s.ApproveLink(ctx, a, l.ID)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case fault.KindOf(err) != fault.Conflict:
				t.Errorf("approver %d: %v; want success or Conflict", i, err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d approvals succeeded; want exactly 1", ok)
		}
		if got := linkedTo(t, db, eidasID); got != mattiID {
			t.Errorf("linked to %q", got)
		}
		if ls := mustLinks(t, db, customer.LinkApproved); len(ls) != 1 {
			t.Errorf("%d approved links", len(ls))
		}
		if n := auditActions(t, db)[string(customer.ActionApprove)]; n != 2 {
			t.Errorf("%d approval audit entries; want 2", n)
		}
		if ns := notices(t, db); len(ns) != 1 {
			t.Errorf("%d notices; want 1", len(ns))
		}
	})
}

func TestReason(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"", "", false}, {" \t\n", "", false}, {" seen ", "seen", true},
		{string(make([]rune, customer.MaxReasonRunes+1)), "", false},
	} {
		got, err := customer.Reason(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Reason(%q) = %q, %v", c.in, got, err)
		}
	}
}

func TestCanApprove(t *testing.T) {
	l := customer.Link{Status: customer.LinkProposed, ProposedBy: anna.ID}
	wantKind(t, "own", customer.CanApprove(l, anna), fault.Forbidden)
	wantKind(t, "nobody", customer.CanApprove(l, access.Actor{Kind: access.Staff}), fault.Forbidden)
	if err := customer.CanApprove(l, kaisa); err != nil {
		t.Errorf("another person: %v", err)
	}
	for _, st := range []customer.LinkStatus{customer.LinkApproved, customer.LinkWithdrawn, customer.LinkUndone} {
		l.Status = st
		wantKind(t, string(st), customer.CanApprove(l, kaisa), fault.Conflict)
	}
}
