package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

var creditor = iban.MustParse("FI37 1590 3000 0007 76")

// camt writes a camt.054 to our account with the entries.
func camt(t testing.TB, account string, entries ...iso20022.Entry) []byte {
	t.Helper()
	for i := range entries {
		if entries[i].AccountIBAN == "" {
			entries[i].AccountIBAN = account
		}
		if entries[i].Currency == "" {
			entries[i].Currency = "EUR"
		}
		if entries[i].Status == "" {
			entries[i].Status = iso20022.StatusBooked
		}
		if entries[i].CreditDebit == "" {
			entries[i].CreditDebit = iso20022.Credit
		}
	}
	var buf bytes.Buffer
	h := iso20022.Header{Message: iso20022.Camt054, MessageID: "MSG-1", CreatedAt: time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC), AccountIBAN: account, Currency: "EUR"}
	if err := iso20022.WriteCamt054(&buf, h, slices.Values(entries)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func credit(cents int64, ref, archive string) iso20022.Entry {
	return iso20022.Entry{AmountCents: cents, AcctSvcrRef: archive, BookingDate: "2026-03-03", ValueDate: "2026-03-03",
		Transactions: []iso20022.Transaction{{AmountCents: cents, Reference: ref, ReferenceType: "SCOR"}}}
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestRecoveryPlanAndBankFile(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }
		p := customer.Person{HETU: "010403A998U", GivenName: "Maija", FamilyName: "M"}
		other := customer.Person{HETU: "100871-998D", GivenName: "Matti", FamilyName: "V"}
		for _, x := range []*customer.Person{&p, &other} {
			if err := db.CreatePerson(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		c := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: civil.New(2026, 3, 31)}
		if err := db.CreateClaim(ctx, &c); err != nil {
			t.Fatal(err)
		}
		c2 := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 5000, DueDate: civil.New(2026, 3, 31)}
		db.CreateClaim(ctx, &c2)
		if c.Number != 1 || c2.Number != 2 || c.Reference == c2.Reference {
			t.Fatalf("numbers %d %d refs %s %s", c.Number, c2.Number, c.Reference, c2.Reference)
		}
		if _, _, err := db.Recovery().ClaimOf(ctx, other.ID, c.ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("another customer's claim: %v; want NotFound", err)
		}
		svc := recoveryOn(db)
		plan := recovery.PlanRequest{MonthlyCents: 10000, FirstDue: civil.New(2026, 3, 20)}
		pr, err := svc.ProposePlan(ctx, access.AsCustomer(p.ID), c.ID, plan, "please")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ProposePlan(ctx, access.AsCustomer(p.ID), c.ID, plan, ""); !fault.Is(err, fault.Conflict) {
			t.Errorf("second pending proposal: %v; want Conflict", err)
		}
		if _, err := svc.ProposePlan(ctx, access.AsCustomer(other.ID), c.ID, plan, ""); !fault.Is(err, fault.NotFound) {
			t.Errorf("proposal on another's claim: %v; want NotFound", err)
		}
		queue, _ := db.Recovery().PendingProposals(ctx, 10)
		if len(queue) != 1 || queue[0].PersonName != "Maija M" {
			t.Fatalf("queue = %+v", queue)
		}
		if _, err := svc.DecidePlan(ctx, specialist, pr.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DecidePlan(ctx, specialist, pr.ID, false, "plan.reject.other"); !fault.Is(err, fault.Conflict) {
			t.Errorf("deciding twice: %v", err)
		}
		got, _, _ := db.Recovery().ClaimOf(ctx, p.ID, c.ID)
		if got.Status != recovery.InPlan || got.Plan == nil || got.Plan.Months() != 10 {
			t.Fatalf("after approval: %+v", got)
		}

		rf := viite.RFFromNational(c2.Reference).String()
		file := camt(t, creditor.String(),
			credit(10000, c.Reference.String(), "ARCH-1"),  // first instalment
			credit(5000, rf, "ARCH-2"),                     // RF reference pays c2 in full
			credit(700, "11112", "ARCH-3"),                 // valid but unknown reference
			credit(999999, c.Reference.String(), "ARCH-4"), // more than the balance
			credit(100, "", "ARCH-5"),                      // no reference
			iso20022.Entry{AmountCents: 300, CreditDebit: iso20022.Debit, AcctSvcrRef: "ARCH-6", BookingDate: "2026-03-03",
				Transactions: []iso20022.Transaction{{AmountCents: 300}}},
		)
		rep, err := svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "a.xml", SHA256: sum(file)}, bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Booked != 2 || rep.Queued != 3 || rep.Refused != 1 || rep.BookedCents != 15000 {
			t.Fatalf("report = %+v", rep)
		}
		reasons := map[string]bool{}
		for _, l := range rep.Lines {
			reasons[l.Reason] = true
		}
		for _, r := range []string{recovery.ReasonUnknownRef, recovery.ReasonOverBalance, recovery.ReasonNoReference, recovery.ReasonDebit} {
			if !reasons[r] {
				t.Errorf("report lacks %s: %+v", r, rep.Lines)
			}
		}
		got, evs, _ := db.Recovery().ClaimOf(ctx, p.ID, c.ID)
		if got.Balance() != 90000 || evs[len(evs)-1].Kind != recovery.EventPayment {
			t.Errorf("after the payment: balance %d, history %+v", got.Balance(), evs)
		}
		got2, _, _ := db.Recovery().ClaimOf(ctx, p.ID, c2.ID)
		if got2.Status != recovery.Paid || got2.Balance() != 0 {
			t.Errorf("c2 after full payment: %+v", got2)
		}

		// The same file again books nothing.
		if _, err := svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "a.xml", SHA256: sum(file)}, bytes.NewReader(file)); !fault.Is(err, fault.Conflict) {
			t.Errorf("same file twice: %v; want Conflict", err)
		}
		// A different file reporting the same payment again: recorded as
		// reported again, booked once, nothing for staff.
		again := camt(t, creditor.String(), credit(10000, c.Reference.String(), "ARCH-1"))
		rep, err = svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "b.xml", SHA256: sum(again)}, bytes.NewReader(again))
		if err != nil || rep.Booked != 0 || rep.Queued != 0 || rep.ReportedAgain != 1 {
			t.Errorf("the same payment again: %+v %v", rep, err)
		}
		// A file for another account, or one cut short, books nothing.
		foreign := camt(t, "FI2112345600000785", credit(10000, c.Reference.String(), "ARCH-9"))
		if _, err := svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "c.xml", SHA256: sum(foreign)}, bytes.NewReader(foreign)); fault.KeyOf(err) != "bank.error.account" {
			t.Errorf("foreign account: %v", err)
		}
		good := camt(t, creditor.String(), credit(10000, c.Reference.String(), "ARCH-10"), credit(10000, c.Reference.String(), "ARCH-11"))
		cut := good[:bytes.LastIndex(good, []byte("<Ntry>"))+40]
		_, err = svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "d.xml", SHA256: sum(cut)}, bytes.NewReader(cut))
		if fault.KeyOf(err) != "bank.error.file" {
			t.Errorf("truncated file: %v", err)
		}
		got, _, _ = db.Recovery().ClaimOf(ctx, p.ID, c.ID)
		if got.Balance() != 90000 {
			t.Errorf("a refused file changed the balance to %d", got.Balance())
		}
		q, err := db.Recovery().QueuedEntries(ctx, 100)
		// Unknown reference, over the balance, no reference; the payment
		// reported again needs nobody.
		if err != nil || len(q) != 3 {
			t.Errorf("queued entries = %d %v", len(q), err)
		}
	})
}

