package main

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/recovery"
)

func TestExemptionEndToEnd(t *testing.T) {
	e := startApp(t)
	ctx := context.Background()
	johan := browser()
	english(e, johan)
	e.signIn(johan, "test-citizen", "demo-person-johan")
	claim := e.demoClaim("demo-person-johan")
	if claim.Kind != recovery.ChildSupport {
		t.Fatalf("Johan's demo claim is %s", claim.Kind)
	}
	u := "/my/claims/" + claim.ID + "/exemption"
	_, body := e.get(johan, "/my/claims/"+claim.ID)
	if !strings.Contains(body, `href="`+u+`"`) || !strings.Contains(body, "Apply for exemption") {
		t.Fatalf("no exemption link on a child support debt:\n%s", body)
	}
	if resp, body := e.get(johan, u); resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="state_share"`) || strings.Contains(body, `value="interest"`) {
		t.Fatalf("the form for child support debt = %d:\n%s", resp.StatusCode, body)
	}

	today := civil.Of(time.Now())
	from := today.AddDays(-60).String()
	good := url.Values{"kind": {"state_share"}, "income": {"1 150,00"}, "children": {"2"}, "from": {from}, "reason": {"Out of work since the summer."}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range good {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"income not a number", with("income", "lots"), "Give the income in euros"},
		{"negative income", with("income", "-100"), "Give the income in euros"},
		{"25 children", with("children", "25"), "from 0 to 20"},
		{"children not a number", with("children", "two"), "from 0 to 20"},
		{"two years back", with("from", today.AddDays(-730).String()), "at most one year"},
		{"in the future", with("from", today.AddDays(3).String()), "cannot be in the future"},
		{"not a date", with("from", "31.2.2026"), "Give the start date"},
		{"empty reason", with("reason", " "), "Write your reasons"},
		{"a NUL in the reason", with("reason", "Out\x00of work"), "cannot be saved"},
		{"too long", with("reason", strings.Repeat("x", 4001)), "at most 4000 characters"},
		{"interest on child support", with("kind", "interest"), "Choose what you apply for exemption from"},
	} {
		resp, body := e.post(johan, u, tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d; want 422 %q", tc.name, resp.StatusCode, tc.want)
		}
		// What the customer wrote is kept for them to correct.
		if tc.name == "income not a number" && (!strings.Contains(body, `value="lots"`) || !strings.Contains(body, "Out of work since the summer.</textarea>")) {
			t.Errorf("the input was not kept:\n%s", body)
		}
	}

	// Not Johan's claim, and not a kind that allows exemption.
	matti := browser()
	english(e, matti)
	e.signIn(matti, "test-citizen", "demo-person-matti")
	if resp, _ := e.get(matti, u); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's form = %d; want 404", resp.StatusCode)
	}
	if resp, _ := e.post(matti, u, good); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's claim = %d; want 404", resp.StatusCode)
	}
	over := e.demoClaim("demo-person-matti")
	if _, body := e.get(matti, "/my/claims/"+over.ID); strings.Contains(body, "/exemption") {
		t.Errorf("an exemption link on an overpayment")
	}
	if resp, _ := e.get(matti, "/my/claims/"+over.ID+"/exemption"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("exemption form for an overpayment = %d; want 404", resp.StatusCode)
	}
	if resp, body := e.post(matti, "/my/claims/"+over.ID+"/exemption", good); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "An exemption cannot be applied for on this debt.") {
		t.Errorf("applying on an overpayment = %d", resp.StatusCode)
	}
	if xs, _ := e.db().Recovery().PendingExemptions(ctx, 10); len(xs) != 0 {
		t.Fatalf("refused applications were stored: %d", len(xs))
	}

	resp, body := e.post(johan, u, good)
	if resp.Request.URL.Path != "/my/claims/"+claim.ID || !strings.Contains(body, "Your exemption application has been sent") {
		t.Fatalf("after applying at %s", resp.Request.URL)
	}
	if !strings.Contains(body, "Waiting for a decision") || strings.Contains(body, `href="`+u+`"`) {
		t.Errorf("the claim page does not show the pending application:\n%s", body)
	}
	if resp, body := e.post(johan, u, good); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already has an exemption application") {
		t.Errorf("second application = %d", resp.StatusCode)
	}

	// The Centre has the queue open before Maija applies: the page shown
	// again after her application is not the one it showed before (the
	// queue's content is kept by what it shows, never by the page alone).
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	if _, body := e.get(anna, "/staff/recovery"); !strings.Contains(body, "Johan Korhonen") || strings.Contains(body, "Part-time work only.") {
		t.Fatalf("the queue before Maija's application:\n%s", body)
	}

	// Maija asks for exemption from the interest on her student loan: the
	// Centre sees the income limit for a family with one child.
	maija := browser()
	english(e, maija)
	e.signIn(maija, "test-citizen", "demo-person-maija")
	loan := e.demoClaim("demo-person-maija")
	if loan.Kind != recovery.StudentLoan {
		t.Fatalf("Maija's demo claim is %s", loan.Kind)
	}
	if _, body := e.get(maija, "/my/claims/"+loan.ID+"/exemption"); !strings.Contains(body, `value="interest"`) || !strings.Contains(body, `value="full"`) {
		t.Errorf("the student loan form lacks its exemptions:\n%s", body)
	}
	if resp, _ := e.post(maija, "/my/claims/"+loan.ID+"/exemption", url.Values{"kind": {"interest"}, "income": {"1500"}, "children": {"1"},
		"from": {today.AddDays(-10).String()}, "reason": {"Part-time work only."}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("Maija's application = %d", resp.StatusCode)
	}

	_, body = e.get(anna, "/staff/recovery")
	body = html.UnescapeString(body)
	for _, want := range []string{"Exemption applications", "Johan Korhonen", "Out of work since the summer.", "1\u00a0150,00\u00a0€", "The state's share",
		"Maija Meikäläinen", "The interest", "income limit 1\u00a0621,00\u00a0€", "Part-time work only."} {
		if !strings.Contains(body, want) {
			t.Errorf("the queue lacks %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("queue:\n%s", body)
	}
	// The queue links to the collection preview, a page of its own for
	// the Centre's staff only.
	if !strings.Contains(body, `href="/staff/recovery/due"`) {
		t.Error("the queue does not link to the collection preview")
	}
	if resp, due := e.get(anna, "/staff/recovery/due"); resp.StatusCode != http.StatusOK ||
		!strings.Contains(due, "Due for a reminder or enforcement") || !strings.Contains(due, "The daily collection run (etuus collect) takes these actions.") {
		t.Errorf("collection preview = %d:\n%s", resp.StatusCode, due)
	}
	if resp, _ := e.get(johan, "/staff/recovery/due"); resp.StatusCode == http.StatusOK || resp.Request.URL.Path == "/staff/recovery/due" && resp.StatusCode < 400 {
		t.Errorf("a customer opened the collection preview: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	xs, _ := e.db().Recovery().PendingExemptions(ctx, 10)
	if len(xs) != 2 || xs[0].ClaimID != claim.ID {
		t.Fatalf("pending = %+v", xs)
	}
	johans, maijas := xs[0].ID, xs[1].ID
	for _, f := range []url.Values{
		{"decision": {"reject"}, "reason": {"made-up"}},
		{"decision": {"reject"}},
		{"decision": {"approve"}, "reason": {"exemption.reason.income_over"}},
		{"decision": {"reject"}, "reason": {"exemption.reason.granted"}},
		{"decision": {"maybe"}, "reason": {"exemption.reason.granted"}},
	} {
		if resp, _ := e.post(anna, "/staff/recovery/exemptions/"+johans, f); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v = %d; want 422", f, resp.StatusCode)
		}
	}
	if resp, _ := e.post(johan, "/staff/recovery/exemptions/"+johans, url.Values{"decision": {"approve"}, "reason": {"exemption.reason.granted"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a customer deciding = %d", resp.StatusCode)
	}
	if resp, _ := e.post(anna, "/staff/recovery/exemptions/no-such-id", url.Values{"decision": {"approve"}, "reason": {"exemption.reason.granted"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown application = %d", resp.StatusCode)
	}
	if xs, _ := e.db().Recovery().PendingExemptions(ctx, 10); len(xs) != 2 {
		t.Fatalf("a refused decision was stored: %d pending", len(xs))
	}

	_, body = e.post(anna, "/staff/recovery/exemptions/"+johans, url.Values{"decision": {"reject"}, "reason": {"exemption.reason.income_over"}})
	if !strings.Contains(body, "The exemption application was rejected.") || strings.Contains(body, "Out of work since the summer.") {
		t.Fatalf("after rejecting:\n%s", body)
	}
	if resp, _ := e.post(anna, "/staff/recovery/exemptions/"+johans, url.Values{"decision": {"approve"}, "reason": {"exemption.reason.granted"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("deciding twice = %d; want 409", resp.StatusCode)
	}
	_, body = e.post(anna, "/staff/recovery/exemptions/"+maijas, url.Values{"decision": {"approve"}, "reason": {"exemption.reason.granted_shorter"}})
	if !strings.Contains(body, "The exemption was granted.") {
		t.Fatalf("after approving:\n%s", body)
	}

	_, body = e.get(johan, "/my/claims/"+claim.ID)
	if !strings.Contains(body, "Rejected: The income is over the income limit.") {
		t.Errorf("Johan does not see the decision:\n%s", body)
	}
	if !strings.Contains(body, `href="`+u+`"`) {
		t.Errorf("after a decision Johan cannot apply again")
	}
	_, body = e.get(maija, "/my/claims/"+loan.ID)
	if !strings.Contains(body, "Approved: The exemption is granted for a shorter period than applied for.") {
		t.Errorf("Maija does not see the decision:\n%s", body)
	}

	// Each decision is a letter on the claim's page, as a page and a PDF,
	// and only its customer reaches it.
	letterOf := regexp.MustCompile(`href="(/my/claims/` + loan.ID + `/letters/[0-9a-f-]+)">Decision: exemption granted<`)
	m := letterOf.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no letter on Maija's claim page:\n%s", body)
	}
	if resp, body := e.get(maija, m[1]); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, "You have been granted exemption (the interest) from "+formatDateForTest(today.AddDays(-10))) ||
		!strings.Contains(body, "The exemption is granted for a shorter period than applied for.") || !strings.Contains(body, "Rectification:") {
		t.Errorf("Maija's letter = %d:\n%s", resp.StatusCode, body)
	}
	if resp, body := e.get(maija, m[1]+"/pdf"); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("Maija's letter as PDF = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := e.get(matti, m[1]); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's letter = %d; want 404", resp.StatusCode)
	}
	if resp, _ := e.get(maija, strings.Replace(m[1], loan.ID, claim.ID, 1)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the letter under another claim = %d; want 404", resp.StatusCode)
	}
	_, body = e.get(johan, "/my/claims/"+claim.ID)
	if !strings.Contains(body, "Decision: exemption not granted") {
		t.Errorf("Johan has no letter of the refusal:\n%s", body)
	}

	count := map[string]int{}
	for _, a := range e.auditActions() {
		count[a]++
	}
	if count["recovery.exemption_applied"] != 2 || count["recovery.exemption_rejected"] != 1 || count["recovery.exemption_approved"] != 1 {
		t.Errorf("audit = %v", count)
	}
}

// Every exemption text the code names exists in Finnish, Swedish and
// English: the web package's key scan does not look for this prefix.
func TestExemptionTextsExist(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`"(exemption\.[a-z0-9_.]*[a-z0-9_])"`)
	named := map[string]bool{}
	for _, pattern := range []string{"../../internal/web/*.go", "../../internal/web/templates/*.html", "../../internal/store/*.go", "../../internal/recovery/*.go"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range key.FindAllStringSubmatch(string(b), -1) {
				named[m[1]] = true
			}
		}
	}
	// Keys put together in templates: the kinds of exemption and of debt.
	for _, k := range []recovery.Kind{recovery.ChildSupport, recovery.StudentLoan} {
		named["exemption.lead."+string(k)] = true
		for _, x := range recovery.ExemptionKindsFor(k) {
			named["exemption.kind."+string(x)] = true
		}
	}
	if len(named) < 30 {
		t.Fatalf("found only %d exemption keys; the scan is broken", len(named))
	}
	for _, lang := range []string{"fi", "sv", "en"} {
		have := map[string]bool{}
		for _, k := range cat.Keys(lang) {
			have[k] = true
		}
		for k := range named {
			if !have[k] {
				t.Errorf("%s: no text for %q", lang, k)
			}
		}
	}
}

func formatDateForTest(d civil.Date) string {
	return strconv.Itoa(d.Day) + "." + strconv.Itoa(int(d.Month)) + "." + strconv.Itoa(d.Year)
}
