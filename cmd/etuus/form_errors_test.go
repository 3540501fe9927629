package main

import (
	"context"
	"github.com/etuus/etuus/internal/employer"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
)

// secureLinks are the secure e-mail route's two links for kati@example.ee:
// a writing link not yet used, and the reading link of the Centre's answer
// to a message sent through another link.
func (e *running) secureLinks() (write, read string) {
	t := e.t
	t.Helper()
	c := browser()
	var links []string
	for n := 1; n <= 2; n++ {
		if resp, _ := e.post(c, "/secure-email", url.Values{"email": {"kati@example.ee"}, "unit": {"recovery"}}); resp.StatusCode != 200 {
			t.Fatalf("secure e-mail link: %d", resp.StatusCode)
		}
		links = append(links, e.lastLink("kati@example.ee", n))
	}
	first, write := links[0], links[1]
	if resp, _ := e.post(c, first, url.Values{"subject": {"Maksusuunnitelma"}, "body": {"Hei"}}); resp.StatusCode != 200 {
		t.Fatalf("secure e-mail send: %d", resp.StatusCode)
	}
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	_, body := e.get(anna, "/staff/messages?topic=secure_email")
	th := threadLink.FindStringSubmatch(body)
	if th == nil {
		t.Fatalf("no secure e-mail thread:\n%s", body)
	}
	e.postMultipart(anna, "/staff/messages/"+th[1], url.Values{"body": {"Kyllä."}})
	read = readLinkRe.FindString(e.waitMail(3).Text)
	if read == "" {
		t.Fatal("no reading link")
	}
	at := func(link string) string { return link[strings.Index(link, "/secure-email/"):] }
	return at(write), at(read)
}

// formCase is one refused form: who sends what where, the page template
// that answers, and the controls the error summary must link to, in order.
type formCase struct {
	name     string
	template string
	c        *http.Client
	method   string // POST unless set; "form" posts URL-encoded where a path's "messages" would be multipart
	path     string
	form     url.Values
	files    []upload
	anchors  []string
}

// formsNeverRefused are the templates whose forms take any input, so that
// they have no error state: each with the reason.
var formsNeverRefused = map[string]string{
	"employer":       "a GET search: any text is searched for",
	"staff_messages": "a GET filter of fixed choices; an unknown value is ignored",
	"staff_pharmacy": "a GET look-up: any identifier is looked up (none found is not an error)",
	"staff_mandates": "any text is looked up; the handler cuts it to 64 characters, the most the service takes",
}

