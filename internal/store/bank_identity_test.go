package store_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// Bank files written the way Finnish banks write them: a day's
// notifications (camt.054) with batch entries itemised, and the statement
// (camt.053) with the same entries as sums. Each case states the claim
// balances it must leave; storetest.ForEachDB checks the money invariants
// after each.

// bankDay is the booking date of the files below.
const bankDay = "2026-03-03"

// notification writes a camt.054 with the entries; each call is a new file
// (its own message ID), even with the same entries.
var fileSeq int

func notification(t testing.TB, entries ...iso20022.Entry) []byte {
	t.Helper()
	fileSeq++
	for i := range entries {
		e := &entries[i]
		if e.AccountIBAN == "" {
			e.AccountIBAN = creditor.String()
		}
		if e.Currency == "" {
			e.Currency = "EUR"
		}
		if e.Status == "" {
			e.Status = iso20022.StatusBooked
		}
		if e.CreditDebit == "" {
			e.CreditDebit = iso20022.Credit
		}
		if e.BookingDate == "" {
			e.BookingDate, e.ValueDate = bankDay, bankDay
		}
		if e.AmountCents == 0 {
			for _, tx := range e.Transactions {
				e.AmountCents += tx.AmountCents
			}
		}
	}
	var buf bytes.Buffer
	h := iso20022.Header{Message: iso20022.Camt054, MessageID: fmt.Sprintf("MSG-%d", fileSeq), CreatedAt: time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC),
		AccountIBAN: creditor.String(), Currency: "EUR"}
	if err := iso20022.WriteCamt054(&buf, h, slices.Values(entries)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// statement is notification written as a camt.053 statement.
func statement(t testing.TB, entries ...iso20022.Entry) []byte {
	b := string(notification(t, entries...))
	b = strings.NewReplacer("camt.054.001.02", "camt.053.001.02", "BkToCstmrDbtCdtNtfctn", "BkToCstmrStmt", "Ntfctn>", "Stmt>").Replace(b)
	return []byte(b)
}

// pays is one itemised payment with its own archive ID.
func pays(cents int64, ref, archive string) iso20022.Transaction {
	return iso20022.Transaction{AmountCents: cents, Reference: ref, ReferenceType: "SCOR", AcctSvcrRef: archive}
}

// batch is an entry of several payments, known to the bank as archive.
func batch(archive string, txs ...iso20022.Transaction) iso20022.Entry {
	return iso20022.Entry{AcctSvcrRef: archive, Transactions: txs}
}

// sum is a statement entry: the total of an entry, without details.
func lump(archive string, cents int64) iso20022.Entry {
	return iso20022.Entry{AcctSvcrRef: archive, AmountCents: cents}
}

type bankFixture struct {
	t      *testing.T
	db     *store.DB
	svc    *recovery.Service
	person customer.Person
	claims []recovery.Claim
}

func newBankFixture(t *testing.T, db *store.DB, n int) *bankFixture {
	t.Helper()
	db.Now = func() time.Time { return time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) }
	f := &bankFixture{t: t, db: db, svc: recoveryOn(db), person: customer.Person{HETU: "010403A998U", GivenName: "Maija", FamilyName: "M"}}
	if err := db.CreatePerson(context.Background(), &f.person); err != nil {
		t.Fatal(err)
	}
	for range n {
		// Overpayments earn no interest: the balances below are exact.
		c := recovery.Claim{PersonID: f.person.ID, Kind: recovery.Overpayment, Principal: 100000, DueDate: civil.New(2026, 4, 1)}
		if err := db.CreateClaim(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		f.claims = append(f.claims, c)
	}
	return f
}

func (f *bankFixture) ref(i int) string { return f.claims[i].Reference.String() }

func (f *bankFixture) load(file []byte) recovery.BankReport {
	f.t.Helper()
	rep, err := f.svc.ImportStatement(context.Background(), cli, recovery.StatementFile{Name: "f.xml"}, bytes.NewReader(file))
	if err != nil {
		f.t.Fatalf("import: %v", err)
	}
	return rep
}

// paid are the claims' paid amounts, in cents.
func (f *bankFixture) paid() []int64 {
	f.t.Helper()
	var out []int64
	for _, c := range f.claims {
		got, _, err := f.db.Recovery().ClaimOf(context.Background(), f.person.ID, c.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, got.Paid.Total())
	}
	return out
}

func (f *bankFixture) queued() []recovery.QueuedEntry {
	f.t.Helper()
	q, err := f.db.Recovery().QueuedEntries(context.Background(), 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return q
}

func TestBankFilesInAnyOrder(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 3)
		// The day's notification: a batch of two payments and a payment of
		// its own.
		day := notification(t,
			batch("B-1", pays(1000, f.ref(0), "T-1"), pays(2000, f.ref(1), "T-2")),
			iso20022.Entry{AcctSvcrRef: "S-3", Transactions: []iso20022.Transaction{pays(3000, f.ref(2), "T-3")}})
		// The same day's statement: the entries as sums, without details.
		stmt := statement(t, lump("B-1", 3000), lump("S-3", 3000))
		want := []int64{1000, 2000, 3000}

		t.Run("notification, then statement", func(t *testing.T) {
			rep := f.load(day)
			if rep.Booked != 3 || rep.BookedCents != 6000 {
				t.Fatalf("notification: %+v", rep)
			}
			rep = f.load(stmt)
			if rep.Booked != 0 || rep.Queued != 0 || rep.ReportedAgain != 2 {
				t.Errorf("statement after the notification: %+v; want both sums known as itemised", rep)
			}
			if got := f.paid(); !slices.Equal(got, want) {
				t.Errorf("paid %v; want %v", got, want)
			}
			if q := f.queued(); len(q) != 0 {
				t.Errorf("the staff queue holds %d entries: %+v", len(q), q)
			}
		})
		t.Run("the same payments again, reordered and one by one", func(t *testing.T) {
			rep := f.load(notification(t,
				batch("B-1", pays(2000, f.ref(1), "T-2"), pays(1000, f.ref(0), "T-1"))))
			if rep.Booked != 0 || rep.Queued != 0 || rep.ReportedAgain != 2 {
				t.Errorf("reordered batch: %+v", rep)
			}
			rep = f.load(notification(t, iso20022.Entry{AcctSvcrRef: "T-2", Transactions: []iso20022.Transaction{pays(2000, f.ref(1), "T-2")}}))
			if rep.Booked != 0 || rep.ReportedAgain != 1 {
				t.Errorf("a payment of the batch reported on its own: %+v", rep)
			}
			if got := f.paid(); !slices.Equal(got, want) {
				t.Errorf("paid %v; want %v", got, want)
			}
		})
		t.Run("the whole sequence again", func(t *testing.T) {
			f.load(notification(t,
				batch("B-1", pays(1000, f.ref(0), "T-1"), pays(2000, f.ref(1), "T-2")),
				iso20022.Entry{AcctSvcrRef: "S-3", Transactions: []iso20022.Transaction{pays(3000, f.ref(2), "T-3")}}))
			f.load(statement(t, lump("B-1", 3000), lump("S-3", 3000)))
			if got := f.paid(); !slices.Equal(got, want) {
				t.Errorf("paid %v; want %v", got, want)
			}
			if q := f.queued(); len(q) != 0 {
				t.Errorf("the staff queue holds %d entries", len(q))
			}
		})
	})
}

