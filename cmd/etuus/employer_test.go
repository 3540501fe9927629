package main

import (
	"bytes"
	"github.com/etuus/etuus/internal/employer"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/store/storetest"
)

// signedIn is a client signed in as the demo citizen.
func (e *running) signedIn(t *testing.T, subject string) *http.Client {
	t.Helper()
	c := browser()
	if resp, _ := e.signIn(c, "test-citizen", subject); resp.Request.URL.Path != "/my" {
		t.Fatalf("%s signed in at %s", subject, resp.Request.URL)
	}
	return c
}

// page gets a page, wanting the status and texts.
func (e *running) page(t *testing.T, c *http.Client, path string, status int, texts ...string) string {
	t.Helper()
	resp, body := e.get(c, path)
	if resp.StatusCode != status {
		t.Fatalf("%s: %d, want %d\n%s", path, resp.StatusCode, status, body)
	}
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", path, s)
		}
	}
	return body
}

var appLink = regexp.MustCompile(`/employer/org/[0-9-]+/applications/([0-9a-f-]{36})`)

var employeeThread = regexp.MustCompile(`/my/messages/([0-9a-f-]{36})`)

// TestEmployerApplicationsEndToEnd: the demo employer's person applies
// for daily allowance paid as salary, staff decide, the employer sees the
// decision and the payment, the employee is told of the decision in
// their messages and sees the application naming them; another organisation's application is 404, a refused person is
// sent to the diagnosis.
func TestEmployerApplicationsEndToEnd(t *testing.T) {
	e := startApp(t)
	orgs := demoMandateOrgs(t)
	base := "/employer/org/" + orgs.Employer + "/applications"
	today := civil.Today(time.Now())

	teemu := e.signedIn(t, "demo-person-teemu")
	e.page(t, teemu, "/employer/org/"+orgs.Employer, 200, `href="`+base+`"`)
	e.page(t, teemu, base, 200, "Hyväksytty", "Käsiteltävänä", "Vanhempainpäiväraha", "100871-****")
	e.page(t, teemu, base+"/new", 200, `id="employee"`, `id="iban"`)

	form := url.Values{"benefit": {"sickness"}, "employee": {"241198-998V"}, "start": {today.AddDays(-9).String()},
		"end": {today.AddDays(-2).String()}, "salary": {"1 980,50"}, "iban": {"FI21 1234 5600 0007 85"}}
	resp, body := e.post(teemu, base, form)
	if resp.StatusCode != 422 || !strings.Contains(body, "Tarkista henkilötunnus") || !strings.Contains(body, `href="#employee"`) ||
		!strings.Contains(body, `value="241198-998V"`) {
		t.Fatalf("bad identity code: %d\n%s", resp.StatusCode, body)
	}
	form.Set("employee", "241198-998U")
	form.Set("salary", "1980,505")
	if resp, body := e.post(teemu, base, form); resp.StatusCode != 422 || !strings.Contains(body, `href="#salary"`) {
		t.Fatalf("a salary that is not euros: %d", resp.StatusCode)
	}
	form.Set("salary", "1 980,50")
	form.Set("end", today.AddDays(1).String())
	if resp, body := e.post(teemu, base, form); resp.StatusCode != 422 || !strings.Contains(body, "enintään tänään") {
		t.Fatalf("a period in the future: %d", resp.StatusCode)
	}
	form.Set("end", today.AddDays(-2).String())
	resp, body = e.post(teemu, base, form)
	if resp.StatusCode != 200 || !strings.Contains(body, "Hakemus on lähetetty") || !strings.Contains(body, "980,50") {
		t.Fatalf("apply: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(resp.Request.URL.String(), "241198") {
		t.Errorf("identity code in the URL %s", resp.Request.URL)
	}
	m := appLink.FindStringSubmatch(resp.Request.URL.Path)
	if m == nil {
		t.Fatalf("landed on %s", resp.Request.URL)
	}
	mine := m[1]
	if resp, _ := e.post(teemu, base, form); resp.StatusCode != 422 {
		t.Errorf("the same period again: %d", resp.StatusCode)
	}

	// The firm's employee applies for a client; neither sees the other's
	// application through their own organisation.
	tuula := e.signedIn(t, "demo-person-tuula")
	client := "/employer/org/" + orgs.Clients[7] + "/applications"
	form.Set("employee", "100871-998D")
	resp, _ = e.post(tuula, client, form)
	m = appLink.FindStringSubmatch(resp.Request.URL.Path)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("apply for a client: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	e.page(t, tuula, client+"/"+mine, 404)
	e.page(t, teemu, base+"/"+m[1], 404)
	e.page(t, teemu, base+"/not-an-id", 404)
	e.page(t, teemu, "/employer/org/1234567-0/applications", 404)

	// No mandate on the issue: refused, with the way to the diagnosis.
	aino := e.signedIn(t, "demo-person-aino")
	e.page(t, aino, base, 403, "/employer/org/"+orgs.Employer+"/diagnosis?issue=employer_benefits")
	e.page(t, aino, base+"/"+mine, 403)
	if resp, _ := e.post(aino, base, form); resp.StatusCode != 403 {
		t.Errorf("apply without the mandate: %d", resp.StatusCode)
	}

	// Staff decide by permission.
	olli := browser()
	e.signIn(olli, "test-staff", "staff-olli")
	e.page(t, olli, "/staff/employer", 403)
	e.page(t, olli, "/staff/employer/"+mine, 403)
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	e.page(t, anna, "/staff", 200, `href="/staff/employer"`)
	e.page(t, anna, "/staff/employer", 200, "/staff/employer/"+mine)
	e.page(t, anna, "/staff/employer/"+mine, 200, "241198-998U", `name="amount"`)
	if resp, body := e.post(anna, "/staff/employer/"+mine, url.Values{"decision": {"approve"}, "amount": {"1980,51"}}); resp.StatusCode != 422 || !strings.Contains(body, `href="#amount"`) {
		t.Errorf("more than the salary: %d", resp.StatusCode)
	}
	if resp, body := e.post(anna, "/staff/employer/"+mine, url.Values{"decision": {"approve"}, "amount": {"1 500"}}); resp.StatusCode != 200 || !strings.Contains(body, "Päätös on tallennettu") {
		t.Errorf("approve: %d", resp.StatusCode)
	}
	if resp, _ := e.post(anna, "/staff/employer/"+mine, url.Values{"decision": {"refuse"}, "reason": {"x"}}); resp.StatusCode != 422 {
		t.Errorf("decided twice: %d", resp.StatusCode)
	}
	e.page(t, teemu, base+"/"+mine, 200, "Hyväksytty", "500,00", "FI2112345600000785", "Maksu odottaa maksuajoa")

	// The next payment run pays it to the employer, in the file with the
	// rest, naming the application and not the employee; the employer,
	// staff and the employee see it paid.
	day := today
	for !bankday.IsBankingDay(day) {
		day = day.AddDays(1)
	}
	out := t.TempDir()
	if code, stdout, errOut := runCmd(t, "pay", "--db", e.dbURL(), "--out", out, "--date", day.String(), "--log-level", "error"); code != 0 {
		t.Fatalf("pay = %d %s%s", code, stdout, errOut)
	}
	files, _ := os.ReadDir(out)
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	raw, _ := os.ReadFile(filepath.Join(out, files[0].Name()))
	in, err := iso20022.ReadPain001(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	paid, e2e := 0, ""
	for _, p := range in.Batches[0].Payments {
		if strings.Contains(p.RemittanceText, mine) {
			paid, e2e = paid+1, p.EndToEndID
			if p.AmountCents != 150000 || p.CreditorIBAN != "FI2112345600000785" || p.CreditorName != "Demo Rakennus Oy" {
				t.Errorf("the employer's payment: %+v", p)
			}
		}
	}
	if paid != 1 || strings.Contains(string(raw), "241198-998U") {
		t.Errorf("%d payments of the application in the file, or the identity code in it:\n%s", paid, raw)
	}
	e.page(t, teemu, base+"/"+mine, 200, "on maksettu tilille FI2112345600000785, maksupäivä "+day.Finnish())
	e.page(t, teemu, base, 200, "Hyväksytty, maksettu "+day.Finnish())
	e.page(t, anna, "/staff/employer/"+mine, 200, "on maksettu tilille FI2112345600000785, maksupäivä "+day.Finnish())

	// The employees see who applied; a person no employer named sees none.
	johan := e.signedIn(t, "demo-person-johan")
	e.page(t, johan, "/my", 200, `href="/my/employer-applications"`)
	e.page(t, johan, "/my/employer-applications", 200, "Demo Rakennus Oy", "Sairauspäiväraha", "Hyväksytty, maksettu työnantajallesi "+day.Finnish())
	// Johan was told of the decision in his own messages, in his language
	// (English): who applied, the amount paid to the employer, why; not
	// the employer's account. His list links to it, he can answer it, and
	// no one else can open it.
	body = e.page(t, johan, "/my/employer-applications", 200, "Viesti päätöksestä")
	tm := employeeThread.FindStringSubmatch(body)
	if tm == nil {
		t.Fatalf("no link to the decision's message:\n%s", body)
	}
	e.page(t, johan, "/my/messages", 200, "Decision: your employer&#39;s daily allowance application approved")
	body = e.page(t, johan, tm[0], 200, "Demo Rakennus Oy", orgs.Employer, "Sickness allowance", "1,500.00",
		"paid to your employer because your employer paid you salary")
	if strings.Contains(body, "FI2112345600000785") || strings.Contains(body, "1,980.50") {
		t.Error("the employee's message tells the employer's account or salary")
	}
	if resp, _ := e.postMultipart(johan, tm[0], url.Values{"body": {"Why was it paid to my employer?"}}); resp.StatusCode != 200 {
		t.Errorf("the employee's answer: %d", resp.StatusCode)
	}
	matti := e.signedIn(t, "demo-person-matti")
	e.page(t, matti, tm[0], 404)
	body = e.page(t, matti, "/my/employer-applications", 200, "Demo Rakennus Oy")
	if strings.Contains(body, orgs.Clients[7]) == false {
		t.Error("Matti does not see the client's application naming him")
	}
	e.page(t, aino, "/my/employer-applications", 200, "Yksikään työnantaja")

	// The bank rejects the employer's payment: the employer reads why.
	report := filepath.Join(t.TempDir(), "pain002.xml")
	os.WriteFile(report, []byte(pain002For(in.MessageID, e2e, "AC04")), 0o600)
	if code, stdout, stderr := runCmd(t, "payments", "status-report", "--db", e.dbURL(), "--log-level", "error", report); code != 0 ||
		!strings.Contains(stdout, "1 payments marked rejected") {
		t.Errorf("status report = %d %s%s", code, stdout, stderr)
	}
	e.page(t, teemu, base+"/"+mine, 200, "Pankki ei maksanut", "tili on lopetettu", `action="`+base+"/"+mine+`/account"`)
	e.page(t, teemu, base, 200, "Hyväksytty, odottaa uutta tilinumeroa")
	e.page(t, teemu, "/employer/org/"+orgs.Employer+"/messages", 200, "Pankki hylkäsi korvauksen maksun")
	e.page(t, johan, "/my/employer-applications", 200, "maksu työnantajallesi ei mennyt perille")
	if body := e.page(t, johan, "/my/employer-applications", 200); strings.Contains(body, "FI2112345600000785") || strings.Contains(body, "tili on lopetettu") {
		t.Error("the employee is told of the employer's account")
	}

	// The organisation gives a corrected account (a bad one is refused
	// with the form again; the employee and a person without the mandate
	// cannot); the next run pays it again, once.
	e.repayEmployer(t, teemu, aino, base, mine, "FI49 5000 9420 0287 30", day, "FI4950009420028730", 150000)
	e.page(t, olli, "/staff/payments/returns", 200, mine, "AC04", "Maksettu uudelleen (maksupäivä "+day.Finnish()+")")
	e.page(t, johan, "/my/employer-applications", 200, "Hyväksytty, maksettu työnantajallesi "+day.Finnish())

	// The bank returns the second payment (camt.054): the organisation is
	// told, gives another account, and the next run pays it once more.
	second := e.employerPaymentOf(t, mine, "FI4950009420028730")
	e.bankReturnsEmployer(t, in.Batches[0].DebtorIBAN, second, 150000, "AC01", day)
	e.page(t, teemu, "/employer/org/"+orgs.Employer+"/messages", 200, "Pankki palautti korvauksen maksun")
	e.page(t, olli, "/staff/payments/returns", 200, "AC01", "Odottaa uutta tilinumeroa")
	e.repayEmployer(t, teemu, aino, base, mine, "FI21 1234 5600 0007 85", day, "FI2112345600000785", 150000)
	storetest.CheckInvariants(t, e.db())

	// Swedish and English.
	e.get(teemu, "/lang/sv")
	e.page(t, teemu, base+"/new", 200, "Ansök om dagpenning till arbetsgivaren", "Sjukdagpenning")
	e.get(teemu, "/lang/en")
	e.page(t, teemu, base+"/"+mine, 200, "Approved", "Payment")

	acts := strings.Join(e.auditActions(), ",")
	for _, a := range []string{"employer.apply", "employer.decide", "staff.employer_queue", "staff.employer_application_read", "mandate.decide"} {
		if !strings.Contains(acts, a) {
			t.Errorf("no %s in the audit log", a)
		}
	}
}

// bankReturnsEmployer imports a camt.054 of the debtor account returning
// the employer payment e2e of cents for the reason, as the operator
// would (etuus payments returns).
func (e *running) bankReturnsEmployer(t *testing.T, debtor, e2e string, cents int64, reason string, day civil.Date) {
	t.Helper()
	camtFile := filepath.Join(t.TempDir(), "camt054.xml")
	var buf bytes.Buffer
	h := iso20022.Header{Message: iso20022.Camt054, MessageID: "RET-" + e2e[:8], CreatedAt: time.Now().UTC(), AccountIBAN: debtor, Currency: "EUR"}
	entry := iso20022.Entry{AccountIBAN: debtor, Currency: "EUR", Status: iso20022.StatusBooked, CreditDebit: iso20022.Credit,
		AmountCents: cents, AcctSvcrRef: "R-" + e2e[:8], BookingDate: day.String(), ValueDate: day.String(),
		Transactions: []iso20022.Transaction{{AmountCents: cents, EndToEndID: e2e, ReturnReason: reason}}}
	if err := iso20022.WriteCamt054(&buf, h, slices.Values([]iso20022.Entry{entry})); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(camtFile, buf.Bytes(), 0o600)
	if code, stdout, stderr := runCmd(t, "payments", "returns", "--db", e.dbURL(), "--log-level", "error", camtFile); code != 0 ||
		!strings.Contains(stdout, "1 payments marked returned") {
		t.Fatalf("returns = %d %s%s", code, stdout, stderr)
	}
}

// employerPaymentOf is the end-to-end ID of the application's payment to
// the account.
func (e *running) employerPaymentOf(t *testing.T, appID, account string) string {
	t.Helper()
	var e2e string
	if err := e.db().SQL().QueryRow(`SELECT end_to_end_id FROM employer_payments WHERE application_id = $1 AND iban = $2`, appID, account).Scan(&e2e); err != nil {
		t.Fatal(err)
	}
	return e2e
}

// repayEmployer gives the corrected account on the application's page, as
// the organisation's person: a bad account is refused with the form, a
// person without the mandate is refused; the account is saved once; then
// two payment runs pay the application once, to it, cents.
func (e *running) repayEmployer(t *testing.T, org, refused *http.Client, base, appID, account string, day civil.Date, want string, cents int64) {
	t.Helper()
	path := base + "/" + appID + "/account"
	resp, body := e.post(org, path, url.Values{"iban": {"FI21 1234 5600 0007 86"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "Tarkista tilinumero") || !strings.Contains(body, `href="#iban"`) ||
		!strings.Contains(body, `value="FI21 1234 5600 0007 86"`) {
		t.Fatalf("a bad account: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := e.post(refused, path, url.Values{"iban": {account}}); resp.StatusCode != 403 {
		t.Errorf("without the mandate: %d", resp.StatusCode)
	}
	resp, body = e.post(org, path, url.Values{"iban": {account}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Tilinumero on tallennettu") || !strings.Contains(body, want) || strings.Contains(body, `name="iban"`) {
		t.Fatalf("the account: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := e.post(org, path, url.Values{"iban": {account}}); resp.StatusCode != 409 {
		t.Errorf("a second account: %d", resp.StatusCode)
	}
	out := t.TempDir()
	for range 2 {
		if code, stdout, errOut := runCmd(t, "pay", "--db", e.dbURL(), "--out", out, "--date", day.String(), "--log-level", "error"); code != 0 {
			t.Fatalf("pay = %d %s%s", code, stdout, errOut)
		}
	}
	files, _ := os.ReadDir(out)
	paid := 0
	for _, f := range files {
		raw, _ := os.ReadFile(filepath.Join(out, f.Name()))
		in, err := iso20022.ReadPain001(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range in.Batches[0].Payments {
			if strings.Contains(p.RemittanceText, appID) {
				paid++
				if p.CreditorIBAN != want || p.AmountCents != cents {
					t.Errorf("paid again: %+v", p)
				}
			}
		}
	}
	if paid != 1 {
		t.Errorf("paid again %d times in %d files", paid, len(files))
	}
	e.page(t, org, base+"/"+appID, 200, "on maksettu tilille "+want, "maksetaan uudelleen")
}

// failedEmployerPayment has the bank reject the payment of one of the
// demo employer's approved applications of the kind (paying it first when
// the demo's runs have not) and returns the application's ID: its page
// then offers the corrected account form.
func (e *running) failedEmployerPayment(t *testing.T, org string, kind employer.Kind) string {
	t.Helper()
	q := `SELECT e.application_id, e.end_to_end_id, r.message_id FROM employer_payments e JOIN payment_runs r ON r.id = e.run_id
		JOIN employer_applications a ON a.id = e.application_id
		WHERE e.org_id = $1 AND a.kind = $2 AND e.status = 'sent' ORDER BY e.application_id LIMIT 1`
	var app, e2e, msg string
	if err := e.db().SQL().QueryRow(q, org, string(kind)).Scan(&app, &e2e, &msg); err != nil {
		day := civil.Today(time.Now())
		for !bankday.IsBankingDay(day) {
			day = day.AddDays(1)
		}
		if code, stdout, errOut := runCmd(t, "pay", "--db", e.dbURL(), "--out", t.TempDir(), "--date", day.String(), "--log-level", "error"); code != 0 {
			t.Fatalf("pay = %d %s%s", code, stdout, errOut)
		}
		if err := e.db().SQL().QueryRow(q, org, string(kind)).Scan(&app, &e2e, &msg); err != nil {
			t.Fatalf("no employer payment to reject: %v", err)
		}
	}
	report := filepath.Join(t.TempDir(), "pain002.xml")
	os.WriteFile(report, []byte(pain002For(msg, e2e, "AC01")), 0o600)
	if code, stdout, stderr := runCmd(t, "payments", "status-report", "--db", e.dbURL(), "--log-level", "error", report); code != 0 {
		t.Fatalf("status report = %d %s%s", code, stdout, stderr)
	}
	return app
}
