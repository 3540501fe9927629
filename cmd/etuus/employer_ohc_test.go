package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/store/storetest"
)

var ohcLink = regexp.MustCompile(`/employer/org/[0-9-]+/occupational-healthcare/([0-9a-f-]{36})`)

// TestOccupationalHealthcareEndToEnd: Teemu, whose mandate is restricted
// to workplaces 1001 and 1002, sees his workplaces' applications only,
// is refused workplace 789 with the reason and the way to the diagnosis,
// is told a late application's deadline, and applies for 1002; staff find
// it by kind and approve less than claimed with a reason; the employer
// sees the decision, and the payment run pays it once. The bank returns
// it: the organisation is told of this kind of reimbursement, gives a
// corrected account on its page (not on the daily-allowance route, not at
// another workplace), and the next run pays it again, once.
func TestOccupationalHealthcareEndToEnd(t *testing.T) {
	e := startApp(t)
	orgs := demoMandateOrgs(t)
	base := "/employer/org/" + orgs.Employer + "/occupational-healthcare"
	today := civil.Today(time.Now())
	end := civil.New(today.Year, today.Month-1, 1).AddDays(-1)
	start := civil.New(end.Year-1, end.Month+1, 1)

	teemu := e.signedIn(t, "demo-person-teemu")
	e.page(t, teemu, "/employer/org/"+orgs.Employer, 200, `href="`+base+`"`)
	body := e.page(t, teemu, base, 200, "Valtuutesi koskee työpaikkoja 1001, 1002", "Käsiteltävänä")
	if strings.Contains(body, ">1003<") {
		t.Error("Teemu sees workplace 1003's application")
	}
	e.page(t, teemu, base+"/new", 200, `id="workplace"`, `id="class1"`, "kuuden kuukauden")

	form := url.Values{"workplace": {"789"}, "start": {start.String()}, "end": {end.String()}, "employees": {"3"},
		"class1": {"1 000,00"}, "class2": {"500"}, "revenue": {""}, "iban": {"FI21 1234 5600 0007 85"}}
	if resp, body := e.post(teemu, base, form); resp.StatusCode != 403 || !strings.Contains(body, "ei koske työpaikkaa 789") ||
		!strings.Contains(body, "/employer/org/"+orgs.Employer+"/diagnosis?issue=occupational_healthcare&amp;workplace=789") {
		t.Fatalf("workplace 789: %d\n%s", resp.StatusCode, body)
	}
	// The diagnosis at that workplace names the restriction.
	e.page(t, teemu, "/employer/org/"+orgs.Employer+"/diagnosis?issue=occupational_healthcare&workplace=789", 200, "työpaikka 789")
	form.Set("workplace", "1002")
	form.Set("start", start.AddDays(-800).String())
	form.Set("end", end.AddDays(-800).String())
	if resp, body := e.post(teemu, base, form); resp.StatusCode != 422 || !strings.Contains(body, "Hakemus on myöhässä") ||
		!strings.Contains(body, `href="#end"`) || !strings.Contains(body, `value="1002"`) {
		t.Fatalf("late: %d\n%s", resp.StatusCode, body)
	}
	form.Set("start", start.String())
	form.Set("end", end.String())
	resp, body := e.post(teemu, base, form)
	m := ohcLink.FindStringSubmatch(resp.Request.URL.Path)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, "Hakemus on lähetetty") || !strings.Contains(body, "850,00") {
		t.Fatalf("apply: %d at %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	mine := m[1]
	if resp, body := e.post(teemu, base, form); resp.StatusCode != 422 || !strings.Contains(body, "päällekkäiseltä tilikaudelta") {
		t.Errorf("the same workplace and period again: %d", resp.StatusCode)
	}

	// Eeva sees every workplace; Teemu is refused the one he may not see.
	eeva := e.signedIn(t, "demo-person-eeva")
	body = e.page(t, eeva, base, 200, ">1001<", ">1002<", ">1003<")
	var other string
	for _, l := range ohcLink.FindAllStringSubmatch(body, -1) {
		if l[1] != mine {
			if b := e.page(t, eeva, base+"/"+l[1], 200); strings.Contains(b, "<dd>1003</dd>") {
				other = l[1]
			}
		}
	}
	if other == "" {
		t.Fatal("no application of workplace 1003 in Eeva's list")
	}
	// Another workplace's application: 404, as another organisation's
	// (an ID tried tells nothing, not even its workplace).
	e.page(t, teemu, base+"/"+other, 404)
	e.page(t, teemu, "/employer/org/"+orgs.Employer+"/applications/"+mine, 404)
	aino := e.signedIn(t, "demo-person-aino")
	e.page(t, aino, base, 403, "diagnosis?issue=occupational_healthcare")

	// Staff: the queue by kind; more than claimed and less without a
	// reason refused; less with a reason approved.
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	e.page(t, anna, "/staff/employer?kind=occupational_healthcare", 200, "/staff/employer/"+mine, "työpaikka 1002")
	e.page(t, anna, "/staff/employer/"+mine, 200, "Työpaikan numero", "850,00", `name="amount"`)
	if resp, body := e.post(anna, "/staff/employer/"+mine, url.Values{"decision": {"approve"}, "amount": {"850,01"}}); resp.StatusCode != 422 || !strings.Contains(body, `href="#amount"`) {
		t.Errorf("more than claimed: %d", resp.StatusCode)
	}
	if resp, body := e.post(anna, "/staff/employer/"+mine, url.Values{"decision": {"approve"}, "amount": {"800"}}); resp.StatusCode != 422 || !strings.Contains(body, `href="#reason"`) {
		t.Errorf("less without a reason: %d", resp.StatusCode)
	}
	if resp, body := e.post(anna, "/staff/employer/"+mine, url.Values{"decision": {"approve"}, "amount": {"800"},
		"reason": {"Työntekijäkohtainen enimmäismäärä ylittyy."}}); resp.StatusCode != 200 || !strings.Contains(body, "Päätös on tallennettu") {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	e.page(t, teemu, base+"/"+mine, 200, "Hyväksytty", "800,00", "Työntekijäkohtainen enimmäismäärä ylittyy.", "Maksu odottaa maksuajoa")

	// The payment run pays it once; a second run pays it no more.
	day := today
	for !bankday.IsBankingDay(day) {
		day = day.AddDays(1)
	}
	paid, e2e, debtor := 0, "", ""
	for range 2 {
		out := t.TempDir()
		if code, stdout, errOut := runCmd(t, "pay", "--db", e.dbURL(), "--out", out, "--date", day.String(), "--log-level", "error"); code != 0 {
			t.Fatalf("pay = %d %s%s", code, stdout, errOut)
		}
		files, _ := os.ReadDir(out)
		for _, f := range files {
			raw, _ := os.ReadFile(filepath.Join(out, f.Name()))
			in, err := iso20022.ReadPain001(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range in.Batches[0].Payments {
				if strings.Contains(p.RemittanceText, mine) {
					paid, e2e, debtor = paid+1, p.EndToEndID, in.Batches[0].DebtorIBAN
					if p.AmountCents != 80000 || p.CreditorIBAN != "FI2112345600000785" || p.CreditorName != "Demo Rakennus Oy" ||
						!strings.HasPrefix(p.RemittanceText, "Kela työterveyshuollon korvaus/ersättning för företagshälsovård, hakemus/ansökan ") {
						t.Errorf("the payment: %+v", p)
					}
				}
			}
		}
	}
	if paid != 1 {
		t.Errorf("paid %d times", paid)
	}
	e.page(t, teemu, base+"/"+mine, 200, "on maksettu tilille FI2112345600000785, maksupäivä "+day.Finnish())
	e.page(t, teemu, base, 200, "Hyväksytty, maksettu "+day.Finnish())

	// The bank returns it (camt.054): the organisation's message names the
	// occupational-healthcare reimbursement and its workplace; the page
	// offers the corrected account form on this kind's route; staff see
	// the kind. The daily-allowance route does not take this
	// application's account, and Teemu cannot give one at workplace 1003.
	e.bankReturnsEmployer(t, debtor, e2e, 80000, "AC01", day)
	e.page(t, teemu, base+"/"+mine, 200, "Pankki ei maksanut", "tilinumero on virheellinen", `action="`+base+"/"+mine+`/account"`)
	e.page(t, teemu, base, 200, "Hyväksytty, odottaa uutta tilinumeroa")
	msgs := "/employer/org/" + orgs.Employer + "/messages"
	body = e.page(t, teemu, msgs, 200, "Pankki palautti korvauksen maksun")
	thread := regexp.MustCompile(`href="(` + msgs + `/[0-9a-f-]{36})"`).FindStringSubmatch(body)
	if thread == nil {
		t.Fatal("no thread in the organisation's messages")
	}
	e.page(t, teemu, thread[1], 200, "työterveyshuollon korvaus, työpaikka 1002, tilikausi "+start.Finnish()+"–"+end.Finnish(),
		"kohdassa Työterveyshuollon korvaukset")
	olli := browser()
	e.signIn(olli, "test-staff", "staff-olli")
	e.page(t, olli, "/staff/payments/returns", 200, mine, "AC01", "Työterveyshuolto, työpaikka 1002", "Odottaa uutta tilinumeroa")
	if resp, _ := e.post(teemu, "/employer/org/"+orgs.Employer+"/applications/"+mine+"/account", url.Values{"iban": {"FI4950009420028730"}}); resp.StatusCode != 404 {
		t.Errorf("the daily-allowance route gave an occupational-healthcare account: %d", resp.StatusCode)
	}
	if resp, body := e.post(teemu, base+"/"+other+"/account", url.Values{"iban": {"FI4950009420028730"}}); resp.StatusCode != 404 ||
		strings.Contains(body, "1003") {
		t.Errorf("Teemu gave workplace 1003's account: %d", resp.StatusCode)
	}
	e.repayEmployer(t, teemu, aino, base, mine, "FI49 5000 9420 0287 30", day, "FI4950009420028730", 80000)
	e.page(t, olli, "/staff/payments/returns", 200, mine, "Maksettu uudelleen (maksupäivä "+day.Finnish()+")")
	storetest.CheckInvariants(t, e.db())

	e.get(teemu, "/lang/sv")
	e.page(t, teemu, base+"/new", 200, "Ansök om ersättning för företagshälsovård")
	e.get(teemu, "/lang/en")
	e.page(t, teemu, base+"/"+mine, 200, "Claimed compensation", "Approved")

	acts := strings.Join(e.auditActions(), ",")
	for _, a := range []string{"employer.ohc_apply", "employer.decide", "mandate.decide"} {
		if !strings.Contains(acts, a) {
			t.Errorf("no %s in the audit log", a)
		}
	}
}
