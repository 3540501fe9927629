package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/recovery"
)

func english(e *running, c *http.Client) {
	u, _ := url.Parse(e.base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en"}})
}

// demoClaim is a demo person's first claim.
func (e *running) demoClaim(personID string) recovery.Claim {
	e.t.Helper()
	cs, err := e.db().Recovery().ClaimsOf(context.Background(), personID)
	if err != nil || len(cs) == 0 {
		e.t.Fatalf("claims of %s: %v", personID, err)
	}
	return cs[0]
}

// paymentFile is a camt.054 paying cents to the reference on our account.
func paymentFile(t testing.TB, dir, ref string, cents int64, archive string) string {
	return paymentFileOn(t, dir, ref, cents, archive, civil.Of(time.Now()))
}

// paymentFileOn is paymentFile with the payment's value date.
func paymentFileOn(t testing.TB, dir, ref string, cents int64, archive string, day civil.Date) string {
	t.Helper()
	var buf bytes.Buffer
	h := iso20022.Header{Message: iso20022.Camt054, MessageID: "MSG-" + archive, CreatedAt: time.Now().UTC(), AccountIBAN: "FI3715903000000776", Currency: "EUR"}
	today := day.String()
	e := iso20022.Entry{AccountIBAN: "FI3715903000000776", AcctSvcrRef: archive, CreditDebit: iso20022.Credit, Status: iso20022.StatusBooked,
		BookingDate: today, ValueDate: today, AmountCents: cents, Currency: "EUR",
		Transactions: []iso20022.Transaction{{AmountCents: cents, Reference: ref, ReferenceType: "SCOR", DebtorName: "Maija Meikäläinen"}}}
	if err := iso20022.WriteCamt054(&buf, h, slices.Values([]iso20022.Entry{e})); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "camt054-"+archive+".xml")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var barcodeRe = regexp.MustCompile(`id="barcode" class="barcode">(\d{54})<`)

func TestRecoveryEndToEnd(t *testing.T) {
	e := startApp(t)
	maija := browser()
	english(e, maija)
	e.signIn(maija, "test-citizen", "demo-person-maija")
	_, body := e.get(maija, "/my/claims")
	if !strings.Contains(body, "Government-guaranteed student loan debt") || !strings.Contains(body, "2\u00a0340,00\u00a0€") {
		t.Fatalf("claims page:\n%s", body)
	}
	claim := e.demoClaim("demo-person-maija")
	_, body = e.get(maija, "/my/claims/"+claim.ID)
	m := barcodeRe.FindStringSubmatch(body)
	if m == nil || !strings.HasPrefix(m[1], "4371590300000077600234000") || !strings.Contains(body, "FI37 1590 3000 0007 76") || !strings.Contains(body, claim.Reference.Grouped()) {
		t.Fatalf("claim page lacks the payment details:\n%s", body)
	}
	if resp, body := e.get(maija, "/my/claims/"+claim.ID+"/slip"); resp.StatusCode != 200 || !strings.Contains(body, m[1]) {
		t.Errorf("slip: %d", resp.StatusCode)
	}
	if resp, body := e.get(maija, "/my/claims/"+claim.ID+"/slip.pdf"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(body, "%PDF-") || !strings.Contains(body, m[1]) || !strings.Contains(body, "FI37 1590 3000 0007 76") {
		t.Errorf("PDF slip: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// Another customer sees nothing of it.
	matti := browser()
	english(e, matti)
	e.signIn(matti, "test-citizen", "demo-person-matti")
	for _, p := range []string{"", "/slip", "/slip.pdf", "/plan", "/exemption"} {
		if resp, _ := e.get(matti, "/my/claims/"+claim.ID+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another customer's GET %s = %d; want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := e.post(matti, "/my/claims/"+claim.ID+"/plan", url.Values{"monthly": {"100"}, "action": {"send"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's plan POST = %d; want 404", resp.StatusCode)
	}

	first := civil.Of(time.Now()).AddDays(10).String()
	planURL := "/my/claims/" + claim.ID + "/plan"
	// Outside the rules: refused with the rule, nothing stored.
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"monthly": {"10"}, "first_due": {first}}, "at least 30,00\u00a0€ a month"},
		{url.Values{"months": {"40"}, "first_due": {first}}, "the maximum is 36"},
		{url.Values{"monthly": {"100"}, "months": {"10"}, "first_due": {first}}, "not both"},
		{url.Values{"monthly": {""}, "months": {""}, "first_due": {first}}, "Fill in either the monthly amount (at least 30,00\u00a0€) or the number of months (at most 36)"},
		{url.Values{"monthly": {"-5"}, "first_due": {first}}, "in euros"},
		{url.Values{"monthly": {"100"}, "first_due": {"2001-01-01"}}, "cannot be in the past"},
	} {
		tc.form.Set("action", "send")
		resp, body := e.post(maija, planURL, tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("plan %v: %d; want 422 saying %q", tc.form, resp.StatusCode, tc.want)
		}
	}
	if ps, _ := e.db().Recovery().PendingProposals(context.Background(), 10); len(ps) != 0 {
		t.Fatalf("refused plans were stored: %d", len(ps))
	}
	_, body = e.post(maija, planURL, url.Values{"monthly": {"100"}, "first_due": {first}, "action": {"preview"}})
	if !strings.Contains(body, "24 instalments of 100,00\u00a0€ a month") {
		t.Fatalf("preview:\n%s", body)
	}
	resp, body := e.post(maija, planURL, url.Values{"monthly": {"100"}, "first_due": {first}, "message": {"I can pay 100 a month."}, "action": {"send"}})
	if resp.Request.URL.Path != "/my/claims/"+claim.ID || !strings.Contains(body, "has been sent") || !strings.Contains(body, "Waiting for a decision") {
		t.Fatalf("after sending at %s:\n%s", resp.Request.URL, body)
	}

	// Staff of another unit may not decide; the Centre's staff may.
	kaisa := browser()
	e.signIn(kaisa, "test-staff", "staff-kaisa")
	if resp, _ := e.get(kaisa, "/staff/recovery"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another unit's queue = %d", resp.StatusCode)
	}
	if resp, _ := e.get(maija, "/staff/recovery"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a citizen on the staff queue = %d", resp.StatusCode)
	}
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	_, body = e.get(anna, "/staff/recovery")
	if !strings.Contains(body, "Maija Meikäläinen") || !strings.Contains(body, "I can pay 100 a month.") {
		t.Fatalf("queue:\n%s", body)
	}
	ps, _ := e.db().Recovery().PendingProposals(context.Background(), 10)
	if resp, _ := e.post(anna, "/staff/recovery/proposals/"+ps[0].ID, url.Values{"decision": {"reject"}, "reason": {"made-up"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("rejection without a listed reason = %d", resp.StatusCode)
	}
	resp, body = e.post(anna, "/staff/recovery/proposals/"+ps[0].ID, url.Values{"decision": {"approve"}})
	if !strings.Contains(body, "was approved") {
		t.Fatalf("approve: %d\n%s", resp.StatusCode, body)
	}
	_, body = e.get(maija, "/my/claims/"+claim.ID)
	if !strings.Contains(body, "In a payment plan") || !strings.Contains(body, "Current payment plan") {
		t.Fatalf("after approval:\n%s", body)
	}

	// The bank file pays the first instalment.
	dir := t.TempDir()
	file := paymentFile(t, dir, claim.Reference.String(), 10000, "ARCH-0001")
	code, out, errOut := runCmd(t, "reconcile", "--db", e.app.db.String(), file)
	if code != 0 || !strings.Contains(out, "Booked 1 (100.00 €)") {
		t.Fatalf("reconcile = %d\n%s\n%s", code, out, errOut)
	}
	_, body = e.get(maija, "/my/claims/"+claim.ID)
	if !strings.Contains(body, `id="balance">2`+"\u00a0"+`240,00`) || !strings.Contains(body, "Payment received") {
		t.Fatalf("after the payment:\n%s", body)
	}
	code, _, errOut = runCmd(t, "reconcile", "--db", e.app.db.String(), file)
	if code != 1 || !strings.Contains(errOut, "already been imported") {
		t.Errorf("the same file again = %d %q", code, errOut)
	}
	acts := strings.Join(e.auditActions(), ",")
	for _, a := range []string{"recovery.plan_proposed", "staff.view_recovery_queue", "recovery.plan_approved", "bank.import"} {
		if !strings.Contains(acts, a) {
			t.Errorf("audit lacks %s", a)
		}
	}
}

// BenchmarkClaimsPage is a signed-in citizen's claims page with 10 claims,
// requested over loopback by parallel keep-alive clients.
func BenchmarkClaimsPage(b *testing.B) {
	e := startApp(b)
	ctx := context.Background()
	for i := 0; i < 9; i++ {
		c := recovery.Claim{PersonID: "demo-person-maija", Kind: recovery.Overpayment, Principal: int64(10000 + i), DueDate: civil.Of(time.Now()).AddDays(20)}
		if err := e.db().CreateClaim(ctx, &c); err != nil {
			b.Fatal(err)
		}
	}
	c := browser()
	e.signIn(c, "test-citizen", "demo-person-maija")
	if _, body := e.get(c, "/my/claims"); strings.Count(body, `href="/my/claims/`) != 10 {
		b.Fatal("the page does not show 10 claims")
	}
	loopbackRate(b, c, e.base+"/my/claims")
}

// loopbackRate asks for a page from 8 parallel keep-alive clients sharing
// c's session and reports requests per second.
func loopbackRate(b *testing.B, c *http.Client, url string) {
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func TestAutoApprovedPlan(t *testing.T) {
	e := startApp(t, func(c *config) { c.AutoApprove = true })
	c := browser()
	english(e, c)
	e.signIn(c, "test-citizen", "demo-person-maija")
	claim := e.demoClaim("demo-person-maija")
	first := civil.Of(time.Now()).AddDays(10).String()
	_, body := e.post(c, "/my/claims/"+claim.ID+"/plan", url.Values{"months": {"12"}, "first_due": {first}, "action": {"send"}})
	if !strings.Contains(body, "In a payment plan") || !strings.Contains(body, "Approved") {
		t.Errorf("with automatic approval the plan is not approved:\n%s", body)
	}
	if ps, _ := e.db().Recovery().PendingProposals(context.Background(), 10); len(ps) != 0 {
		t.Errorf("%d proposals wait for staff", len(ps))
	}
}

// TestBankImportUsesRecoveryRules books a payment a year after the due date
// through `etuus reconcile` and through the staff upload, each with a rule
// table of 10 % student loan interest: the interest met by the payment is
// the table's, not the built-in 4 %.
func TestBankImportUsesRecoveryRules(t *testing.T) {
	b, err := os.ReadFile("../../internal/recovery/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	var table map[string]any
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatal(err)
	}
	for _, row := range table["interest"].(map[string]any)["student_loan"].([]any) {
		row.(map[string]any)["rate_bp"] = 1000
	}
	b, _ = json.Marshal(table)
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(rules, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// 2 340 € for 365 days at 10 % is 234 €; at the built-in 4 %, 93.60 €.
	const want = 23400
	e := startApp(t, func(c *config) { c.RecoveryRules = rules })
	claim := e.demoClaim("demo-person-maija")
	late := claim.DueDate.AddDays(365)

	file := paymentFileOn(t, dir, claim.Reference.String(), 10000, "RULES-CLI", late)
	if code, out, errOut := runCmd(t, "reconcile", "--db", e.dbURL(), "--recovery-rules", rules, file); code != 0 {
		t.Fatalf("reconcile = %d %s %s", code, out, errOut)
	}
	if got := e.demoClaim("demo-person-maija"); got.Interest != want {
		t.Errorf("after reconcile the interest is %d; want %d", got.Interest, want)
	}
	// The customer's claim page says up to which day interest is counted:
	// the payment's value date (after today, so nothing is added to it).
	maija := browser()
	english(e, maija)
	e.signIn(maija, "test-citizen", "demo-person-maija")
	if _, body := e.get(maija, "/my/claims/"+claim.ID); !strings.Contains(body, `id="interest-to">Counted up to `+late.Finnish()+`.`) {
		t.Errorf("claim page does not say up to %s:\n%s", late.Finnish(), body)
	}
	if _, body := e.get(maija, "/my/claims"); !strings.Contains(body, `id="interest-note">Balances include interest up to today`) {
		t.Errorf("claims page does not say how interest is charged:\n%s", body)
	}

	ctx := context.Background()
	next := recovery.Claim{PersonID: "demo-person-maija", Kind: recovery.StudentLoan, Principal: 234000, DueDate: claim.DueDate}
	if err := e.db().CreateClaim(ctx, &next); err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(paymentFileOn(t, dir, next.Reference.String(), 10000, "RULES-WEB", late))
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	if resp, body := e.postMultipart(anna, "/staff/bank", nil, upload{"file", "camt.xml", string(content)}); resp.StatusCode != 200 {
		t.Fatalf("upload: %d\n%s", resp.StatusCode, body)
	}
	cs, _ := e.db().Recovery().ClaimsOf(ctx, "demo-person-maija")
	for _, c := range cs {
		if c.ID == next.ID && c.Interest != want {
			t.Errorf("after the staff upload the interest is %d; want %d", c.Interest, want)
		}
	}
}

// A payment the import could not book waits in the Centre's queue with a
// form; a specialist books it to the claim the payer meant, and the
// customer sees it paid.
func TestBankQueueByStaff(t *testing.T) {
	e := startApp(t)
	claim := e.demoClaim("demo-person-maija")
	content, _ := os.ReadFile(paymentFile(t, t.TempDir(), "11112", 10000, "Q-WEB-1"))
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	if resp, body := e.postMultipart(anna, "/staff/bank", nil, upload{"file", "camt.xml", string(content)}); resp.StatusCode != 200 || !strings.Contains(body, `id="queued">1<`) {
		t.Fatalf("upload: %d\n%s", resp.StatusCode, body)
	}
	q, err := e.db().Recovery().QueuedEntries(context.Background(), 10)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue: %+v %v", q, err)
	}
	_, body := e.get(anna, "/staff/recovery")
	if !strings.Contains(body, `action="/staff/recovery/bank/entries/`+q[0].ID+`"`) {
		t.Fatalf("the queue offers no action for the payment:\n%s", body)
	}
	// The operations user sees the upload but not the action.
	olli := browser()
	e.signIn(olli, "test-staff", "staff-olli")
	if resp, _ := e.post(olli, "/staff/recovery/bank/entries/"+q[0].ID, url.Values{"action": {"book"}, "reference": {claim.Reference.String()}, "note": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("operations staff booking: %d; want 403", resp.StatusCode)
	}
	resp, body := e.post(anna, "/staff/recovery/bank/entries/"+q[0].ID, url.Values{"action": {"book"}, "reference": {claim.Reference.Grouped()}, "note": {"Reference mistyped by the payer."}})
	if resp.StatusCode != 200 || !strings.Contains(body, "The payment was dealt with") {
		t.Fatalf("book: %d\n%s", resp.StatusCode, body)
	}
	if got := e.demoClaim("demo-person-maija"); got.Paid.Total() != 10000 {
		t.Errorf("the claim shows %d paid; want 10000", got.Paid.Total())
	}
	if _, body := e.get(anna, "/staff/recovery/bank/files/"+q[0].FileID); !strings.Contains(body, "Booked") || !strings.Contains(body, "Reference mistyped") {
		t.Errorf("the file's page:\n%s", body)
	}
}