func TestBankStatementBeforeNotification(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 2)
		rep := f.load(statement(t, lump("B-9", 3000)))
		if rep.Queued != 1 {
			t.Fatalf("a sum without details: %+v; want it queued", rep)
		}
		rep = f.load(notification(t, batch("B-9", pays(1000, f.ref(0), "T-91"), pays(2000, f.ref(1), "T-92"))))
		if rep.Booked != 2 {
			t.Fatalf("the notification after the statement: %+v", rep)
		}
		if got := f.paid(); !slices.Equal(got, []int64{1000, 2000}) {
			t.Errorf("paid %v", got)
		}
		if q := f.queued(); len(q) != 0 {
			t.Errorf("the sum is still queued once its payments are booked: %+v", q)
		}
	})
}

func TestBankReversal(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 2)
		f.load(notification(t, iso20022.Entry{AcctSvcrRef: "P-1", Transactions: []iso20022.Transaction{pays(100000, f.ref(0), "P-1")}},
			iso20022.Entry{AcctSvcrRef: "P-2", Transactions: []iso20022.Transaction{pays(500, f.ref(1), "P-2")}}))
		ctx := context.Background()
		got, _, _ := db.Recovery().ClaimOf(ctx, f.person.ID, f.claims[0].ID)
		if got.Status != recovery.Paid {
			t.Fatalf("paid in full: %s", got.Status)
		}
		// The bank takes the first payment back.
		back := iso20022.Entry{AcctSvcrRef: "R-1", CreditDebit: iso20022.Debit, Reversal: true,
			Transactions: []iso20022.Transaction{{AmountCents: 100000, Reference: f.ref(0), ReferenceType: "SCOR"}}}
		rep := f.load(notification(t, back))
		if rep.Reversed != 1 || rep.Queued != 0 {
			t.Fatalf("reversal: %+v", rep)
		}
		got, evs, _ := db.Recovery().ClaimOf(ctx, f.person.ID, f.claims[0].ID)
		if got.Status != recovery.Open || got.Balance() != 100000 || evs[len(evs)-1].Kind != recovery.EventPaymentReversed {
			t.Errorf("after the reversal: %s, balance %d, last event %s", got.Status, got.Balance(), evs[len(evs)-1].Kind)
		}
		// Reported again, the reversal changes nothing more.
		if rep := f.load(notification(t, back)); rep.Reversed != 0 || rep.ReportedAgain != 1 {
			t.Errorf("the reversal again: %+v", rep)
		}
		// A reversal of a payment that was never received is for staff.
		none := iso20022.Entry{AcctSvcrRef: "R-2", CreditDebit: iso20022.Debit, Reversal: true,
			Transactions: []iso20022.Transaction{{AmountCents: 777, Reference: f.ref(1), ReferenceType: "SCOR"}}}
		if rep := f.load(notification(t, none)); rep.Queued != 1 || rep.Lines[0].Reason != recovery.ReasonReversal {
			t.Errorf("a reversal without its payment: %+v", rep)
		}
		if got := f.paid(); !slices.Equal(got, []int64{0, 500}) {
			t.Errorf("paid %v; want [0 500]", got)
		}
		// Two equal payments, then both taken back in one file: each
		// reversal takes back one of them, never the same one twice.
		f.load(notification(t, iso20022.Entry{AcctSvcrRef: "E-1", Transactions: []iso20022.Transaction{pays(200, f.ref(1), "E-1")}},
			iso20022.Entry{AcctSvcrRef: "E-2", Transactions: []iso20022.Transaction{pays(200, f.ref(1), "E-2")}}))
		twice := func(id string) iso20022.Entry {
			return iso20022.Entry{AcctSvcrRef: id, CreditDebit: iso20022.Debit, Reversal: true,
				Transactions: []iso20022.Transaction{{AmountCents: 200, Reference: f.ref(1), ReferenceType: "SCOR"}}}
		}
		if rep := f.load(notification(t, twice("R-E1"), twice("R-E2"), twice("R-E3"))); rep.Reversed != 2 || rep.Queued != 1 {
			t.Errorf("three reversals of two equal payments: %+v; want two applied, one queued", rep)
		}
		if got := f.paid(); !slices.Equal(got, []int64{0, 500}) {
			t.Errorf("after the reversals paid %v; want [0 500]", got)
		}
	})
}

