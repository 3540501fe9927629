package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

var anna = access.AsStaff("demo-staff-anna", "recovery", "specialist")

// employerPayFixture seeds the mandate demo and three applications of
// Demo Rakennus Oy for Matti: one approved, one refused, one waiting;
// and a benefit decided today, so that the run's file carries a benefit
// payment too. It returns the service, the organisation, the three
// applications and the first banking day from three days on.
func employerPayFixture(t *testing.T, db *store.DB) (*employer.Service, string, [3]employer.Application, civil.Date) {
	t.Helper()
	ctx := context.Background()
	svc, orgs, in := employerSetup(t, db, -60, -50)
	teemu := access.AsCustomer("demo-person-teemu")
	var apps [3]employer.Application
	for i := range apps {
		in.Start, in.End = civil.Today(db.Now()).AddDays(-60+20*i).String(), civil.Today(db.Now()).AddDays(-50+20*i).String()
		a, err := svc.Apply(ctx, teemu, orgs.Employer, in)
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = a
	}
	var err error
	if apps[0], err = svc.Decide(ctx, anna, apps[0].ID, employer.Decision{Approve: true, AmountCents: 81234}); err != nil {
		t.Fatal(err)
	}
	if apps[1], err = svc.Decide(ctx, anna, apps[1].ID, employer.Decision{Reason: "Ei oikeutta"}); err != nil {
		t.Fatal(err)
	}
	today := civil.Today(db.Now())
	if err := db.AddBenefit(ctx, &payment.Benefit{PersonID: "demo-person-aino", Kind: "backdated", AmountCents: 12345,
		IBAN: "FI4950009420028730", Starts: today, Decided: today}); err != nil {
		t.Fatal(err)
	}
	day := today.AddDays(3)
	for !bankday.IsBankingDay(day) {
		day = day.AddDays(1)
	}
	return svc, orgs.Employer, apps, day
}

