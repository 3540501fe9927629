package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/message"
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
		// The employee is told that the employer is paid, in their
		// language, without the account or the salary; the refused and
		// the waiting application tell nothing.
		employeeToldPaid(t, db, apps[0], org, i18n.Euros("fi", 81234), day)
		for _, a := range apps[1:] {
			if n, _ := employeePaidNotices(t, db, a.ID); n != 0 {
				t.Errorf("%s application: the employee told of a payment %d times", a.Status, n)
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
		employeeToldPaid(t, db, apps[2], org, i18n.Euros("fi", 100000), day)
		if n, _ := employeePaidNotices(t, db, apps[0].ID); n != 1 {
			t.Errorf("the first application's employee told %d times after three runs", n)
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
// occupational-healthcare applications once each, in one file; after the
// bank returns the daily-allowance one, eight runs racing the
// organisation's corrected account, and a run after them, pay it again
// exactly once.
func TestEmployerPaymentRunConcurrent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, org, apps, day := employerPayFixture(t, db)
		hc := approvedOHC(t, db, svc, org, 99999)
		out := t.TempDir()
		total, sum := racingRuns(t, db, day, out)
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
		if n, _ := employeePaidNotices(t, db, apps[0].ID); n != 1 {
			t.Errorf("eight runs at once told the employee %d times", n)
		}

		// The bank returns it; the organisation's corrected account races
		// eight runs, and one run more after them: the application is paid
		// again exactly once, to the corrected account.
		var e2e string
		if err := db.SQL().QueryRow(`SELECT end_to_end_id FROM employer_payments WHERE application_id = $1`, apps[0].ID).Scan(&e2e); err != nil {
			t.Fatal(err)
		}
		ret, err := paymentOn(db).ImportReturns(ctx, paymentOperator, bytes.NewReader(camt(t, "FI2112345600000785", bankReturn(e2e, 81234, "AC01", "R-C"))))
		if err != nil || ret.Returned != 1 {
			t.Fatalf("returns = %+v, %v", ret, err)
		}
		total, sum = racingRuns(t, db, day, out, func() {
			if _, err := svc.GiveAccount(ctx, access.AsCustomer("demo-person-teemu"), org, apps[0].ID, "FI4950009420028730"); err != nil {
				t.Error(err)
			}
		})
		rep, err := paymentOn(db).Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil {
			t.Fatal(err)
		}
		if total+rep.Payments != 1 || sum+rep.TotalCents != 81234 {
			t.Errorf("after the return: %d payments of %d cents", total+rep.Payments, sum+rep.TotalCents)
		}
		var n int
		var status string
		if err := db.SQL().QueryRow(`SELECT COUNT(*), MIN(status) FROM employer_payments WHERE application_id = $1 AND iban = 'FI4950009420028730'`,
			apps[0].ID).Scan(&n, &status); err != nil || n != 1 || status != payment.Sent {
			t.Errorf("%d payments to the corrected account, %s, %v", n, status, err)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 2 {
			t.Errorf("files: %v", entries)
		}
		// Paid again after the return: the employee was told once, by
		// the first payment, and is not told again.
		if n, _ := employeePaidNotices(t, db, apps[0].ID); n != 1 {
			t.Errorf("after the payment again the employee was told %d times", n)
		}
	})
}

// employeePaidNotices counts the notices telling the employee that the
// application's employer is paid, and gives the first one's message.
func employeePaidNotices(t *testing.T, db *store.DB, applicationID string) (int, string) {
	t.Helper()
	var n int
	var body string
	err := db.SQL().QueryRow(`SELECT COUNT(*), COALESCE(MIN(th.title || '|' || th.lang || '|' || m.body), '')
		FROM payment_notices n JOIN threads th ON th.id = n.thread_id JOIN thread_messages m ON m.thread_id = n.thread_id
		WHERE n.kind = $1 AND n.source_id = $2 AND n.person_id = 'demo-person-matti' AND th.party_id = 'demo-person-matti'`,
		payment.NoticeEmployerPaid, applicationID).Scan(&n, &body)
	if err != nil {
		t.Fatal(err)
	}
	return n, body
}

// employeeToldPaid checks that Matti, the application's employee, was told
// once that the employer is paid: in Finnish, naming the employer, the
// amount and the pay date, never the account or the salary.
func employeeToldPaid(t *testing.T, db *store.DB, app employer.Application, org, amount string, day civil.Date) {
	t.Helper()
	n, msg := employeePaidNotices(t, db, app.ID)
	if n != 1 {
		t.Fatalf("the employee told %d times that application %s is paid", n, app.ID)
	}
	for _, want := range []string{"Päiväraha maksetaan työnantajallesi|fi|", "Demo Rakennus Oy", org, amount, day.Finnish()} {
		if !strings.Contains(msg, want) {
			t.Errorf("the employee's message lacks %q: %s", want, msg)
		}
	}
	secrets := []string{app.IBAN, "FI21", "100000"}
	if salary := i18n.Euros("fi", app.SalaryCents); salary != amount {
		secrets = append(secrets, salary)
	}
	for _, secret := range secrets {
		if strings.Contains(msg, secret) {
			t.Errorf("the employee's message carries %q: %s", secret, msg)
		}
	}
}

// racingRuns starts eight payment runs for the day, publishing to out, at
// once with the others given, and returns the payments and cents they
// recorded between them.
func racingRuns(t *testing.T, db *store.DB, day civil.Date, out string, others ...func()) (int, int64) {
	t.Helper()
	var mu sync.Mutex
	total, sum := 0, int64(0)
	fns := others
	for range 8 {
		fns = append(fns, func() {
			rep, err := paymentOn(db).Run(context.Background(), payer, day, payment.RunOptions{Publish: payment.Dir(out)})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total, sum = total+rep.Payments, sum+rep.TotalCents
			mu.Unlock()
		})
	}
	together(fns...)
	return total, sum
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

// returnEmployerPayment runs the payment run once and has the bank
// return the employer's payment of apps[0] (camt.054, AC04); it returns
// the end-to-end ID returned.
func returnEmployerPayment(t *testing.T, db *store.DB, pay *payment.Service, day civil.Date, out string, appID string) string {
	t.Helper()
	ctx := context.Background()
	rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
	if err != nil || rep.Run == nil {
		t.Fatal(rep, err)
	}
	var e2e string
	var cents int64
	for _, p := range runFile(t, out, rep.Run).Batches[0].Payments {
		if strings.Contains(p.RemittanceText, appID) {
			e2e, cents = p.EndToEndID, p.AmountCents
		}
	}
	ret, err := pay.ImportReturns(ctx, paymentOperator, bytes.NewReader(camt(t, "FI2112345600000785", bankReturn(e2e, cents, "AC04", "R-"+e2e[:8]))))
	if err != nil || ret.Returned != 1 {
		t.Fatalf("returns = %+v, %v", ret, err)
	}
	return e2e
}

// TestEmployerPaymentRepay: the bank returns an employer's payment; the
// organisation is told once, in the applicant's language, naming the
// application and the bank's reason and not the employee, with a notice
// without content to the applicant; the application waits for a new
// account and no run pays it; a bad account, a person without the
// mandate, and a second account are refused; the corrected account is
// paid by the next run, once, and by no later run; staff see the return
// waiting, given an account and paid again; the employee sees the
// payment's status and nothing of the account.
func TestEmployerPaymentRepay(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, org, apps, day := employerPayFixture(t, db)
		pay := paymentOn(db)
		out := t.TempDir()
		teemu, eeva := access.AsCustomer("demo-person-teemu"), access.AsCustomer("demo-person-eeva")
		if _, err := db.SQL().Exec(`UPDATE persons SET lang = 'sv' WHERE id = 'demo-person-teemu'`); err != nil {
			t.Fatal(err)
		}
		e2e := returnEmployerPayment(t, db, pay, day, out, apps[0].ID)

		// The organisation's message, in Teemu's Swedish.
		msgs, err := message.NewService(db.Messages(), message.Config{Mandates: mandateSvc(t, db)})
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := msgs.OrgFolder(ctx, eeva, org, 1)
		if err != nil || f.Total != 3 || f.Threads[0].Title != "Banken returnerade betalningen av ersättningen" {
			t.Fatalf("the organisation's folder: %+v %v", f, err)
		}
		_, ms, _, err := msgs.OrgThread(ctx, eeva, org, f.Threads[0].ID)
		if err != nil || len(ms) != 1 {
			t.Fatal(ms, err)
		}
		body := ms[0].Body
		for _, want := range []string{apps[0].ID, "812,34", "kontot är avslutat", "Sjukdagpenning"} {
			if !strings.Contains(body, want) {
				t.Errorf("the message lacks %q: %s", want, body)
			}
		}
		masked := apps[0].MaskedEmployee()
		for _, secret := range []string{apps[0].Employee, masked, "Matti", "Virtanen"} {
			if secret != "" && strings.Contains(body, secret) {
				t.Errorf("the message names the employee (%q): %s", secret, body)
			}
		}
		var n int
		var thread, lang string
		if err := db.SQL().QueryRow(`SELECT count(*), MIN(thread_id), MIN(lang) FROM outbox WHERE kind = 'employer_payment' AND person_id = 'demo-person-teemu'`).
			Scan(&n, &thread, &lang); err != nil || n != 1 || thread != f.Threads[0].ID || lang != "sv" {
			t.Errorf("%d notices, thread %s lang %s: %v", n, thread, lang, err)
		}
		// The same return again tells nobody again.
		if ret, err := pay.ImportReturns(ctx, paymentOperator, bytes.NewReader(camt(t, "FI2112345600000785", bankReturn(e2e, 81234, "AC04", "R-"+e2e[:8])))); err != nil || ret.AlreadyKnown != 1 {
			t.Errorf("again: %+v %v", ret, err)
		}
		if f, _, _ := msgs.OrgFolder(ctx, eeva, org, 1); f.Total != 3 {
			t.Errorf("told twice: %d threads", f.Total)
		}

		// It waits for a new account: no run pays it.
		a, err := svc.Get(ctx, teemu, org, apps[0].ID)
		if err != nil || !a.Payment.WaitingAccount() || a.Payment.Again {
			t.Fatalf("the employer's view: %+v %v", a.Payment, err)
		}
		if rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)}); err != nil || rep.Payments != 0 {
			t.Fatalf("a run paid the returned application without a new account: %+v %v", rep, err)
		}
		staff := func(want string) payment.EmployerReturn {
			t.Helper()
			q, err := pay.EmployerReturnQueue(ctx, paymentOperator, 10)
			if err != nil || len(q) != 1 || q[0].ApplicationID != apps[0].ID || q[0].State != want || q[0].ReasonCode != "AC04" {
				t.Fatalf("staff's list: %+v %v (want %s)", q, err, want)
			}
			return q[0]
		}
		staff(payment.EmployerWaitingAccount)
		if _, err := pay.EmployerReturnQueue(ctx, teemu, 10); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a customer read staff's list: %v", err)
		}

		// Refusals: a bad account, a person without the mandate, an
		// unknown application.
		if _, err := svc.GiveAccount(ctx, teemu, org, apps[0].ID, "FI21 1234 5600 0007 86"); !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "iban" {
			t.Errorf("a bad account: %v", err)
		}
		if _, err := svc.GiveAccount(ctx, access.AsCustomer("demo-person-matti"), org, apps[0].ID, "FI4950009420028730"); !errors.Is(err, employer.ErrNoMandate) {
			t.Errorf("the employee gave the account: %v", err)
		}
		if _, err := svc.GiveAccount(ctx, teemu, org, "no-such-application", "FI4950009420028730"); !fault.Is(err, fault.NotFound) {
			t.Errorf("an unknown application: %v", err)
		}
		if _, err := svc.GiveAccount(ctx, teemu, org, apps[1].ID, "FI4950009420028730"); !fault.Is(err, fault.Conflict) {
			t.Errorf("a refused application: %v", err)
		}
		// The corrected account; a second one is refused.
		a, err = svc.GiveAccount(ctx, teemu, org, apps[0].ID, "fi49 5000 9420 0287 30")
		if err != nil || a.IBAN != "FI4950009420028730" {
			t.Fatalf("given: %+v %v", a, err)
		}
		if _, err := svc.GiveAccount(ctx, eeva, org, apps[0].ID, "FI2112345600000785"); !fault.Is(err, fault.Conflict) {
			t.Errorf("a second account: %v", err)
		}
		if x := staff(payment.EmployerAccountGiven); x.NewIBAN != "FI4950009420028730" {
			t.Errorf("staff see the new account %q", x.NewIBAN)
		}

		// The next run pays it once, to the new account; no later run.
		rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || rep.Payments != 1 || rep.TotalCents != 81234 || rep.Run == nil {
			t.Fatalf("the run after the account: %+v %v", rep, err)
		}
		ps := runFile(t, out, rep.Run).Batches[0].Payments
		if len(ps) != 1 || ps[0].CreditorIBAN != "FI4950009420028730" || ps[0].EndToEndID == e2e || !strings.Contains(ps[0].RemittanceText, apps[0].ID) {
			t.Errorf("paid again: %+v", ps)
		}
		if again, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)}); err != nil || again.Payments != 0 {
			t.Errorf("paid a third time: %+v %v", again, err)
		}
		if a, err = svc.Get(ctx, teemu, org, apps[0].ID); err != nil || !a.Payment.Sent() || !a.Payment.Again {
			t.Errorf("the employer's view after: %+v %v", a.Payment, err)
		}
		if x := staff(payment.EmployerPaidAgain); x.AgainPayDate != day || x.AgainStatus != payment.Sent {
			t.Errorf("staff's paid again: %+v", x)
		}
		mine, err := svc.ForEmployee(ctx, access.AsCustomer("demo-person-matti"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mine {
			if m.ID == apps[0].ID && !m.Payment.Sent() {
				t.Errorf("the employee's view: %+v", m.Payment)
			}
		}
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM employer_payments WHERE application_id = $1`, apps[0].ID).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d payments of the application: %v", n, err)
		}

		// The invariants see a payment again without a new account.
		if _, err := db.SQL().Exec(`UPDATE employer_payments SET new_iban_at = NULL, new_iban = '' WHERE end_to_end_id = $1`, e2e); err != nil {
			t.Fatal(err)
		}
		if v := storetest.Violations(t, db); len(v) == 0 {
			t.Error("the invariants missed a payment again without a new account")
		}
		if _, err := db.SQL().Exec(`UPDATE employer_payments SET new_iban_at = created_at, new_iban = 'FI4950009420028730' WHERE end_to_end_id = $1`, e2e); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEmployerRepayMigration: migration 00032 rebuilds employer_payments
// keeping its rows: down to 00030 and up again, a sent payment is intact,
// the old key (one payment per application) holds at 00030, and after
// the way back the bank's rejection, a corrected account and a run pay
// the application again once; with a payment again, the way down is
// refused and changes nothing.
func TestEmployerRepayMigration(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, org, apps, day := employerPayFixture(t, db)
		pay := paymentOn(db)
		out := t.TempDir()
		rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || rep.Run == nil {
			t.Fatal(rep, err)
		}
		row := func() string {
			t.Helper()
			var id, status, iban string
			var cents int64
			if err := db.SQL().QueryRow(`SELECT id, status, amount_cents, iban FROM employer_payments WHERE application_id = $1`, apps[0].ID).
				Scan(&id, &status, &cents, &iban); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(id, status, cents, iban)
		}
		before := row()
		if err := db.MigrateTo(ctx, 30); err != nil {
			t.Fatal(err)
		}
		if got := row(); got != before {
			t.Errorf("at 00030: %s, want %s", got, before)
		}
		if _, err := db.SQL().Exec(`INSERT INTO employer_payments (id, application_id, org_id, run_id, pay_date, amount_cents, iban, end_to_end_id, status, created_at)
			SELECT 'x', application_id, org_id, run_id, pay_date, amount_cents, iban, 'x', 'rejected', created_at FROM employer_payments WHERE application_id = $1`, apps[0].ID); err == nil {
			t.Error("at 00030 an application had two payments")
		}
		if err := db.MigrateTo(ctx, 32); err != nil {
			t.Fatal(err)
		}
		if got := row(); got != before {
			t.Errorf("back at 00032: %s, want %s", got, before)
		}
		var e2e string
		for _, p := range runFile(t, out, rep.Run).Batches[0].Payments {
			if strings.Contains(p.RemittanceText, apps[0].ID) {
				e2e = p.EndToEndID
			}
		}
		if got, err := pay.ImportStatusReport(ctx, paymentOperator, strings.NewReader(statusReport("STS-M", rep.Run.MessageID, "PART", [3]string{e2e, "RJCT", "AC01"}))); err != nil || got.Rejected != 1 {
			t.Fatalf("status report = %+v, %v", got, err)
		}
		if _, err := svc.GiveAccount(ctx, access.AsCustomer("demo-person-teemu"), org, apps[0].ID, "FI4950009420028730"); err != nil {
			t.Fatal(err)
		}
		if rep, err := pay.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)}); err != nil || rep.Payments != 1 {
			t.Fatalf("the run after the way back: %+v %v", rep, err)
		}
		if err := db.MigrateTo(ctx, 30); err == nil {
			t.Error("down to 00030 with an application paid again")
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM employer_payments WHERE application_id = $1`, apps[0].ID).Scan(&n); err != nil || n != 2 {
			t.Errorf("after the refused way down: %d payments, %v", n, err)
		}
	})
}