func TestBankIDsAndReferences(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 2)
		// Two different credits that the bank gave the same entry reference.
		rep := f.load(notification(t,
			iso20022.Entry{AcctSvcrRef: "SAME", Transactions: []iso20022.Transaction{{AmountCents: 1000, Reference: f.ref(0), ReferenceType: "SCOR"}}},
			iso20022.Entry{AcctSvcrRef: "SAME", Transactions: []iso20022.Transaction{{AmountCents: 2500, Reference: f.ref(1), ReferenceType: "SCOR"}}}))
		if rep.Booked != 1 || rep.Queued != 1 || rep.Lines[0].Reason != recovery.ReasonIDReused {
			t.Errorf("an archive ID used for two payments: %+v", rep)
		}
		// References as banks leave them: grouped, padded, in RF form.
		national := f.claims[1].Reference
		grouped := "  " + strings.ReplaceAll(national.Grouped(), " ", "\u00a0") + " \t"
		rep = f.load(notification(t,
			iso20022.Entry{AcctSvcrRef: "G-1", Transactions: []iso20022.Transaction{{AmountCents: 100, Reference: grouped, ReferenceType: "SCOR"}}},
			iso20022.Entry{AcctSvcrRef: "G-2", Transactions: []iso20022.Transaction{{AmountCents: 200, Reference: "000" + national.String(), ReferenceType: "SCOR"}}},
			iso20022.Entry{AcctSvcrRef: "G-3", Transactions: []iso20022.Transaction{{AmountCents: 300, Reference: strings.ToLower(rfOf(t, national)), ReferenceType: "SCOR"}}},
			iso20022.Entry{AcctSvcrRef: "G-4", Transactions: []iso20022.Transaction{{AmountCents: 400, Reference: national.String()[:3] + "-" + national.String()[3:], ReferenceType: "SCOR"}}}))
		if rep.Booked != 3 || rep.Queued != 1 || rep.Lines[0].Reason != recovery.ReasonBadReference {
			t.Errorf("references as banks send them: %+v", rep)
		}
		if got := f.paid(); !slices.Equal(got, []int64{1000, 600}) {
			t.Errorf("paid %v; want [1000 600]", got)
		}
		// A pending entry does not book, and does not stop the booked report.
		pending := iso20022.Entry{AcctSvcrRef: "PD-1", Status: iso20022.StatusPending,
			Transactions: []iso20022.Transaction{pays(50, f.ref(0), "PD-1")}}
		f.load(notification(t, pending))
		pending.Status = iso20022.StatusBooked
		if rep := f.load(notification(t, pending)); rep.Booked != 1 {
			t.Errorf("booked after pending: %+v", rep)
		}
	})
}

