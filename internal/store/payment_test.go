package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

var payer = access.AsSystem("pay")

// paymentOn is the payment service on the database, reading its clock.
func paymentOn(db *store.DB) *payment.Service {
	svc := payment.NewService(db.Payment(), payment.Config{Debtor: payment.Debtor{
		Name: "Kansaneläkelaitos", OrgID: "0246246-0", IBAN: iban.MustParse("FI2112345600000785"), BIC: "NDEAFIHH"}, Text: texts()})
	svc.SetClock(func() time.Time { return db.Now() })
	return svc
}

// paymentFixture makes n customers, each with a pension, a child benefit
// and (every third) a housing allowance; customer 0's account is invalid.
func paymentFixture(t *testing.T, db *store.DB, n int) []customer.Person {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return time.Date(2024, 3, 20, 8, 0, 0, 0, time.UTC) }
	seedUnits(db)
	people := make([]customer.Person, n)
	for i := range people {
		people[i] = customer.Person{GivenName: "Testi", FamilyName: fmt.Sprintf("Henkilö %d", i), Lang: []string{"fi", "sv", "en"}[i%3]}
		if err := db.CreatePerson(ctx, &people[i]); err != nil {
			t.Fatal(err)
		}
		acct := "FI4950009420028730"
		if i == 0 {
			acct = "FI4950009420028731"
		}
		bs := []payment.Benefit{
			{PersonID: people[i].ID, Kind: "pension", AmountCents: 70000 + int64(i), IBAN: acct, Starts: civil.New(2024, 1, 1)},
			{PersonID: people[i].ID, Kind: "child-benefit", AmountCents: 9491, IBAN: acct, Starts: civil.New(2024, 1, 1)},
		}
		if i%3 == 0 {
			bs = append(bs, payment.Benefit{PersonID: people[i].ID, Kind: "housing-allowance", AmountCents: 31000, IBAN: acct, Starts: civil.New(2024, 1, 1)})
		}
		for j := range bs {
			if err := db.AddBenefit(ctx, &bs[j]); err != nil {
				t.Fatal(err)
			}
		}
	}
	return people
}

// xmllint validates a pain.001 file against the schema; the test fails
// when xmllint is missing under CI=true, and skips the check otherwise.
func xmllint(t *testing.T, path string) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is required under CI=true (Debian's libxml2-utils)")
		}
		t.Log("xmllint not found: the schema check is left out")
		return
	}
	xsd, err := filepath.Abs("../../testdata/iso20022/pain.001.001.03.xsd")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--noout", "--schema", xsd, path).CombinedOutput(); err != nil {
		t.Fatalf("xmllint %s: %v\n%s", path, err, out)
	}
}

