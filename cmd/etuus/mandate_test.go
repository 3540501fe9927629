package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/browsertest"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fi/civil"
)

func demoMandateOrgs(t *testing.T) demo.MandateOrgs {
	d, err := demo.Set()
	if err != nil {
		t.Fatal(err)
	}
	_, orgs, err := demo.MandateFeed(d, civil.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return orgs
}

// TestEmployerPagesEndToEnd signs in the demo's mandate people through
// the test identity provider and walks what each may do and seed 004's
// three failure cases to their explanations.
func TestEmployerPagesEndToEnd(t *testing.T) {
	e := startApp(t)
	orgs := demoMandateOrgs(t)
	as := func(subject string) *http.Client { return e.signedIn(t, subject) }
	want := func(c *http.Client, path string, status int, texts ...string) string {
		t.Helper()
		return e.page(t, c, path, status, texts...)
	}

	// The accounting firm's employee: 5,001 clients, searchable, paged.
	tuula := as("demo-person-tuula")
	want(tuula, "/employer", 200, "5001 organisaation", "Sivu 1/251", "Asiakas 0001 Oy")
	want(tuula, "/employer?q=kahvila", 200, "Kahvila Demo Ky", orgs.Cafe)
	want(tuula, "/employer?q="+orgs.Clients[4321], 200, "Asiakas 4322 Oy")
	want(tuula, "/employer?page=251", 200, "Sivu 251/251")
	want(tuula, "/employer/org/"+orgs.Clients[4321], 200, "Sallittu")

	// The restricted employee: three clients; another client answers 404.
	raili := as("demo-person-raili")
	want(raili, "/employer", 200, "3 organisaation", "Kahvila Demo Ky")
	want(raili, "/employer/org/"+orgs.Clients[99], 404)
	body := want(raili, "/employer/diagnosis?org="+orgs.Clients[99], 200, "rajaustarkenteella")
	if strings.Contains(body, "Asiakas 0100 Oy") {
		t.Error("the restricted employee learns the name of a client outside the restriction")
	}

	// Case 1: Veikko's only mandate expired.
	veikko := as("demo-person-veikko")
	want(veikko, "/employer", 200, "Et voi toimia minkään organisaation puolesta", "päättyi", "IT-asiakastukeen")

	// Case 2: Vilma's firm gave her a transaction mandate.
	vilma := as("demo-person-vilma")
	want(vilma, "/employer", 200, "Tilitoimisto Demo Oy")
	want(vilma, "/employer/diagnosis?org="+orgs.Cafe, 200, orgs.Cafe, "edustamisvaltuus", "Väärä valtuustyyppi")
	body = want(vilma, "/employer/diagnosis?org="+orgs.Employer, 200, "Sinulla ei ole valtuutta")
	if strings.Contains(body, "Demo Rakennus") {
		t.Error("a person with no mandate learns the organisation's name")
	}
	want(vilma, "/employer/diagnosis?org=0737546-1", 422, "Tarkista Y-tunnus")

	// She asks the firm for the representation mandate from the diagnosis
	// page; Eeva, who grants the firm's representation mandates, is told
	// by e-mail (no name, no business ID in it), accepts, Vilma is let in.
	resp, body := e.post(vilma, "/employer/requests", url.Values{"principal": {orgs.Firm}, "type": {"representation"}, "issue": {"employer_benefits"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "1 valtuuksia hallinnoivaa henkilöä") {
		t.Fatalf("request: %d\n%s", resp.StatusCode, body)
	}
	var to, payload string
	if err := e.db().SQL().QueryRow(`SELECT recipient, payload FROM outbox WHERE kind = 'mandate_request'`).Scan(&to, &payload); err != nil || to != "eeva.esimies@example.fi" || strings.Contains(payload, orgs.Firm) {
		t.Errorf("notice to %q, %q: %v", to, payload, err)
	}
	eeva := as("demo-person-eeva")
	body = want(eeva, "/employer/requests", 200, "Vastaa pyyntöihin", orgs.Firm)
	m := regexp.MustCompile(`action="(/employer/requests/[^/"]+/accept)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no accept button:\n%s", body)
	}
	if resp, _ := e.post(vilma, m[1], nil); resp.StatusCode != 404 {
		t.Errorf("the requester answered her own request: %d", resp.StatusCode)
	}
	if resp, _ := e.post(eeva, m[1], nil); resp.StatusCode != 200 {
		t.Errorf("accept: %d", resp.StatusCode)
	}
	want(vilma, "/employer/requests", 200, "Hyväksytty")
	want(vilma, "/employer/org/"+orgs.Cafe, 200, "Sallittu")

	// Case 3: Aino chose Demo Rakennus; employer benefit applications refused.
	aino := as("demo-person-aino")
	want(aino, "/employer/org/"+orgs.Employer, 200, "Demo Rakennus Oy", "Miksi?")
	want(aino, "/employer/org/"+orgs.Employer+"/diagnosis?issue=employer_benefits", 200, "Et voi hoitaa asiaa", "ei koske asiaa")

	// The employer's own staff, in Swedish and English too.
	teemu := as("demo-person-teemu")
	want(teemu, "/employer/org/"+orgs.Employer, 200, "Sallittu")
	e.get(teemu, "/lang/sv")
	want(teemu, "/employer", 200, "Agera för en organisation", "Demo Rakennus Oy")
	e.get(teemu, "/lang/en")
	want(teemu, "/employer/org/"+orgs.Employer+"/diagnosis?issue=occupational_healthcare", 200, "You cannot act on")

	// Someone with no mandate at all: nothing to open.
	matti := as("demo-person-matti")
	want(matti, "/employer/org/"+orgs.Employer, 404)
	want(matti, "/employer", 200, "Sinulle ei ole annettu yhtään voimassa olevaa valtuutta")

	// Staff look-up: by permission, audited.
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	if resp, body := e.post(anna, "/staff/mandates", url.Values{"q": {"DEMO-TT-RAILI"}}); resp.StatusCode != 200 ||
		!strings.Contains(body, orgs.Cafe) || !strings.Contains(body, "edustamisvaltuus") || strings.Contains(resp.Request.URL.RawQuery, "DEMO") {
		t.Errorf("staff look-up: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	olli := browser()
	e.signIn(olli, "test-staff", "staff-olli")
	want(olli, "/staff/mandates", 403)
	acts := strings.Join(e.auditActions(), ",")
	for _, a := range []string{"mandate.import", "mandate.decide", "staff.mandate_lookup"} {
		if !strings.Contains(acts, a) {
			t.Errorf("no %s in the audit log", a)
		}
	}
}

func TestMandatesImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "e.db")
	feed := filepath.Join(dir, "feed.jsonl")
	good := `{"id":"M-1","principal":{"kind":"organisation","id":"2077474-0","name":"Firma Oy"},"agent":{"kind":"person","id":"010403A998U"},"type":"transaction","issues":["decisions"],"start":"2026-01-01","end":"2026-12-31"}` + "\n"
	if err := os.WriteFile(feed, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, "mandates", "import", "--db", db, feed)
	if code != 0 || !strings.Contains(out, "1 added") {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	code, out, _ = runCmd(t, "mandates", "import", "--db", db, feed)
	if code != 0 || !strings.Contains(out, "1 unchanged") {
		t.Fatalf("again: %d %s", code, out)
	}
	bad := good + `{"id":"M-2","op":"revoke","type":"grant"}` + "\n"
	if err := os.WriteFile(feed, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "mandates", "import", "--db", db, "--lang", "sv", feed)
	if code != 1 || !strings.Contains(errs, "Rad 2: En återkallelserad har endast id och op.") {
		t.Fatalf("bad feed: %d %s", code, errs)
	}
}

// TestAuthorizationsAPI: a partner system asks the decision over HTTP
// with a client secret staff issued; each class of the decision table on
// the demo register, the refusals of bad input and bad credentials.
func TestAuthorizationsAPI(t *testing.T) {
	e := startApp(t)
	orgs := demoMandateOrgs(t)
	ctx := context.Background()
	clients := apiclient.NewService(e.db().APIClients(), nil)
	ops := access.AsStaff("demo-staff-olli", "shared-services", "operations")
	c, secret, err := clients.Issue(ctx, ops, "Palkka Oy payroll", "1234567-1", []string{apiclient.ScopeAuthorizations})
	if err != nil {
		t.Fatal(err)
	}
	_, pharmacy, err := clients.Issue(ctx, ops, "Apteekki", "pharmacy-1", []string{apiclient.ScopePharmacy})
	if err != nil {
		t.Fatal(err)
	}
	d, err := demo.Set()
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	for _, p := range d.Persons {
		code[p.ID] = p.HETU
	}
	call := func(secret, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.base+"/api/v1/authorizations/check", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	ask := func(person, principal, client, issue string) string {
		b, _ := json.Marshal(map[string]string{"agent": code[person], "principal": principal, "client": client, "issue": issue})
		return string(b)
	}
	EB := "employer_benefits"
	for _, tc := range []struct {
		name, body, decision, reason string
	}{
		{"direct", ask("demo-person-teemu", orgs.Employer, "", EB), "ALLOWED", "direct_transaction_mandate"},
		{"chain", ask("demo-person-tuula", orgs.Firm, orgs.Clients[17], EB), "ALLOWED", "firm_chain"},
		{"chain without naming the firm", ask("demo-person-tuula", orgs.Clients[17], "", EB), "ALLOWED", "firm_chain"},
		{"chain with restriction", ask("demo-person-raili", orgs.Firm, orgs.Cafe, EB), "ALLOWED", "firm_chain"},
		{"wrong type", ask("demo-person-vilma", orgs.Firm, orgs.Cafe, EB), "DISALLOWED", "wrong_type"},
		{"expired", ask("demo-person-veikko", orgs.Employer, "", EB), "DISALLOWED", "expired"},
		{"restriction excludes the client", ask("demo-person-raili", orgs.Firm, orgs.Clients[99], EB), "DISALLOWED", "restricted"},
		{"issue not covered", ask("demo-person-aino", orgs.Employer, "", EB), "DISALLOWED", "issue_not_covered"},
		{"no mandate", ask("demo-person-matti", orgs.Employer, "", EB), "DISALLOWED", "no_mandate"},
	} {
		status, out := call(secret, tc.body)
		reasons, _ := out["reasons"].([]any)
		if status != 200 || out["decision"] != tc.decision || len(reasons) == 0 || reasons[0].(map[string]any)["code"] != tc.reason {
			t.Errorf("%s: %d %v", tc.name, status, out)
		}
	}
	for _, tc := range []struct {
		name, secret, body string
		status             int
		field              string
	}{
		{"malformed identity code", secret, `{"agent":"131052-308U","principal":"` + orgs.Employer + `","issue":"decisions"}`, 422, "agent"},
		{"malformed business ID", secret, ask("demo-person-teemu", "0737546-1", "", EB), 422, "principal"},
		{"malformed client", secret, ask("demo-person-teemu", orgs.Firm, "0737546-1", EB), 422, "client"},
		{"unknown issue", secret, ask("demo-person-teemu", orgs.Employer, "", "pensions"), 422, "issue"},
		{"unknown member", secret, `{"agent":"x","principal":"y","issue":"z","extra":1}`, 400, ""},
		{"no secret", "", ask("demo-person-teemu", orgs.Employer, "", EB), 401, ""},
		{"another scope", pharmacy, ask("demo-person-teemu", orgs.Employer, "", EB), 403, ""},
	} {
		status, out := call(tc.secret, tc.body)
		if status != tc.status || (tc.field != "" && out["field"] != tc.field) {
			t.Errorf("%s: %d %v", tc.name, status, out)
		}
	}
	// Revoked on the staff page (the server's own credential cache
	// forgets it at once).
	olli := browser()
	e.signIn(olli, "test-staff", "staff-olli")
	if resp, _ := e.post(olli, "/staff/api-clients/"+c.ID+"/revoke", nil); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if status, _ := call(secret, ask("demo-person-teemu", orgs.Employer, "", EB)); status != 401 {
		t.Errorf("a revoked secret: %d", status)
	}
	var n int
	e.db().SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'mandate.decide' AND actor_id = $1`, "api-client:"+c.ID).Scan(&n)
	if n != 9 {
		t.Errorf("%d API decisions audited, want 9", n)
	}
}

// TestBrowserMandateDiagnosis walks seed 004's three failure cases in
// headless Chromium, from sign-in to the explanation, failing on any
// console error.
func TestBrowserMandateDiagnosis(t *testing.T) {
	e := startApp(t)
	orgs := demoMandateOrgs(t)
	b := browsertest.New(t)
	signIn := func(person string) {
		b.Do(t, browsertest.SetLanguage("en"),
			chromedp.Navigate(e.base+"/login/test-citizen"),
			chromedp.Click(chromedp.CSS(`button[value="`+person+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)),
			chromedp.Click(chromedp.CSS(`a[href="/employer"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#org`)),
		)
	}
	signOut := func() {
		b.Do(t, chromedp.Click(chromedp.CSS(`.usernav form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`.alert.ok`)))
	}
	has := func(what string, texts ...string) {
		t.Helper()
		got := b.Text(t, "main")
		for _, s := range texts {
			if !strings.Contains(got, s) {
				t.Errorf("%s: the page lacks %q:\n%s", what, s, got)
			}
		}
	}
	// Case 1: cannot enter at all.
	signIn("demo-person-veikko")
	has("case 1", "You cannot act for any organisation", "ended on", "Ask the organisation for a new mandate to transact")
	signOut()
	// Case 2: the organisation is missing from the chooser.
	signIn("demo-person-vilma")
	b.Do(t, chromedp.SendKeys(chromedp.CSS(`#org`), orgs.Cafe), chromedp.Submit(chromedp.CSS(`#org`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.steps`)))
	has("case 2", "Why can't I find my organisation?", "acting for its client needs a mandate to represent", "Request a mandate to represent")
	signOut()
	// Case 3: the organisation chosen, the action refused.
	signIn("demo-person-aino")
	b.Do(t, chromedp.Click(chromedp.CSS(`a[href="/employer/org/`+orgs.Employer+`"]`)), chromedp.WaitVisible(chromedp.CSS(`table`)),
		chromedp.Click(chromedp.CSS(`a[href$="issue=employer_benefits"]`)), chromedp.WaitVisible(chromedp.CSS(`ol.steps`)))
	has("case 3", "You cannot act on: Employer benefit applications", "does not cover Employer benefit applications")
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