// formTemplates are the page templates with a form a person fills in:
// one with a visible input, select or textarea.
func formTemplates(t *testing.T) []string {
	dir := filepath.Join("..", "..", "internal", "web", "templates")
	formRe := regexp.MustCompile(`(?s)<form\b.*?</form>`)
	fieldRe := regexp.MustCompile(`<(?:textarea|select)\b|<input\b[^>]*>`)
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, f := range formRe.FindAllString(string(b), -1) {
			for _, fld := range fieldRe.FindAllString(f, -1) {
				if !strings.Contains(fld, `type="hidden"`) && !strings.Contains(fld, `type="submit"`) {
					out = append(out, strings.TrimSuffix(d.Name(), ".html"))
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 15 {
		t.Fatalf("only %d templates with forms found: %v", len(out), out)
	}
	return out
}

var (
	summaryRe = regexp.MustCompile(`(?s)<div class="alert error" id="error-summary" role="alert"[^>]*>\s*<h2[^>]*>([^<]+)</h2>\s*<ul>(.*?)</ul>`)
	summaryLi = regexp.MustCompile(`<li><a href="#([A-Za-z0-9_-]+)">[^<]+</a></li>`)
	describes = regexp.MustCompile(`aria-describedby="([^"]*)"`)
)

// TestFormErrorsFollowGOVUK: every form a person fills in answers a refusal
// with the page's title starting "Error:" in the page's language (Virhe:,
// Fel:), one error summary at the top listing every problem, each linking
// to its control, and each control marked aria-invalid and described by its
// own message beside it. The forms are found in the templates, so that a
// new form without a case here fails.
func TestFormErrorsFollowGOVUK(t *testing.T) {
	e := startApp(t)
	file := filepath.Join("..", "..", "testdata", "iso20022", "demo-camt054.xml")
	if code, out, errOut := runCmd(t, "reconcile", "--db", e.app.db.String(), file); code != 0 {
		t.Fatalf("reconcile = %d %s %s", code, out, errOut)
	}
	as := func(provider, who string) *http.Client {
		c := browser()
		e.signIn(c, provider, who)
		return c
	}
	johan, matti, anna, olli, vilma := as("test-citizen", "demo-person-johan"), as("test-citizen", "demo-person-matti"),
		as("test-staff", "staff-anna"), as("test-staff", "staff-olli"), as("test-citizen", "demo-person-vilma")
	claim := e.demoClaim("demo-person-johan")
	as("test-eidas", "demo-eidas-kati") // her record is made at her first sign-in
	p, err := e.db().PersonByEIDAS(context.Background(), "EE", "EE/FI/49001010099")
	if err != nil {
		t.Fatal(err)
	}
	th, _, err := e.app.messages.Send(context.Background(), access.AsCustomer("demo-person-johan"), message.Draft{Lang: "en", Subject: "recovery", Specification: "other", Title: "Question", Body: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	write, read := e.secureLinks()
	// The employer e-service's forms (internal/employer): Teemu applies
	// for Demo Rakennus Oy; Anna decides the demo's waiting application.
	teemu := as("test-citizen", "demo-person-teemu")
	eeva := as("test-citizen", "demo-person-eeva") // every workplace: the demo's approved occupational-healthcare application is 1003's
	apps := "/employer/org/" + demoMandateOrgs(t).Employer + "/applications"
	var pending string
	if err := e.db().SQL().QueryRow(`SELECT id FROM employer_applications WHERE status = 'pending' AND kind = 'daily_allowance'`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	// The occupational-healthcare form and decision: Teemu applies for a
	// workplace of his; Anna decides the demo's waiting application.
	ohc := "/employer/org/" + demoMandateOrgs(t).Employer + "/occupational-healthcare"
	var ohcPending string
	if err := e.db().SQL().QueryRow(`SELECT id FROM employer_applications WHERE status = 'pending' AND kind = 'occupational_healthcare'`).Scan(&ohcPending); err != nil {
		t.Fatal(err)
	}
	// The organisation's messages (message.Service's Org methods): Teemu
	// writes for Demo Rakennus Oy.
	orgMsgs := "/employer/org/" + demoMandateOrgs(t).Employer + "/messages"
	orgThread, _, err := e.app.messages.OrgSend(context.Background(), access.AsCustomer("demo-person-teemu"), demoMandateOrgs(t).Employer,
		message.Draft{Lang: "fi", Subject: "employer", Specification: "other", Title: "Kysymys", Body: "Hei"})
	if err != nil {
		t.Fatal(err)
	}
	// An application whose payment the bank rejected waits for the
	// organisation's corrected account.
	failed := apps + "/" + e.failedEmployerPayment(t, demoMandateOrgs(t).Employer, employer.DailyAllowance)
	app := url.Values{"employee": {"100871-998D"}, "start": {"2026-01-01"}, "end": {"2026-01-02"}, "salary": {"100"}, "iban": {"FI2112345600000785"}}
	// A proposal and an application waiting in the Centre's queue, and a
	// bank payment in it, for the decisions refused there.
	if resp, body := e.post(johan, "/my/claims/"+claim.ID+"/plan", url.Values{"months": {"6"}, "first_due": {time.Now().AddDate(0, 0, 14).Format("2006-01-02")}, "action": {"send"}}); resp.Request.URL.Path != "/my/claims/"+claim.ID {
		t.Fatalf("plan proposal: %d\n%s", resp.StatusCode, grepLines(body, "error"))
	}
	_, body := e.get(johan, "/my/claims/"+claim.ID+"/exemption")
	kind := regexp.MustCompile(`name="kind" value="([^"]+)"`).FindStringSubmatch(body)
	from := time.Now().AddDate(0, -1, 0)
	from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if kind == nil {
		t.Fatal("no exemption kind offered")
	}
	if resp, body := e.post(johan, "/my/claims/"+claim.ID+"/exemption", url.Values{"kind": {kind[1]}, "income": {"900"}, "children": {"1"},
		"from": {from.Format("2006-01-02")}, "reason": {"Out of work."}}); resp.Request.URL.Path != "/my/claims/"+claim.ID {
		t.Fatalf("exemption application: %d\n%s", resp.StatusCode, grepLines(body, "error"))
	}
	_, queue := e.get(anna, "/staff/recovery")
	id := func(re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(queue)
		if m == nil {
			t.Fatalf("no %s in the queue", re)
		}
		return m[1]
	}
	proposal, exemption, entry := id(`/staff/recovery/proposals/([^"]+)"`), id(`/staff/recovery/exemptions/([^"]+)"`), id(`/staff/recovery/bank/entries/([^"]+)"`)
	// A new address waits for its code.
	if resp, _ := e.post(johan, "/my/notifications", url.Values{"allow": {"yes"}, "channel": {"email"}, "email": {"johan.new@example.fi"}}); resp.StatusCode != 200 {
		t.Fatalf("new address: %d", resp.StatusCode)
	}
	long := strings.Repeat("x", 300)
	cases := []formCase{
		{name: "message wrong in every field", template: "message_new", c: johan, path: "/my/messages",
			form: url.Values{"title": {" "}, "body": {" "}, "allow": {"yes"}, "channel": {"email"}, "email": {"nope"}}, anchors: []string{"topic", "title", "body", "email"}},
		{name: "reply without a body", template: "message_thread", c: johan, path: "/my/messages/" + th.ID, form: url.Values{"body": {""}}, anchors: []string{"body"}},
		{name: "staff reply without a body", template: "staff_thread", c: anna, path: "/staff/messages/" + th.ID, form: url.Values{"body": {""}}, anchors: []string{"body"}},
		{name: "notices with a bad address", template: "notifications", c: johan, path: "/my/notifications",
			form: url.Values{"allow": {"yes"}, "channel": {"email"}, "email": {"nope"}}, anchors: []string{"email"}},
		{name: "a wrong code", template: "notifications", c: johan, path: "/my/notifications/verify", form: url.Values{"code": {"000000"}}, anchors: []string{"code"}},
		{name: "plan of letters", template: "plan", c: johan, path: "/my/claims/" + claim.ID + "/plan",
			form:    url.Values{"monthly": {"abc"}, "months": {"x"}, "first_due": {"soon"}, "message": {strings.Repeat("a", 2001)}, "action": {"preview"}},
			anchors: []string{"monthly", "months", "first_due", "message"}},
		{name: "exemption wrong in every field", template: "exemption", c: johan, path: "/my/claims/" + claim.ID + "/exemption",
			form: url.Values{"income": {"lots"}, "children": {"two"}, "from": {"May"}, "reason": {" "}}, anchors: []string{"income", "children", "from", "kind", "reason"}},
		{name: "status report of words", template: "payment_report", c: matti, path: "/my/payments/reports/demo-benefit-matti-unemployment",
			form: url.Values{"hours": {"twelve"}, "income": {"much"}, "sick_days": {"-"}}, anchors: []string{"hours", "income", "sick_days"}},
		{name: "payment account outside SEPA, no holder", template: "payment_account", c: matti, path: "/my/payments/account",
			form: url.Values{"iban": {"BR18 0036 0305 0000 1000 9795 493C 1"}, "holder": {" "}}, anchors: []string{"iban", "holder"}},
		{name: "secure e-mail to a bad address and no unit", template: "secure_email", c: browser(), path: "/secure-email",
			form: url.Values{"email": {"nope"}, "unit": {"nowhere"}}, anchors: []string{"email", "unit"}},
		{name: "secure e-mail without subject or text", template: "secure_email_write", c: browser(), path: write,
			form: url.Values{"subject": {" "}, "body": {" "}}, anchors: []string{"subject", "body"}},
		{name: "secure e-mail reply without text", template: "secure_read", c: browser(), path: read, form: url.Values{"body": {" "}}, anchors: []string{"body"}},
		{name: "secure e-mail reply without text and with a file of the wrong type", template: "secure_read", c: browser(), path: read,
			form: url.Values{"body": {" "}}, files: []upload{{"attachments", "notes.txt", "just text"}}, anchors: []string{"body", "attachments"}},
		{name: "bank upload without a file", template: "bank", c: anna, path: "/staff/bank", files: []upload{{"file", "empty.xml", ""}}, anchors: []string{"file"}},
		{name: "eIDAS link with a bad code", template: "staff_eidas", c: anna, path: "/staff/eidas/" + p.ID + "/link", form: url.Values{"hetu": {"123"}}, anchors: []string{"hetu-" + p.ID}},
		{name: "plan refused without a reason", template: "recovery_queue", c: anna, path: "/staff/recovery/proposals/" + proposal,
			form: url.Values{"decision": {"reject"}, "reason": {""}}, anchors: []string{"reason-" + proposal}},
		{name: "exemption refused with a reason not on the list", template: "recovery_queue", c: anna, path: "/staff/recovery/exemptions/" + exemption,
			form: url.Values{"decision": {"reject"}, "reason": {"because"}}, anchors: []string{"xr-" + exemption}},
		{name: "bank payment resolved without a reason", template: "recovery_queue", c: anna, path: "/staff/recovery/bank/entries/" + entry,
			form: url.Values{"action": {"handled"}, "note": {" "}}, anchors: []string{"note-" + entry}},
		{name: "customer search without text", template: "desk_search", c: anna, path: "/staff/customers", form: url.Values{"q": {" "}}, anchors: []string{"q"}},
		{name: "customer opened without a purpose", template: "desk_open", c: anna, path: "/staff/customers/demo-person-matti",
			form: url.Values{"purpose_text": {long}}, anchors: []string{"purpose", "purpose_text"}},
		{name: "notice without anything", template: "staff_notices", c: olli, path: "/staff/notices", form: url.Values{},
			anchors: []string{"services", "starts", "ends", "text_fi", "text_sv", "text_en"}},
		{name: "API client without anything", template: "staff_api_clients", c: olli, path: "/staff/api-clients", form: url.Values{},
			anchors: []string{"name", "subject", "scopes"}},
		{name: "eIDAS link without a reason", template: "staff_eidas", c: anna, path: "/staff/eidas/" + p.ID + "/link",
			form: url.Values{"hetu": {"100871-998D"}, "reason": {" "}}, anchors: []string{"reason-" + p.ID}},
		{name: "eIDAS link to no customer", template: "staff_eidas", c: anna, path: "/staff/eidas/" + p.ID + "/link",
			form: url.Values{"hetu": {"131052-308T"}, "reason": {"seen"}}, anchors: []string{"hetu-" + p.ID}},
		{name: "employer application without a benefit", template: "employer_app_new", c: teemu, path: apps, form: app, anchors: []string{"benefit"}},
		{name: "corrected employer account that is no IBAN", template: "employer_app", c: teemu, method: "form", path: failed + "/account",
			form: url.Values{"iban": {"FI21 1234"}}, anchors: []string{"iban"}},
		{name: "employer decision over the salary", template: "staff_employer_app", c: anna, path: "/staff/employer/" + pending,
			form: url.Values{"decision": {"approve"}, "amount": {"99999999"}}, anchors: []string{"amount"}},
		{name: "occupational-healthcare application with a bad workplace", template: "employer_ohc_new", c: teemu, path: ohc,
			form: url.Values{"workplace": {"10-01"}, "start": {"2026-01-01"}, "end": {"2026-06-30"}}, anchors: []string{"workplace"}},
		{name: "corrected occupational-healthcare account that is no IBAN", template: "employer_ohc_app", c: eeva, method: "form",
			path: ohc + "/" + e.failedEmployerPayment(t, demoMandateOrgs(t).Employer, employer.OccupationalHealthcare) + "/account",
			form: url.Values{"iban": {"FI21 1234"}}, anchors: []string{"iban"}},
		{name: "occupational-healthcare decision below the claim without a reason", template: "staff_employer_app", c: anna,
			path: "/staff/employer/" + ohcPending, form: url.Values{"decision": {"approve"}, "amount": {"1"}}, anchors: []string{"reason"}},
		{name: "payment status report of nothing", template: "payment_returns", c: olli, path: "/staff/payments/returns/import/status-report",
			files: []upload{{"file", "empty.xml", ""}}, anchors: []string{"file"}},
		{name: "organisation's message wrong in every field", template: "employer_message_new", c: teemu, method: "form", path: orgMsgs,
			form: url.Values{"topic": {"recovery.other"}, "title": {" "}, "body": {" "}}, anchors: []string{"topic", "title", "body"}},
		{name: "organisation's reply without a body", template: "employer_message", c: teemu, method: "form", path: orgMsgs + "/" + orgThread.ID,
			form: url.Values{"body": {" "}}, anchors: []string{"body"}},
		{name: "diagnosis of a bad business ID", template: "employer_diagnosis", c: vilma, method: "GET", path: "/employer/diagnosis?org=0737546-1", anchors: []string{"org"}},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.template] = true
	}
	for _, tmpl := range formTemplates(t) {
		if !covered[tmpl] && formsNeverRefused[tmpl] == "" {
			t.Errorf("the form of %s.html has no error-state case in TestFormErrorsFollowGOVUK (or a reason in formsNeverRefused)", tmpl)
		}
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		for _, lang := range []string{"en", "fi", "sv"} {
			l := cat.For(lang)
			if tc.c.Jar != nil {
				inLanguage(e, tc.c, lang)
			}
			var resp *http.Response
			var body string
			switch {
			case tc.method == "GET":
				resp, body = e.get(tc.c, tc.path)
			case tc.method == "form":
				resp, body = e.post(tc.c, tc.path, tc.form)
			case tc.files != nil || strings.Contains(tc.path, "messages"):
				resp, body = e.postMultipart(tc.c, tc.path, tc.form, tc.files...)
			default:
				resp, body = e.post(tc.c, tc.path, tc.form)
			}
			name := tc.name + " (" + lang + ")"
			if resp.StatusCode < 400 {
				t.Errorf("%s: %d, not refused", name, resp.StatusCode)
				continue
			}
			if !strings.Contains(body, "<title>"+l.T("form.error_prefix")+" ") {
				t.Errorf("%s: the title does not start with %q:\n%s", name, l.T("form.error_prefix"), grepLines(body, "<title>"))
			}
			m := summaryRe.FindStringSubmatch(body)
			if m == nil || m[1] != l.T("form.error_summary") {
				t.Errorf("%s: no error summary:\n%s", name, grepLines(body, "error"))
				continue
			}
			var got []string
			for _, li := range summaryLi.FindAllStringSubmatch(m[2], -1) {
				got = append(got, li[1])
			}
			if !slices.Equal(got, tc.anchors) {
				t.Errorf("%s: the summary links to %v; want %v", name, got, tc.anchors)
			}
			for _, a := range got {
				checkInvalidControl(t, name, body, a)
			}
		}
	}
}

// checkInvalidControl fails unless the page has exactly one element with
// the id, an input, select or textarea marked aria-invalid, described (by
// itself or by the fieldset around it) by a message of class field-error.
func checkInvalidControl(t *testing.T, name, body, id string) {
	t.Helper()
	if n := strings.Count(body, ` id="`+id+`"`); n != 1 {
		t.Errorf("%s: #%s is %d elements on the page", name, id, n)
		return
	}
	ctl := regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindStringIndex(body)
	if ctl == nil {
		t.Errorf("%s: #%s is not a control", name, id)
		return
	}
	tag := body[ctl[0]:ctl[1]]
	if !strings.Contains(tag, `aria-invalid="true"`) {
		t.Errorf("%s: #%s is not marked aria-invalid: %s", name, id, tag)
	}
	var ids []string
	if m := describes.FindStringSubmatch(tag); m != nil {
		ids = strings.Fields(m[1])
	}
	if fs := strings.LastIndex(body[:ctl[0]], "<fieldset"); fs >= 0 && !strings.Contains(body[fs:ctl[0]], "</fieldset>") {
		if m := describes.FindStringSubmatch(body[fs : fs+strings.Index(body[fs:], ">")+1]); m != nil {
			ids = append(ids, strings.Fields(m[1])...)
		}
	}
	for _, d := range ids {
		if regexp.MustCompile(`<[a-z]+ class="field-error" id="` + regexp.QuoteMeta(d) + `"|<[a-z]+ id="` + regexp.QuoteMeta(d) + `" class="field-error"`).MatchString(body) {
			return
		}
	}
	t.Errorf("%s: #%s is not described by a message of its own (aria-describedby %v)", name, id, ids)
}