func TestPaymentRun(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people := paymentFixture(t, db, 7)
		svc := paymentOn(db)
		out := t.TempDir()
		// Tue 26.3.2024: child benefit (26th), catching up March's pension
		// (7.3) and housing allowance (1.3).
		day := civil.New(2024, 3, 26)
		dry, err := svc.Run(ctx, payer, day, payment.RunOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil {
			t.Fatal(err)
		}
		// 6 valid customers × (pension + child benefit) + housing for 3 and 6.
		if rep.Payments != 6*2+2 || rep.Run == nil || rep.Run.Status != payment.RunPublished {
			t.Fatalf("run = %+v", rep)
		}
		if dry.Payments != rep.Payments || dry.TotalCents != rep.TotalCents || dry.Run != nil {
			t.Errorf("dry run %d/%d, run %d/%d", dry.Payments, dry.TotalCents, rep.Payments, rep.TotalCents)
		}
		if len(rep.Refused) != 3 || rep.Refused[0].Reason != payment.ReasonIBAN {
			t.Errorf("refused = %+v", rep.Refused)
		}
		path := filepath.Join(out, rep.Run.FileName)
		xmllint(t, path)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		in, err := iso20022.ReadPain001(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if in.MessageID != rep.Run.MessageID || len(in.Batches) != 1 || len(in.Batches[0].Payments) != rep.Payments ||
			in.Batches[0].RequestedExecutionDate != "2024-03-26" {
			t.Errorf("file = %+v", in)
		}
		// The same day again: nothing new, no file.
		again, err := svc.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil || again.Run != nil || again.Payments != 0 {
			t.Errorf("second run = %+v, %v", again, err)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 1 {
			t.Errorf("files: %v", entries)
		}
		// The customer sees their own payments, not another's.
		me := access.AsCustomer(people[1].ID)
		o, err := svc.Payments(ctx, me)
		if err != nil || len(o.Past) != 2 {
			t.Fatalf("payments = %+v, %v", o, err)
		}
		if len(o.Upcoming) == 0 || o.Upcoming[0].DueDate != civil.New(2024, 4, 5) {
			t.Errorf("upcoming = %+v", o.Upcoming)
		}
		if _, err := svc.Payment(ctx, me, o.Past[0].ID); err != nil {
			t.Error(err)
		}
		if _, err := svc.Payment(ctx, access.AsCustomer(people[2].ID), o.Past[0].ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another's payment = %v", err)
		}
		// Only the system and operations staff start runs; not a banking day
		// is refused.
		if _, err := svc.Run(ctx, me, day, payment.RunOptions{DryRun: true}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("customer run = %v", err)
		}
		if _, err := svc.Run(ctx, access.AsStaff("s", "recovery", "specialist"), day, payment.RunOptions{DryRun: true}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("specialist run = %v", err)
		}
		if _, err := svc.Run(ctx, access.AsStaff("s", "shared-services", "operations"), day, payment.RunOptions{DryRun: true}); err != nil {
			t.Errorf("operations run = %v", err)
		}
		if _, err := svc.Run(ctx, payer, civil.New(2024, 3, 29), payment.RunOptions{DryRun: true}); !fault.Is(err, fault.Invalid) {
			t.Errorf("Good Friday run = %v", err)
		}
	})
}

// failingPublisher fails once, after writing, as a process killed between
// the file and its record would.
type failingPublisher struct {
	payment.Dir
	fail bool
}

func (p *failingPublisher) Publish(ctx context.Context, name string, write func(payment.Writer) error) (string, error) {
	sum, err := p.Dir.Publish(ctx, name, write)
	if p.fail {
		p.fail = false
		return "", errors.New("cut short")
	}
	return sum, err
}

// TestPaymentRunResumed: a run whose file was published but not recorded
// is finished by the next run with the same bytes under the same name.
func TestPaymentRunResumed(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		paymentFixture(t, db, 4)
		svc := paymentOn(db)
		out := t.TempDir()
		day := civil.New(2024, 3, 26)
		if _, err := svc.Run(ctx, payer, day, payment.RunOptions{Publish: &failingPublisher{Dir: payment.Dir(out), fail: true}}); err == nil {
			t.Fatal("run did not fail")
		}
		entries, _ := os.ReadDir(out)
		if len(entries) != 1 {
			t.Fatalf("files: %v", entries)
		}
		first, _ := os.ReadFile(filepath.Join(out, entries[0].Name()))
		db.Now = func() time.Time { return time.Date(2024, 3, 26, 9, 0, 0, 0, time.UTC) }
		rep, err := svc.Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Finished) != 1 || rep.Run != nil || rep.Finished[0].FileName != entries[0].Name() {
			t.Fatalf("resumed = %+v", rep)
		}
		again, _ := os.ReadFile(filepath.Join(out, entries[0].Name()))
		if string(first) != string(again) {
			t.Error("the file written again differs")
		}
		if entries, _ := os.ReadDir(out); len(entries) != 1 {
			t.Errorf("files: %v", entries)
		}
	})
}

// TestPaymentRunConcurrent runs eight payment runs for one day at once
// (on PostgreSQL they meet for real): each payment is recorded once, in
// one published file.
func TestPaymentRunConcurrent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		paymentFixture(t, db, 30)
		out := t.TempDir()
		day := civil.New(2024, 3, 26)
		var mu sync.Mutex
		total := 0
		var fns []func()
		for range 8 {
			fns = append(fns, func() {
				rep, err := paymentOn(db).Run(ctx, payer, day, payment.RunOptions{Publish: payment.Dir(out)})
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += rep.Payments
				mu.Unlock()
			})
		}
		together(fns...)
		if want := 29*2 + 9; total != want { // housing for 3, 6, …, 27
			t.Errorf("payments recorded %d, want %d", total, want)
		}
		entries, _ := os.ReadDir(out)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if len(names) != 1 || strings.HasPrefix(names[0], ".") {
			t.Errorf("files: %v", names)
		}
	})
}

