package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/store"
)

func TestPayCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath, db := migratedFile(t, dir)
	killFixture(t, db, 3)
	out := filepath.Join(dir, "out")
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--date", "2024-03-29"}, 2, "2024-03-29 is not a banking day"},
		{[]string{"--date", "29.3.2024"}, 2, "--date"},
		{[]string{"--date", "2024-03-26", "--pay-from-iban", "FI00"}, 1, "--pay-from-iban"},
		{[]string{"--date", "2024-03-26", "--dry-run"}, 0, "would pay 2024-03-26: 8 payments"},
		// Customer 0 of the fixture has an overdue claim: a third of each
		// of their three payments is offset (233.33 + 31.63 + 103.33 €).
		{[]string{"--date", "2024-03-26"}, 0, "paid 2024-03-26: 8 payments, 2636.47 €, 0 refused, file pain001-20240326-000001.xml\n" +
			"  offsets: 3 payments, 368.29 € withheld for recovery claims (3004.76 € before offsets)"},
		{[]string{"--date", "2024-03-26"}, 0, "paid 2024-03-26: 0 payments"},
		{[]string{"--date", "2024-03-26", "--json"}, 0, `"Payments": 0`},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"pay", "--db", dbPath, "--out", out, "--log-level", "error"}, tt.args...)...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("pay %v = %d\n%s%s\nwant %d and %q", tt.args, code, stdout, stderr, tt.code, tt.want)
		}
	}
	files, _ := os.ReadDir(out)
	if len(files) != 1 || !strings.HasPrefix(files[0].Name(), "pain001-20240326-") {
		t.Errorf("files = %v", files)
	}
}

// TestWorkerPays: `etuus worker --pay` runs the day's payments with no web
// front, and two workers at once pay each benefit once.
func TestWorkerPays(t *testing.T) {
	dir := t.TempDir()
	dbPath, db := migratedFile(t, dir)
	today := civil.Today(time.Now())
	if !bankday.IsBankingDay(today) {
		t.Skip("today is not a banking day: the worker pays nothing (payLoop is tested below)")
	}
	p := customer.Person{GivenName: "Worker", FamilyName: "Test"}
	if err := db.CreatePerson(t.Context(), &p); err != nil {
		t.Fatal(err)
	}
	b := payment.Benefit{PersonID: p.ID, Kind: "backdated", AmountCents: 5000, IBAN: "FI4950009420028730",
		Starts: today.AddDays(-60), Decided: bankday.Previous(today)}
	if err := db.AddBenefit(t.Context(), &b); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if code, _, errOut := runCmdCtx(ctx, "worker", "--db", dbPath, "--pay", "--pay-every", "50ms", "--out", out, "--log-level", "error"); code != 0 {
				t.Errorf("worker = %d %s", code, errOut)
			}
		})
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		runs, _ := db.Payment().Runs(t.Context(), 10)
		if len(runs) == 1 && runs[0].Status == payment.RunPublished {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no published run: %+v", runs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // more ticks of both workers
	cancel()
	wg.Wait()
	runs, _ := db.Payment().Runs(t.Context(), 10)
	files, _ := os.ReadDir(out)
	if len(runs) != 1 || runs[0].Payments != 1 || len(files) != 1 {
		t.Errorf("runs %+v, files %v", runs, files)
	}
}