// An import cut short carries on where it stopped, and the same file at
// once from two importers books once.
func TestBankImportResumes(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 1)
		var entries []iso20022.Entry
		for i := range 5000 { // three chunks
			entries = append(entries, iso20022.Entry{AcctSvcrRef: fmt.Sprintf("C-%d", i), Transactions: []iso20022.Transaction{pays(1, f.ref(0), fmt.Sprintf("C-%d", i))}})
		}
		file := notification(t, entries...)
		ctx := context.Background()
		cctx, cancel := context.WithCancel(ctx)
		calls := 0
		_, err := f.svc.ImportStatement(cctx, cli, recovery.StatementFile{Name: "cut.xml", Progress: func(done, total int) {
			calls++
			if calls == 1 {
				cancel() // the process dies after the first chunk
			}
		}}, bytes.NewReader(file))
		if err == nil {
			t.Fatal("a cancelled import succeeded")
		}
		if got := f.paid(); got[0] != 2000 {
			t.Fatalf("after the first chunk: paid %v; want 2000", got)
		}
		dry, err := f.svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "cut.xml", DryRun: true}, bytes.NewReader(file))
		if err != nil || !dry.Resumed || dry.Booked != 3000 {
			t.Fatalf("a dry run of the rest: %+v %v; want the 3,000 entries not yet booked", dry, err)
		}
		rep, err := f.svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "cut.xml"}, bytes.NewReader(file))
		if err != nil || !rep.Resumed || rep.Booked != 5000 {
			t.Fatalf("resumed: %+v %v", rep, err)
		}
		if got := f.paid(); got[0] != 5000 {
			t.Errorf("after the resumed import: paid %v; want 5000", got)
		}
		if _, err := f.svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "cut.xml"}, bytes.NewReader(file)); !fault.Is(err, fault.Conflict) {
			t.Errorf("a third time: %v; want Conflict", err)
		}
	})
}

// A dry run says what would be booked and writes nothing.
func TestBankDryRun(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 1)
		file := notification(t, iso20022.Entry{AcctSvcrRef: "D-1", Transactions: []iso20022.Transaction{pays(700, f.ref(0), "D-1")}})
		rep, err := f.svc.ImportStatement(context.Background(), cli, recovery.StatementFile{Name: "d.xml", DryRun: true}, bytes.NewReader(file))
		if err != nil || !rep.DryRun || rep.Booked != 1 {
			t.Fatalf("dry run: %+v %v", rep, err)
		}
		if got := f.paid(); got[0] != 0 {
			t.Errorf("a dry run booked %d", got[0])
		}
		if rep := f.load(file); rep.Booked != 1 {
			t.Errorf("the real run after a dry run: %+v", rep)
		}
	})
}

func rfOf(t *testing.T, r viite.Ref) string {
	t.Helper()
	return viite.RFFromNational(r).String()
}