// TestStatusReportPaid: a customer files the unemployment status report
// for the period before Easter 2024 (seed 000) on Tue 26.3; the run of Thu
// 28.3 pays it; the next period cannot be filed yet; another customer's
// benefit is not found.
func TestStatusReportPaid(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people := paymentFixture(t, db, 2)
		db.Now = func() time.Time { return time.Date(2024, 3, 26, 10, 0, 0, 0, time.UTC) }
		svc := paymentOn(db)
		u := payment.Benefit{PersonID: people[1].ID, Kind: "unemployment", AmountCents: 3767, IBAN: "FI4950009420028730", Starts: civil.New(2024, 3, 14)}
		if err := db.AddBenefit(ctx, &u); err != nil {
			t.Fatal(err)
		}
		me := access.AsCustomer(people[1].ID)
		next, err := svc.NextReport(ctx, me, u.ID)
		if err != nil || next.Period.End != civil.New(2024, 3, 27) || !next.CanFile || next.PaidIfFiledToday != civil.New(2024, 3, 28) {
			t.Fatalf("next = %+v, %v", next, err)
		}
		if _, err := svc.NextReport(ctx, access.AsCustomer(people[0].ID), u.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another's benefit = %v", err)
		}
		if _, err := svc.FileReport(ctx, me, u.ID, payment.ReportInput{SickDays: 99}); !fault.Is(err, fault.Invalid) {
			t.Errorf("99 sick days = %v", err)
		}
		r, err := svc.FileReport(ctx, me, u.ID, payment.ReportInput{Hours: 8, IncomeCents: 10000, SickDays: 1})
		if err != nil || r.PayDate != civil.New(2024, 3, 28) || r.AmountCents != 9*3767-5000 {
			t.Fatalf("report = %+v, %v", r, err)
		}
		// The next period ends 24.4: too early.
		if _, err := svc.FileReport(ctx, me, u.ID, payment.ReportInput{}); !fault.Is(err, fault.Invalid) || fault.KeyOf(err) != "payment.report.error.too_early" {
			t.Errorf("next period = %v", err)
		}
		o, err := svc.Payments(ctx, me)
		// Coming: the child benefit of 26.3, then the report's payment.
		if err != nil || len(o.Upcoming) < 2 || o.Upcoming[1].Period != "report:2024-03-14" || o.Upcoming[1].DueDate != civil.New(2024, 3, 28) ||
			len(o.NextReports) != 1 || o.NextReports[0].Number != 2 {
			t.Errorf("overview = %+v, %v", o, err)
		}
		rep, err := svc.Run(ctx, payer, civil.New(2024, 3, 28), payment.RunOptions{Publish: payment.Dir(t.TempDir())})
		if err != nil {
			t.Fatal(err)
		}
		paid, _ := svc.Payments(ctx, me)
		found := false
		for _, p := range paid.Past {
			if p.Period == "report:2024-03-14" && p.AmountCents == r.AmountCents && p.PayDate == civil.New(2024, 3, 28) {
				found = true
			}
		}
		if !found || rep.Run == nil {
			t.Errorf("the report was not paid: %+v", paid.Past)
		}
	})
}

// TestPaymentBenefitPersonKey: migration 00041 keys a payment's person to
// its benefit's on PostgreSQL (one foreign key over both columns, not one
// on each), so a payment naming another person is refused there; down and
// up again on either database keeps the payments.
func TestPaymentBenefitPersonKey(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people := paymentFixture(t, db, 3)
		rep, err := paymentOn(db).Run(ctx, payer, civil.New(2024, 4, 2), payment.RunOptions{Publish: payment.Discard{}})
		if err != nil || rep.Payments == 0 {
			t.Fatal(rep, err)
		}
		count := func() (n int) {
			t.Helper()
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM payments`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if got := count(); got != rep.Payments {
			t.Fatalf("%d payments stored, the run recorded %d", got, rep.Payments)
		}
		// Another person's name on a copy of one of person 1's payments.
		_, err = db.SQL().Exec(`INSERT INTO payments (id, person_id, benefit_id, kind, period, run_id, due_date, pay_date,
			amount_cents, iban, end_to_end_id, status, created_at)
			SELECT 'other', $1, benefit_id, kind, 'other', run_id, due_date, pay_date, amount_cents, iban, 'other', status, created_at
			FROM payments WHERE person_id = $2 LIMIT 1`, people[2].ID, people[1].ID)
		t.Log("insert naming another person:", err)
		if db.Dialect() == "postgres" && err == nil {
			t.Error("a payment naming a person other than its benefit's was stored")
		}
		if err == nil {
			if _, err := db.SQL().Exec(`DELETE FROM payments WHERE id = 'other'`); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.MigrateTo(ctx, 40); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != rep.Payments {
			t.Errorf("after down and up %d payments, want %d", got, rep.Payments)
		}
	})
}