// TestEmployerPaymentRun: the run pays an approved employer application
// once, to the employer's account, in the same schema-valid file as the
// benefits, naming the application and not the employee; a refused or
// waiting application is not paid; a second run pays nothing; an
// application approved later is paid by the next run, and so is an
// approved occupational-healthcare application, once. The employer, staff
// and the employee see the payment.
func TestEmployerPaymentRun(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, org, apps, day := employerPayFixture(t, db)
		pay := paymentOn(db)
		out := t.TempDir()
		teemu := access.AsCustomer("demo-person-teemu")

		got, err := svc.Get(ctx, teemu, org, apps[0].ID)
		if err != nil || got.Payment.Recorded() {
			t.Fatalf("before the run: %+v %v", got.Payment, err)
		}
		rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Payments != 2 || rep.TotalCents != 12345+81234 || rep.Run == nil {
			t.Fatalf("run = %+v", rep)
		}
		path := filepath.Join(out, rep.Run.FileName)
		xmllint(t, path)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		in, err := iso20022.ReadPain001(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		var emp []iso20022.Payment
		for _, p := range in.Batches[0].Payments {
			if strings.Contains(p.RemittanceText, apps[0].ID) {
				emp = append(emp, p)
			}
		}
		if len(emp) != 1 || emp[0].AmountCents != 81234 || emp[0].CreditorName != "Demo Rakennus Oy" ||
			emp[0].CreditorIBAN != apps[0].IBAN {
			t.Fatalf("the employer's payment in the file: %+v", emp)
		}
		for _, secret := range []string{apps[0].Employee, "Matti", "Virtanen", apps[1].ID, apps[2].ID} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("the file carries %q", secret)
			}
		}

		// The employer sees it sent on the pay day; staff see it too; the
		// refused and the waiting application have none.
		got, err = svc.Get(ctx, teemu, org, apps[0].ID)
		if err != nil || !got.Payment.Sent() || got.Payment.PayDate != day || got.Payment.AmountCents != 81234 {
			t.Errorf("the employer's view: %+v %v", got.Payment, err)
		}
		if st, err := svc.Read(ctx, anna, apps[0].ID); err != nil || !st.Payment.Sent() {
			t.Errorf("staff's view: %+v %v", st.Payment, err)
		}
		for _, a := range apps[1:] {
			if g, err := svc.Get(ctx, teemu, org, a.ID); err != nil || g.Payment.Recorded() {
				t.Errorf("%s application paid: %+v %v", a.Status, g.Payment, err)
			}
		}
		mine, err := svc.ForEmployee(ctx, access.AsCustomer("demo-person-matti"))
		if err != nil || len(mine) != 3 {
			t.Fatalf("the employee's view: %+v %v", mine, err)
		}
		for _, a := range mine {
			if a.Payment.Sent() != (a.ID == apps[0].ID) {
				t.Errorf("the employee's view of %s: %+v", a.ID, a.Payment)
			}
		}

		// Again: nothing, no file.
		again, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || again.Run != nil || again.Payments != 0 {
			t.Errorf("second run = %+v, %v", again, err)
		}
		// Approved later: the next run pays it alone.
		if _, err := svc.Decide(ctx, anna, apps[2].ID, employer.Decision{Approve: true, AmountCents: 100000}); err != nil {
			t.Fatal(err)
		}
		third, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || third.Payments != 1 || third.TotalCents != 100000 {
			t.Errorf("third run = %+v, %v", third, err)
		}
		// An approved occupational-healthcare application: the next run
		// pays its approved amount once, named by the application; the run
		// after it pays nothing.
		hc := approvedOHC(t, db, svc, org, 123456)
		fourth, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || fourth.Payments != 1 || fourth.TotalCents != 123456 || fourth.Run == nil {
			t.Fatalf("run with the occupational-healthcare application = %+v, %v", fourth, err)
		}
		if ps := runFile(t, out, fourth.Run).Batches[0].Payments; len(ps) != 1 ||
			ps[0].RemittanceText != "Kela työterveyshuollon korvaus/ersättning för företagshälsovård, hakemus/ansökan "+hc.ID ||
			ps[0].CreditorName != "Demo Rakennus Oy" || ps[0].CreditorIBAN != hc.IBAN {
			t.Errorf("the occupational-healthcare payment in the file: %+v", ps)
		}
		if g, err := svc.GetOccupational(ctx, access.AsCustomer("demo-person-eeva"), org, hc.ID); err != nil || !g.Payment.Sent() || g.Payment.AmountCents != 123456 {
			t.Errorf("the employer's view of the occupational-healthcare payment: %+v %v", g.Payment, err)
		}
		if again, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)}); err != nil || again.Payments != 0 {
			t.Errorf("a run after it = %+v, %v", again, err)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM employer_payments`).Scan(&n); err != nil || n != 3 {
			t.Errorf("%d employer payments, %v", n, err)
		}
		if v := storetest.Violations(t, db); len(v) != 0 {
			t.Errorf("violations: %v", v)
		}

		// The invariants see a payment that is not the approved amount.
		if _, err := db.SQL().Exec(`UPDATE employer_payments SET amount_cents = amount_cents + 1 WHERE application_id = $1`, apps[0].ID); err != nil {
			t.Fatal(err)
		}
		if v := storetest.Violations(t, db); len(v) == 0 {
			t.Error("the invariants missed a payment of another amount than approved")
		}
		if _, err := db.SQL().Exec(`UPDATE employer_payments SET amount_cents = amount_cents - 1 WHERE application_id = $1`, apps[0].ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEmployerPaymentRunConcurrent: eight runs at once (on PostgreSQL
// they meet for real) pay the approved daily-allowance and
// occupational-healthcare applications once each, in one file.
func TestEmployerPaymentRunConcurrent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, org, apps, day := employerPayFixture(t, db)
		hc := approvedOHC(t, db, svc, org, 99999)
		out := t.TempDir()
		var mu sync.Mutex
		total, sum := 0, int64(0)
		var fns []func()
		for range 8 {
			fns = append(fns, func() {
				rep, err := paymentOn(db).Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total, sum = total+rep.Payments, sum+rep.TotalCents
				mu.Unlock()
			})
		}
		together(fns...)
		if total != 3 || sum != 12345+81234+99999 {
			t.Errorf("recorded %d payments of %d cents", total, sum)
		}
		for _, id := range []string{apps[0].ID, hc.ID} {
			var n int
			var status string
			if err := db.SQL().QueryRow(`SELECT COUNT(*), MIN(status) FROM employer_payments WHERE application_id = $1`, id).Scan(&n, &status); err != nil || n != 1 || status != payment.Sent {
				t.Errorf("%d payments of the application, %s, %v", n, status, err)
			}
		}
		if entries, _ := os.ReadDir(out); len(entries) != 1 {
			t.Errorf("files: %v", entries)
		}
	})
}

// TestEmployerPaymentReturns: a status report rejecting the employer's
// payment (and accepting the benefit's) marks it rejected with the
// reason, once; a camt.054 returning another employer payment marks it
// returned, once; the employer sees both.
func TestEmployerPaymentReturns(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, org, apps, day := employerPayFixture(t, db)
		pay := paymentOn(db)
		out := t.TempDir()
		teemu := access.AsCustomer("demo-person-teemu")
		rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || rep.Run == nil {
			t.Fatal(rep, err)
		}
		var empE2E, benE2E string
		for _, p := range runFile(t, out, rep.Run).Batches[0].Payments {
			if strings.Contains(p.RemittanceText, apps[0].ID) {
				empE2E = p.EndToEndID
			} else {
				benE2E = p.EndToEndID
			}
		}
		report := statusReport("STS-1", rep.Run.MessageID, "PART", [3]string{benE2E, "ACCP", ""}, [3]string{empE2E, "RJCT", "AC04"})
		got, err := pay.ImportStatusReport(ctx, paymentOperator, strings.NewReader(report))
		if err != nil || got.Rejected != 1 || got.Other != 1 {
			t.Fatalf("status report = %+v, %v", got, err)
		}
		again, err := pay.ImportStatusReport(ctx, paymentOperator, strings.NewReader(report))
		if err != nil || again.Rejected != 0 || again.AlreadyKnown != 1 {
			t.Errorf("again = %+v, %v", again, err)
		}
		a, err := svc.Get(ctx, teemu, org, apps[0].ID)
		if err != nil || a.Payment.Status != employer.PaymentRejected || a.Payment.ReasonCode != "AC04" || !a.Payment.Failed() {
			t.Errorf("the employer's view: %+v %v", a.Payment, err)
		}

		// Another application approved and paid, then returned by the bank.
		if _, err := svc.Decide(ctx, anna, apps[2].ID, employer.Decision{Approve: true, AmountCents: 55500}); err != nil {
			t.Fatal(err)
		}
		rep, err = pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || rep.Run == nil || rep.Payments != 1 {
			t.Fatal(rep, err)
		}
		e2e := runFile(t, out, rep.Run).Batches[0].Payments[0].EndToEndID
		file := camt(t, "FI2112345600000785", bankReturn(e2e, 55500, "AC06", "R1"))
		ret, err := pay.ImportReturns(ctx, paymentOperator, bytes.NewReader(file))
		if err != nil || ret.Returned != 1 || len(ret.Unknown) != 0 {
			t.Fatalf("returns = %+v, %v", ret, err)
		}
		ret, err = pay.ImportReturns(ctx, paymentOperator, bytes.NewReader(file))
		if err != nil || ret.Returned != 0 || ret.AlreadyKnown != 1 {
			t.Errorf("returns again = %+v, %v", ret, err)
		}
		// A return of another amount is not ours.
		if ret, err := pay.ImportReturns(ctx, paymentOperator, bytes.NewReader(camt(t, "FI2112345600000785", bankReturn(e2e, 55501, "AC06", "R2")))); err != nil || len(ret.Unknown) != 1 {
			t.Errorf("another amount = %+v, %v", ret, err)
		}
		if a, err := svc.Get(ctx, teemu, org, apps[2].ID); err != nil || a.Payment.Status != employer.PaymentReturned || a.Payment.ReasonCode != "AC06" {
			t.Errorf("the employer's view of the return: %+v %v", a.Payment, err)
		}
	})
}

// TestEmployerPaymentGroupRejected: a status report rejecting the whole
// run rejects the employer's payment with the benefit's.
func TestEmployerPaymentGroupRejected(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, org, apps, day := employerPayFixture(t, db)
		pay := paymentOn(db)
		rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(t.TempDir())})
		if err != nil || rep.Run == nil {
			t.Fatal(rep, err)
		}
		got, err := pay.ImportStatusReport(ctx, paymentOperator, strings.NewReader(statusReport("STS-G", rep.Run.MessageID, "RJCT")))
		if err != nil || got.Rejected != 2 {
			t.Fatalf("status report = %+v, %v", got, err)
		}
		a, err := svc.Get(ctx, access.AsCustomer("demo-person-teemu"), org, apps[0].ID)
		if err != nil || a.Payment.Status != employer.PaymentRejected || a.Payment.ReasonCode != "MS03" {
			t.Errorf("the employer's view: %+v %v", a.Payment, err)
		}
	})
}