// FuzzBankReimports imports a day's payments once, then any sequence of
// files reporting the same transactions again — alone or in batches, in
// any order, as notifications or as statement sums — and checks that no
// claim changes after the first import. It runs on SQLite (the seed corpus
// in every test run).
func FuzzBankReimports(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5})
	f.Add([]byte{5, 4, 3, 2, 1, 0, 255, 128, 7})
	f.Add([]byte{1, 1, 1, 9, 9, 200, 201, 202})
	f.Fuzz(func(t *testing.T, plan []byte) {
		if len(plan) > 64 {
			plan = plan[:64]
		}
		db := storetest.SQLite(t)
		fx := newBankFixture(t, db, 3)
		txs := []iso20022.Transaction{
			pays(1000, fx.ref(0), "F-1"), pays(2000, fx.ref(1), "F-2"), pays(3000, fx.ref(2), "F-3"),
			pays(400, fx.ref(0), "F-4"), pays(500, fx.ref(1), "F-5"), pays(600, fx.ref(2), "F-6"),
		}
		// The day as the bank first reports it: a batch, two payments of
		// their own, a second batch.
		fx.load(notification(t, batch("FB-1", txs[0], txs[1]), iso20022.Entry{AcctSvcrRef: "F-3", Transactions: txs[2:3]},
			iso20022.Entry{AcctSvcrRef: "F-4", Transactions: txs[3:4]}, batch("FB-2", txs[4], txs[5])))
		want := fx.paid()
		// Then files made from the plan: each byte picks a payment; the
		// high bits pick how the file reports it.
		for len(plan) > 0 {
			n := 1 + int(plan[0]%4)
			n = min(n, len(plan))
			var entries []iso20022.Entry
			var group []iso20022.Transaction
			asStatement := plan[0]&0x80 != 0
			for _, b := range plan[:n] {
				tx := txs[int(b)%len(txs)]
				if b&0x40 != 0 {
					group = append(group, tx)
					continue
				}
				entries = append(entries, iso20022.Entry{AcctSvcrRef: tx.AcctSvcrRef, Transactions: []iso20022.Transaction{tx}})
			}
			if len(group) > 0 {
				entries = append(entries, batch("FB-1", group...))
			}
			if asStatement {
				entries = []iso20022.Entry{lump("FB-1", 3000), lump("FB-2", 1100), lump("F-3", 3000)}
			}
			file := notification(t, entries...)
			if asStatement {
				file = statement(t, entries...)
			}
			if _, err := fx.svc.ImportStatement(context.Background(), cli, recovery.StatementFile{Name: "again.xml"}, bytes.NewReader(file)); err != nil &&
				!fault.Is(err, fault.Conflict) {
				t.Fatal(err)
			}
			plan = plan[n:]
		}
		if got := fx.paid(); !slices.Equal(got, want) {
			t.Fatalf("after re-imports paid %v; want %v", got, want)
		}
		storetest.CheckInvariants(t, db)
	})
}

// Staff deal with the queue: book a payment to the claim they name, record
// one returned to the payer; each once, with a reason, by those allowed.
func TestBankQueueResolution(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 1)
		ctx := context.Background()
		f.load(notification(t,
			iso20022.Entry{AcctSvcrRef: "Q-1", Transactions: []iso20022.Transaction{{AmountCents: 1500, Reference: "11112", ReferenceType: "SCOR"}}},
			iso20022.Entry{AcctSvcrRef: "Q-2", Transactions: []iso20022.Transaction{{AmountCents: 900}}}))
		q := f.queued()
		if len(q) != 2 {
			t.Fatalf("queued %d", len(q))
		}
		book := recovery.Resolution{Action: recovery.ResolveBook, Reference: f.claims[0].Reference.Grouped(), Note: "The payer wrote the reference wrong; see the message."}
		operations := access.AsStaff("staff-9", "shared-services", "operations")
		if _, err := f.svc.ResolveEntry(ctx, operations, q[0].ID, book); !fault.Is(err, fault.Forbidden) {
			t.Errorf("operations staff: %v; want Forbidden", err)
		}
		if _, err := f.svc.ResolveEntry(ctx, specialist, q[0].ID, recovery.Resolution{Action: recovery.ResolveBook, Reference: f.ref(0)}); fault.FieldOf(err) != "note" {
			t.Errorf("no reason: %v", err)
		}
		if _, err := f.svc.ResolveEntry(ctx, specialist, q[0].ID, recovery.Resolution{Action: recovery.ResolveBook, Reference: "11112", Note: "x"}); fault.KeyOf(err) != "bank.resolve.no_claim" {
			t.Errorf("a reference no claim has: %v", err)
		}
		e, err := f.svc.ResolveEntry(ctx, specialist, q[0].ID, book)
		if err != nil || e.Status != recovery.EntryBooked {
			t.Fatalf("book: %+v %v", e, err)
		}
		if _, err := f.svc.ResolveEntry(ctx, manager, q[0].ID, book); !fault.Is(err, fault.Conflict) {
			t.Errorf("booking twice: %v; want Conflict", err)
		}
		if _, err := f.svc.ResolveEntry(ctx, manager, q[1].ID, recovery.Resolution{Action: recovery.ResolveReturned, Note: "No reference and no message; returned."}); err != nil {
			t.Fatal(err)
		}
		if got := f.paid(); got[0] != 1500 {
			t.Errorf("paid %v; want 1500", got)
		}
		if q := f.queued(); len(q) != 0 {
			t.Errorf("still queued: %+v", q)
		}
		_, rows, err := f.svc.FileEntries(ctx, specialist, e.FileID, 10, 0)
		if err != nil || len(rows) != 2 || rows[1].Status != recovery.EntryReturned || rows[1].Resolution == "" {
			t.Errorf("the file's rows: %+v %v", rows, err)
		}
	})
}

