package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

var paymentOperator = access.AsStaff("op-1", "benefits", "operations")

// statusReport is a pain.002.001.03 answering the message: the group
// status and, for each end-to-end ID, its status and reason.
func statusReport(id, msgID, group string, txs ...[3]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>%s</MsgId><CreDtTm>2024-03-27T09:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId><GrpSts>%s</GrpSts>`, id, msgID, group)
	if group == iso20022.StatusRejected {
		b.WriteString(`<StsRsnInf><Rsn><Cd>MS03</Cd></Rsn></StsRsnInf>`)
	}
	b.WriteString(`</OrgnlGrpInfAndSts>`)
	if len(txs) > 0 {
		fmt.Fprintf(&b, `<OrgnlPmtInfAndSts><OrgnlPmtInfId>%s-1</OrgnlPmtInfId>`, msgID)
		for _, t := range txs {
			fmt.Fprintf(&b, `<TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId><TxSts>%s</TxSts>`, t[0], t[1])
			if t[2] != "" {
				fmt.Fprintf(&b, `<StsRsnInf><Rsn><Cd>%s</Cd></Rsn><AddtlInf>Account closed</AddtlInf></StsRsnInf>`, t[2])
			}
			b.WriteString(`</TxInfAndSts>`)
		}
		b.WriteString(`</OrgnlPmtInfAndSts>`)
	}
	b.WriteString(`</CstmrPmtStsRpt></Document>`)
	return b.String()
}

// firstRun runs the payments of Tue 26.3.2024 into dir and reads its file.
func firstRun(t *testing.T, svc *payment.Service, dir string) (*payment.Run, iso20022.Initiation) {
	t.Helper()
	rep, err := svc.Run(context.Background(), payer, civil.New(2024, 3, 26), payment.RunOptions{Publish: payment.Dir(dir)})
	if err != nil || rep.Run == nil {
		t.Fatal(rep, err)
	}
	return rep.Run, runFile(t, dir, rep.Run)
}

// runFile reads a published run's pain.001.
func runFile(t *testing.T, dir string, r *payment.Run) iso20022.Initiation {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, r.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := iso20022.ReadPain001(f)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func countReturns(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM payment_returns`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPaymentReturns: a status report rejects two payments of a run (AC04,
// AC01) and accepts one; imported again it changes nothing; reports for an
// unknown message or payment, or malformed, write nothing; staff see the
// queue, correct one account, the next run pays that payment once more
// (attempt 1, new end-to-end ID, the new account) and the run after pays
// nothing; the customer sees their payment's state throughout.
func TestPaymentReturns(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people := paymentFixture(t, db, 3)
		svc := paymentOn(db)
		out := t.TempDir()
		run, in := firstRun(t, svc, out)
		ps := in.Batches[0].Payments
		e2e := func(i int) string { return ps[i].EndToEndID }
		msg := in.MessageID
		report := statusReport("BANK-1", msg, iso20022.StatusPartAccepted,
			[3]string{e2e(0), "RJCT", "AC04"}, [3]string{e2e(1), "RJCT", "AC01"}, [3]string{e2e(2), "ACCP", ""})

		// Nothing is written for a report that is not about our payments.
		for _, c := range []struct{ name, doc, key string }{
			{"malformed", report[:200], payment.ErrStatusFile},
			{"a camt.054", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>`, payment.ErrStatusFile},
			{"unknown message", statusReport("BANK-X", "ETUUS-PAY-20240326-999999", "RJCT"), payment.ErrUnknownMessage},
			{"unknown payment", statusReport("BANK-X", msg, "PART", [3]string{e2e(3), "RJCT", "AC04"}, [3]string{"NOTOURS", "RJCT", "AC04"}), payment.ErrUnknownPayment},
			{"unknown block", strings.Replace(report, msg+"-1", msg+"-2", 1), payment.ErrUnknownBlock},
		} {
			if _, err := svc.ImportStatusReport(ctx, paymentOperator, strings.NewReader(c.doc)); !fault.Is(err, fault.Invalid) || fault.KeyOf(err) != c.key {
				t.Errorf("%s: %v, want %s", c.name, err, c.key)
			}
		}
		if n := countReturns(t, db); n != 0 {
			t.Fatalf("%d returns after refused reports", n)
		}
		if _, err := svc.ImportStatusReport(ctx, access.AsStaff("x", "recovery", "specialist"), strings.NewReader(report)); !fault.Is(err, fault.Forbidden) {
			t.Errorf("without payment.run: %v", err)
		}

		got, err := svc.ImportStatusReport(ctx, paymentOperator, strings.NewReader(report))
		if err != nil || got.Rejected != 2 || got.Other != 1 || got.AlreadyKnown != 0 || got.RunNumber != run.Number {
			t.Fatalf("import = %+v, %v", got, err)
		}
		again, err := svc.ImportStatusReport(ctx, paymentOperator, strings.NewReader(report))
		if err != nil || again.Rejected != 0 || again.AlreadyKnown != 2 {
			t.Fatalf("again = %+v, %v", again, err)
		}
		storetest.CheckInvariants(t, db)

		queue, err := svc.ReturnQueue(ctx, paymentOperator, 100)
		if err != nil || len(queue) != 2 {
			t.Fatalf("queue = %+v, %v", queue, err)
		}
		var closed payment.Return
		for _, r := range queue {
			if r.ReasonCode == "AC04" {
				closed = r
			}
		}
		if closed.EndToEndID != e2e(0) || closed.Outcome != payment.Rejected || closed.State != payment.ReturnOpen ||
			closed.ReasonKey() != "payment.returns.reason.AC04" || closed.AmountCents != ps[0].AmountCents {
			t.Fatalf("return = %+v", closed)
		}
		if _, err := svc.ReturnQueue(ctx, access.AsStaff("x", "recovery", "specialist"), 10); !fault.Is(err, fault.Forbidden) {
			t.Errorf("queue without payment.run: %v", err)
		}

		// The customer sees it.
		var owner string
		for _, p := range people {
			o, err := svc.Payments(ctx, access.AsCustomer(p.ID))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range o.Returns {
				if r.ID == closed.ID {
					owner = p.ID
				}
			}
		}
		if owner != closed.PersonID {
			t.Fatalf("the return is not on its customer's page")
		}

		if _, err := svc.OrderRepay(ctx, paymentOperator, closed.ID, "FI49 5000 9420 0287 39"); !fault.Is(err, fault.Invalid) {
			t.Errorf("invalid IBAN: %v", err)
		}
		if _, err := svc.OrderRepay(ctx, paymentOperator, "no-such", "FI21 1234 5600 0007 85"); !fault.Is(err, fault.NotFound) {
			t.Errorf("unknown return: %v", err)
		}
		ordered, err := svc.OrderRepay(ctx, paymentOperator, closed.ID, "FI21 1234 5600 0007 85")
		if err != nil || ordered.State != payment.ReturnRepay || ordered.NewIBAN != "FI2112345600000785" {
			t.Fatalf("repay = %+v, %v", ordered, err)
		}
		if _, err := svc.OrderRepay(ctx, paymentOperator, closed.ID, "FI21 1234 5600 0007 85"); !fault.Is(err, fault.Conflict) {
			t.Errorf("ordered twice: %v", err)
		}
		storetest.CheckInvariants(t, db)

		// The next run pays it once more, to the corrected account.
		db.Now = func() time.Time { return time.Date(2024, 3, 27, 8, 0, 0, 0, time.UTC) }
		rep2, err := svc.Run(ctx, payer, civil.New(2024, 3, 27), payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || rep2.Payments != 1 || rep2.Run == nil {
			t.Fatalf("repay run = %+v, %v", rep2, err)
		}
		in2 := runFile(t, out, rep2.Run)
		p2 := in2.Batches[0].Payments[0]
		if p2.CreditorIBAN != "FI2112345600000785" || p2.EndToEndID == e2e(0) || p2.AmountCents != ps[0].AmountCents {
			t.Errorf("paid again = %+v", p2)
		}
		rep3, err := svc.Run(ctx, payer, civil.New(2024, 3, 27), payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || rep3.Payments != 0 {
			t.Errorf("a second run paid %d, %v", rep3.Payments, err)
		}
		o, _ := svc.Payments(ctx, access.AsCustomer(closed.PersonID))
		for _, p := range o.Past {
			if p.ID == closed.PaymentID && (p.Status != payment.Sent || p.IBAN != "FI2112345600000785") {
				t.Errorf("payment after repay = %+v", p)
			}
		}
		// The first report again: nothing changes, the attempt paid again
		// is not touched.
		if again, err := svc.ImportStatusReport(ctx, paymentOperator, strings.NewReader(report)); err != nil || again.Rejected != 0 || again.AlreadyKnown != 2 {
			t.Errorf("first report after repay = %+v, %v", again, err)
		}
		storetest.CheckInvariants(t, db)

		// The bank rejects the second run as a whole: the attempt paid
		// again is rejected in its turn (attempt 1).
		g, err := svc.ImportStatusReport(ctx, paymentOperator, strings.NewReader(statusReport("BANK-2", in2.MessageID, "RJCT")))
		if err != nil || g.Rejected != 1 {
			t.Fatalf("group rejection = %+v, %v", g, err)
		}
		queue, _ = svc.ReturnQueue(ctx, paymentOperator, 100)
		n := 0
		for _, r := range queue {
			if r.PaymentID == closed.PaymentID && r.Attempt == 1 && r.ReasonCode == "MS03" && r.State == payment.ReturnOpen {
				n++
			}
		}
		if n != 1 || len(queue) != 2 {
			t.Errorf("queue after the group rejection = %+v", queue)
		}
		storetest.CheckInvariants(t, db)
	})
}

// TestPaymentReturnsConcurrent: eight imports of the same status report
// at once reject each payment once.
func TestPaymentReturnsConcurrent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		paymentFixture(t, db, 12)
		_, in := firstRun(t, paymentOn(db), t.TempDir())
		var txs [][3]string
		for i, p := range in.Batches[0].Payments {
			if i%2 == 0 {
				txs = append(txs, [3]string{p.EndToEndID, "RJCT", "AC04"})
			}
		}
		report := statusReport("BANK-C", in.MessageID, "PART", txs...)
		var mu sync.Mutex
		rejected, known := 0, 0
		var fns []func()
		for range 8 {
			fns = append(fns, func() {
				got, err := paymentOn(db).ImportStatusReport(ctx, paymentOperator, strings.NewReader(report))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				rejected += got.Rejected
				known += got.AlreadyKnown
				mu.Unlock()
			})
		}
		together(fns...)
		if rejected != len(txs) || known != 7*len(txs) || countReturns(t, db) != len(txs) {
			t.Errorf("rejected %d, known %d, rows %d; want %d, %d, %d", rejected, known, countReturns(t, db), len(txs), 7*len(txs), len(txs))
		}
		storetest.CheckInvariants(t, db)
	})
}

// bankReturn is a credit of the payments account sending back the payment
// with the end-to-end ID: with a return reason, or as a reversal.
func bankReturn(e2e string, cents int64, reason, archive string) iso20022.Entry {
	return iso20022.Entry{AmountCents: cents, AcctSvcrRef: archive, BookingDate: "2024-03-28", ValueDate: "2024-03-28",
		Reversal: reason == "", Transactions: []iso20022.Transaction{{AmountCents: cents, EndToEndID: e2e, ReturnReason: reason}}}
}

// TestPaymentBankReturns: a camt.054 of the payments account returns two
// payments (AC04, and a reversal of the debit) and names a return that is
// not ours: the two are marked returned once, the file again changes
// nothing, another account's file writes nothing. A return in a statement
// of the recovery account goes through recovery's import hook to the
// payment capability and is booked to no claim; a return that is not ours
// stays in recovery's queue.
func TestPaymentBankReturns(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		paymentFixture(t, db, 3)
		svc := paymentOn(db)
		_, in := firstRun(t, svc, t.TempDir())
		ps := in.Batches[0].Payments
		debtor := "FI2112345600000785"
		file := camt(t, debtor, bankReturn(ps[0].EndToEndID, ps[0].AmountCents, "AC04", "R1"),
			bankReturn(ps[1].EndToEndID, ps[1].AmountCents, "", "R2"),
			bankReturn("NOTOURS", 1000, "AC01", "R3"),
			iso20022.Entry{AmountCents: 500, CreditDebit: iso20022.Debit, AcctSvcrRef: "D1", BookingDate: "2024-03-28"})
		if _, err := svc.ImportReturns(ctx, paymentOperator, bytes.NewReader(camt(t, creditor.String(), bankReturn(ps[0].EndToEndID, ps[0].AmountCents, "AC04", "R1")))); fault.KeyOf(err) != payment.ErrReturnNotDebtor {
			t.Errorf("another account's file: %v", err)
		}
		if _, err := svc.ImportReturns(ctx, paymentOperator, bytes.NewReader(file[:300])); fault.KeyOf(err) != payment.ErrStatusFile {
			t.Errorf("malformed: %v", err)
		}
		if n := countReturns(t, db); n != 0 {
			t.Fatalf("%d returns after refused files", n)
		}
		got, err := svc.ImportReturns(ctx, paymentOperator, bytes.NewReader(file))
		if err != nil || got.Returned != 2 || len(got.Unknown) != 1 || got.Unknown[0] != "NOTOURS" || got.Other != 1 {
			t.Fatalf("import = %+v, %v", got, err)
		}
		again, err := svc.ImportReturns(ctx, paymentOperator, bytes.NewReader(file))
		if err != nil || again.Returned != 0 || again.AlreadyKnown != 2 {
			t.Fatalf("again = %+v, %v", again, err)
		}
		queue, _ := svc.ReturnQueue(ctx, paymentOperator, 10)
		if len(queue) != 2 || queue[0].Outcome != payment.Returned || queue[0].Source != "camt.054 MSG-1" {
			t.Errorf("queue = %+v", queue)
		}

		// The recovery account's statement, imported by the Centre's staff.
		rec := recovery.NewService(db.Recovery(), recovery.Config{Creditor: creditor, PaymentReturns: svc})
		rec.SetClock(func() time.Time { return db.Now() })
		stmt := camt(t, creditor.String(), bankReturn(ps[2].EndToEndID, ps[2].AmountCents, "AC04", "S1"),
			bankReturn("NOTOURS2", 1000, "", "S2"))
		rep, err := rec.ImportStatement(ctx, specialist, recovery.StatementFile{Name: "s.xml"}, bytes.NewReader(stmt))
		if err != nil || rep.Booked != 0 || rep.Refused != 1 || rep.Queued != 1 {
			t.Fatalf("recovery import = %+v, %v", rep, err)
		}
		reasons := map[string]string{}
		for _, l := range rep.Lines {
			reasons[l.ArchiveID] = l.Reason
		}
		if reasons["S1"] != recovery.ReasonPaymentReturn || reasons["S2"] != recovery.ReasonDebitReversal {
			t.Errorf("recovery lines = %+v", rep.Lines)
		}
		queue, _ = svc.ReturnQueue(ctx, paymentOperator, 10)
		if len(queue) != 3 {
			t.Errorf("queue after the statement = %+v", queue)
		}
		storetest.CheckInvariants(t, db)
	})
}
