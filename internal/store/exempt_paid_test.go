package store_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestExemptInterestPaidMovesToPrincipal: interest of the exempt period
// that the customer had already paid through the bank is no longer
// interest once the exemption is approved — the payment counts towards
// the principal, the history names the decision, and the bank payment's
// allocation moves with it (ForEachDB's invariants hold the claim's paid
// parts to the bank payments' allocations), on both databases.
func TestExemptInterestPaidMovesToPrincipal(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, loan, svc, me := studentLoanOf1000(t, db)

		at(db, civil.New(2026, 5, 1))
		_, err := svc.Collect(ctx, collector, civil.New(2026, 5, 1))
		lMust(t, err)
		c, err := svc.Claim(ctx, me, loan.ID)
		lMust(t, err)
		interest := c.Claim.Interest
		// She pays exactly the interest charged so far.
		file := camt(t, creditor.String(), iso20022.Entry{AmountCents: interest, AcctSvcrRef: "ARCH-X", BookingDate: "2026-05-01", ValueDate: "2026-05-01",
			Transactions: []iso20022.Transaction{{AmountCents: interest, Reference: c.Claim.Reference.String(), ReferenceType: "SCOR"}}})
		_, err = svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "x.xml", SHA256: sum(file)}, bytes.NewReader(file))
		lMust(t, err)

		at(db, civil.New(2026, 6, 10))
		_, err = svc.Collect(ctx, collector, civil.New(2026, 6, 10))
		lMust(t, err)
		x, err := svc.ApplyExemption(ctx, me, loan.ID, recovery.ExemptionRequest{Kind: recovery.ExemptInterest, MonthlyIncomeCents: 90000,
			From: civil.New(2026, 3, 1), Reason: "Low income."})
		lMust(t, err)
		_, err = svc.DecideExemption(ctx, manager, x.ID, true, "exemption.reason.granted")
		lMust(t, err)

		after, err := svc.Claim(ctx, me, loan.ID)
		lMust(t, err)
		var moved recovery.Event
		for _, e := range after.Events {
			if e.Kind == recovery.EventInterestToPrincipal {
				moved = e
			}
		}
		// 1.3.–1.5. (both days) at 4 % on 1,000 €: 62 days, 6.79 €.
		if moved.Cents != loanInterest(100000, 62) || moved.Note != "recovery.event.exempt_paid_interest" {
			t.Fatalf("the move = %+v (want %d); history %+v", moved, loanInterest(100000, 62), after.Events)
		}
		cl := after.Claim
		if cl.Paid.Principal != moved.Cents || cl.Paid.Interest != interest-moved.Cents || cl.Paid.Total() != interest ||
			cl.Balance() != 100000-moved.Cents {
			t.Errorf("claim after the decision: %+v (balance %d)", cl, cl.Balance())
		}
		if n := count(t, db, `SELECT count(*) FROM bank_entries WHERE claim_id = $1 AND alloc_principal = $2 AND alloc_interest = $3`,
			loan.ID, moved.Cents, interest-moved.Cents); n != 1 {
			t.Errorf("the bank payment's allocation did not move (%d rows)", n)
		}
	})
}

// TestCustomerSeesInterestToToday: the collection charges interest
// monthly, so what it stored can be weeks behind; the customer's claims
// and claim page count it up to today without writing it, and the
// payment details ask for that amount.
func TestCustomerSeesInterestToToday(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p, loan, svc, me := studentLoanOf1000(t, db)

		at(db, civil.New(2026, 3, 16))
		page, err := svc.Claim(ctx, me, loan.ID)
		lMust(t, err)
		// 16.1.–16.3. at 4 % on 1,000 €: 60 days.
		if c := page.Claim; c.Interest != loanInterest(100000, 60) || c.InterestTo != civil.New(2026, 3, 16) {
			t.Errorf("claim page: interest %d to %s; want %d to 2026-03-16", c.Interest, c.InterestTo, loanInterest(100000, 60))
		}
		cs, err := svc.Claims(ctx, me)
		lMust(t, err)
		if len(cs) != 1 || cs[0].Balance() != 100000+loanInterest(100000, 60) {
			t.Errorf("claims: %+v", cs)
		}
		stored, _, err := db.Recovery().ClaimOf(ctx, p.ID, loan.ID)
		lMust(t, err)
		if stored.Interest != 0 || !stored.InterestTo.IsZero() {
			t.Errorf("reading wrote interest: %d to %s", stored.Interest, stored.InterestTo)
		}
	})
}

// studentLoanOf1000 is Maija's 1,000 € student loan debt due 15.1.2026,
// created on 2.1.2026, and the recovery service she reads it through.
func studentLoanOf1000(t *testing.T, db *store.DB) (customer.Person, recovery.Claim, *recovery.Service, access.Actor) {
	t.Helper()
	ctx := context.Background()
	at(db, civil.New(2026, 1, 2))
	p := customer.Person{HETU: "010403A998U", GivenName: "Maija", FamilyName: "M"}
	lMust(t, db.CreatePerson(ctx, &p))
	loan := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: civil.New(2026, 1, 15)}
	lMust(t, db.CreateClaim(ctx, &loan))
	return p, loan, recoveryOn(db), access.AsCustomer(p.ID)
}