// A payment booked before transactions had identities (its archive ID
// alone was the key) is not booked again when the bank reports it after
// the upgrade.
func TestBankLegacyPaymentNotBookedAgain(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 1)
		ctx := context.Background()
		c := f.claims[0]
		for _, q := range []string{
			`UPDATE claims SET paid_principal = 1000 WHERE id = '` + c.ID + `'`,
			`INSERT INTO claim_events (id, claim_id, person_id, on_date, kind, cents, principal, note, at)
			 VALUES ('legacy-ev', '` + c.ID + `', '` + c.PersonID + `', '2026-03-03', 'payment', 1000, 1000, 'recovery.event.payment', '2026-03-03 10:00:00')`,
			`INSERT INTO bank_files (id, sha256, name, message, message_id, imported_by, booked, queued, refused, booked_cents, imported_at)
			 VALUES ('legacy-file', 'legacy-sha', 'old.xml', 'camt.054', 'OLD', 'cli', 1, 0, 0, 1000, '2026-03-03 10:00:00')`,
			`INSERT INTO bank_entries (id, file_id, line, entry_index, archive_id, tx_key, amount_cents, reference, raw_reference, value_date, status, claim_id, person_id, created_at)
			 VALUES ('legacy-row', 'legacy-file', 10, 1, 'OLD-1', 'legacy:OLD-1', 1000, '` + c.Reference.String() + `', '` + c.Reference.String() + `', '2026-03-03', 'booked', '` + c.ID + `', '` + c.PersonID + `', '2026-03-03 10:00:00')`,
		} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		rep := f.load(notification(t, iso20022.Entry{AcctSvcrRef: "OLD-1", Transactions: []iso20022.Transaction{{AmountCents: 1000, Reference: f.ref(0), ReferenceType: "SCOR"}}}))
		if rep.Booked != 0 || rep.ReportedAgain != 1 {
			t.Errorf("a payment booked before the upgrade, reported again: %+v", rep)
		}
		if got := f.paid(); got[0] != 1000 {
			t.Errorf("paid %v; want 1000", got)
		}
	})
}

// The customer's history is in date order: a payment with an early value
// date, booked after later events, shows before them.
func TestClaimHistoryInDateOrder(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newBankFixture(t, db, 1)
		e := iso20022.Entry{AcctSvcrRef: "EARLY-1", BookingDate: "2024-03-01", ValueDate: "2024-03-01",
			Transactions: []iso20022.Transaction{pays(100, f.ref(0), "EARLY-1")}}
		f.load(notification(t, e))
		page, err := f.svc.Claim(context.Background(), access.AsCustomer(f.person.ID), f.claims[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(page.Events); i++ {
			if page.Events[i].On.Before(page.Events[i-1].On) {
				t.Fatalf("history out of date order: %+v", page.Events)
			}
		}
		if page.Events[0].Kind != recovery.EventPayment {
			t.Errorf("the payment of 1.3.2024 is not first: %+v", page.Events)
		}
	})
}