// A payment on a student loan debt meets the interest accrued up to its
// value date first: 1 000 € at 4 % for 365 days is 40 €.
func TestPaymentMeetsAccruedInterest(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := customer.Person{HETU: "010403A998U", GivenName: "Maija", FamilyName: "M"}
		db.CreatePerson(ctx, &p)
		c := recovery.Claim{PersonID: p.ID, Kind: recovery.StudentLoan, Principal: 100000, DueDate: civil.New(2025, 1, 1)}
		if err := db.CreateClaim(ctx, &c); err != nil {
			t.Fatal(err)
		}
		e := credit(10000, c.Reference.String(), "INT-1")
		e.ValueDate, e.BookingDate = "2026-01-01", "2026-01-01"
		file := camt(t, creditor.String(), e)
		rep, err := recoveryOn(db).ImportStatement(ctx, cli, recovery.StatementFile{Name: "i.xml", SHA256: sum(file)}, bytes.NewReader(file))
		if err != nil || rep.Booked != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		got, evs, _ := db.Recovery().ClaimOf(ctx, p.ID, c.ID)
		if got.Interest != 4000 || got.Paid.Interest != 4000 || got.Paid.Principal != 6000 || got.Balance() != 94000 {
			t.Errorf("claim after the payment: interest %d, paid %+v, balance %d", got.Interest, got.Paid, got.Balance())
		}
		if n := len(evs); n < 3 || evs[n-2].Kind != recovery.EventInterestAccrued || evs[n-1].Kind != recovery.EventPayment {
			t.Errorf("history = %+v", evs)
		}
	})
}