func runCmdCtx(ctx context.Context, args ...string) (int, string, string) {
	var out, errb strings.Builder
	code := run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// migratedFile is a migrated SQLite file in dir that the commands the test
// runs open too.
func migratedFile(t *testing.T, dir string) (string, *store.DB) {
	t.Helper()
	path := filepath.Join(dir, "etuus.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return path, db
}

// TestPaymentsPage: a demo customer sees their past and coming payments in
// each language; another customer's payment answers 404.
func TestPaymentsPage(t *testing.T) {
	e := startApp(t)
	sanna := browser()
	e.signIn(sanna, "test-citizen", "demo-person-sanna")
	past, err := e.db().Payment().PaymentsOf(t.Context(), "demo-person-sanna")
	if err != nil || len(past) == 0 {
		t.Fatalf("demo payments of Sanna: %d, %v", len(past), err)
	}
	e.inEachLanguage(sanna, "/my/payments", map[string][]string{
		"fi": {"Maksusi", "Lapsilisä", "Tulevat maksut", "94,91"},
		"sv": {"Dina betalningar", "Barnbidrag", "Underhållsstöd", "Kommande betalningar"},
		"en": {"Your payments", "Child benefit", "Maintenance allowance", "Coming payments", "Sent to the bank"},
	})
	if resp, body := e.get(sanna, "/my/payments/"+past[0].ID); resp.StatusCode != 200 || !strings.Contains(body, past[0].EndToEndID) {
		t.Errorf("own payment = %d", resp.StatusCode)
	}
	others, _ := e.db().Payment().PaymentsOf(t.Context(), "demo-person-matti")
	if len(others) == 0 {
		t.Fatal("Matti has no demo payments")
	}
	if resp, _ := e.get(sanna, "/my/payments/"+others[0].ID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another's payment = %d, want 404", resp.StatusCode)
	}
	if resp, _ := e.get(browser(), "/my/payments"); resp.StatusCode == 200 && !strings.Contains(resp.Request.URL.Path, "login") {
		t.Errorf("signed out: %d %s", resp.StatusCode, resp.Request.URL)
	}
}

// TestStatusReportEndToEnd: demo Matti files his unemployment status
// report, sees when it is paid, and `etuus pay` on that day writes a
// schema-valid file with the payment; another customer's benefit is 404.
func TestStatusReportEndToEnd(t *testing.T) {
	e := startApp(t)
	matti := browser()
	english(e, matti)
	e.signIn(matti, "test-citizen", "demo-person-matti")
	const benefit = "demo-benefit-matti-unemployment"
	if _, body := e.get(matti, "/my/payments"); !strings.Contains(body, "/my/payments/reports/"+benefit) {
		t.Fatalf("no report link:\n%s", body)
	}
	if resp, body := e.get(matti, "/my/payments/reports/"+benefit); resp.StatusCode != 200 || !strings.Contains(body, "Unemployment status report") {
		t.Fatalf("form = %d", resp.StatusCode)
	}
	resp, body := e.post(matti, "/my/payments/reports/"+benefit, url.Values{"hours": {"twelve"}, "income": {"0"}, "sick_days": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Give a whole number") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("bad hours = %d", resp.StatusCode)
	}
	resp, body = e.post(matti, "/my/payments/reports/"+benefit, url.Values{"hours": {"12"}, "income": {"250,00"}, "sick_days": {"1"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Your report has been filed") {
		t.Fatalf("filing = %d:\n%s", resp.StatusCode, body)
	}
	rs, err := e.db().Payment().ReportsOf(t.Context(), "demo-person-matti", benefit)
	if err != nil || len(rs) != 1 || rs[0].IncomeCents != 25000 {
		t.Fatalf("reports = %+v, %v", rs, err)
	}
	sanna := browser()
	e.signIn(sanna, "test-citizen", "demo-person-sanna")
	if resp, _ := e.get(sanna, "/my/payments/reports/"+benefit); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another's benefit = %d", resp.StatusCode)
	}
	if resp, _ := e.post(sanna, "/my/payments/reports/"+benefit, url.Values{"hours": {"1"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("filing for another = %d", resp.StatusCode)
	}
	// The run of the pay day (with the web front still up: the run needs
	// only the database) pays it.
	out := t.TempDir()
	code, stdout, errOut := runCmd(t, "pay", "--db", e.dbURL(), "--out", out, "--date", rs[0].PayDate.String(), "--log-level", "error")
	if code != 0 {
		t.Fatalf("pay = %d %s", code, errOut)
	}
	files, _ := os.ReadDir(out)
	if len(files) != 1 {
		t.Fatalf("pay: %s; files %v", stdout, files)
	}
	b, _ := os.ReadFile(filepath.Join(out, files[0].Name()))
	if want := fmt.Sprintf("%d.%02d", rs[0].AmountCents/100, rs[0].AmountCents%100); !strings.Contains(string(b), want) {
		t.Errorf("the file lacks the report's %s:\n%s", want, b)
	}
}
