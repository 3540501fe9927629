package main

import (
	"context"
	"github.com/etuus/etuus/internal/employer"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/browsertest"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/message"
)

// overflowJS lists what sticks out of the viewport sideways: empty when
// the page reflows (WCAG 1.4.10).
const overflowJS = `(function () {
  var w = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > w) out.push("page " + document.documentElement.scrollWidth + " > " + w);
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1 && getComputedStyle(el).position !== "absolute" && !el.closest(".visually-hidden, .skip, dialog, thead")) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + " right=" + Math.round(r.right));
    }
  });
  return out.slice(0, 8).join("; ");
})()`

// TestBrowserReflowAt320 opens every page a person can reach at 320 CSS
// pixels wide — signed out, as citizens (claims, payments, pharmacy,
// mandates), as staff of each kind, and through the secure e-mail links —
// in Finnish (the longest words), and fails on anything that scrolls
// sideways. It also fails when a page of the route table (GET routes of
// internal/web/server.go that answer HTML) was not opened, so that a new
// page is checked as soon as it has a route.
func TestBrowserReflowAt320(t *testing.T) {
	e := startApp(t)
	file := filepath.Join("..", "..", "testdata", "iso20022", "demo-camt054.xml")
	if code, out, errOut := runCmd(t, "reconcile", "--db", e.app.db.String(), file); code != 0 {
		t.Fatalf("reconcile = %d %s %s", code, out, errOut)
	}
	maija, johan := e.demoClaim("demo-person-maija"), e.demoClaim("demo-person-johan")
	th, _, err := e.app.messages.Send(context.Background(), access.AsCustomer("demo-person-maija"), message.Draft{Lang: "fi", Subject: "recovery", Specification: "other",
		Title: "Kysymys maksusuunnitelmasta", Body: "Hei"})
	if err != nil {
		t.Fatal(err)
	}
	write, read := e.secureLinks()
	// A plan Johan proposes and the Centre approves: a letter on his claim.
	jc, ac := browser(), browser()
	e.signIn(jc, "test-citizen", "demo-person-johan")
	e.signIn(ac, "test-staff", "staff-anna")
	if resp, body := e.post(jc, "/my/claims/"+johan.ID+"/plan", url.Values{"months": {"6"}, "first_due": {time.Now().AddDate(0, 0, 14).Format("2006-01-02")}, "action": {"send"}}); resp.Request.URL.Path != "/my/claims/"+johan.ID {
		t.Fatalf("plan proposal ended at %s:\n%s", resp.Request.URL, grepLines(body, "error"))
	}
	_, queue := e.get(ac, "/staff/recovery")
	pr := regexp.MustCompile(`/staff/recovery/proposals/([^"]+)"`).FindStringSubmatch(queue)
	if pr == nil {
		t.Fatal("no proposal in the queue")
	}
	if resp, _ := e.post(ac, "/staff/recovery/proposals/"+pr[1], url.Values{"decision": {"approve"}}); resp.Request.URL.Path != "/staff/recovery" {
		t.Fatalf("plan approval ended at %s", resp.Request.URL)
	}
	orgs := demoMandateOrgs(t)
	failed := e.failedEmployerPayment(t, orgs.Employer, employer.DailyAllowance)
	failedOHC := e.failedEmployerPayment(t, orgs.Employer, employer.OccupationalHealthcare)

	b := browsertest.New(t)
	b.Do(t, browsertest.SetLanguage("fi"), chromedp.EmulateViewport(320, 640))
	seen := map[string]bool{}
	check := func(path string) {
		t.Helper()
		b.Do(t, chromedp.Navigate(e.base+path), chromedp.WaitReady(chromedp.CSS("body")))
		checkHere(t, b, path)
		if errs := b.Errors(); len(errs) > 0 && path != "/no/such/page" {
			t.Errorf("%s: console errors:\n%s", path, strings.Join(errs, "\n"))
		}
		seen[strings.SplitN(path, "?", 2)[0]] = true
	}
	// href is the first link on the page whose address matches re.
	href := func(re string) string {
		t.Helper()
		got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(function () { var re = new RegExp(`+strconv.Quote(re)+`);
  var a = Array.from(document.querySelectorAll("a")).map(function (a) { return a.getAttribute("href"); }).find(function (h) { return re.test(h); });
  return a || ""; })()`))
		if err != nil || got == "" {
			t.Fatalf("no link matching %s on the page: %v", re, err)
		}
		return got
	}
	signIn := func(provider, who string) {
		t.Helper()
		b.Do(t, chromedp.Navigate(e.base+"/login/"+provider), chromedp.Click(chromedp.CSS(`button[value="`+who+`"]`)), chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)))
	}
	for _, p := range []string{"/", "/login", "/staff/login", "/secure-email", "/accessibility", "/privacy", "/help", "/directory", "/status",
		"/signed-out", "/test-mail", write, read, "/login/test-citizen", "/no/such/page"} {
		check(p)
	}
	signIn("test-citizen", "demo-person-maija")
	for _, p := range []string{"/my", "/my/claims", "/my/claims/" + maija.ID, "/my/claims/" + maija.ID + "/plan", "/my/claims/" + maija.ID + "/slip",
		"/my/messages", "/my/messages/new", "/my/messages/" + th.ID, "/my/notifications", "/my/pharmacy", "/my/access-log"} {
		check(p)
	}
	signIn("test-citizen", "demo-person-johan")
	check("/my/claims/" + johan.ID + "/exemption")
	check("/my/claims/" + johan.ID)
	check(href(`^/my/claims/[^/]+/letters/[^/]+$`))
	signIn("test-citizen", "demo-person-sanna")
	check("/my/payments")
	check(href(`^/my/payments/[0-9a-f]{8}-[^/]+$`))
	check("/my/payments/account")
	signIn("test-citizen", "demo-person-matti")
	check("/my/payments")
	check(href(`^/my/payments/reports/[^/]+$`))
	signIn("test-citizen", "demo-person-vilma")
	check("/employer")
	check(href(`^/employer/org/[^/]+$`))
	for _, p := range []string{"/employer/diagnosis?org=" + orgs.Employer, "/employer/requests"} {
		check(p)
	}
	signIn("test-citizen", "demo-person-teemu")
	apps := "/employer/org/" + orgs.Employer + "/applications"
	check(apps)
	check(href(`^/employer/org/[^/]+/applications/[0-9a-f]{8}-`))
	check(apps + "/new")
	check(apps + "/" + failed) // the corrected account form
	msgs := "/employer/org/" + orgs.Employer + "/messages"
	check(msgs)
	check(href(`^/employer/org/[^/]+/messages/[0-9a-f]{8}-`))
	check(msgs + "/new")
	ohc := "/employer/org/" + orgs.Employer + "/occupational-healthcare"
	check(ohc)
	check(href(`^/employer/org/[^/]+/occupational-healthcare/[0-9a-f]{8}-`))
	check(ohc + "/new")
	signIn("test-citizen", "demo-person-eeva")
	check(ohc)
	check(href(`^/employer/org/[^/]+/occupational-healthcare/[0-9a-f]{8}-`)) // approved below the claim, with the reason
	check(ohc + "/" + failedOHC)                                             // the corrected account form
	signIn("test-citizen", "demo-person-sanna")
	check("/my/employer-applications")
	check("/my/decisions")
	signIn("test-citizen", "demo-person-aino")
	check("/employer/org/" + orgs.Employer)
	check(href(`^/employer/org/[^/]+/diagnosis`))
	signIn("test-staff", "staff-anna")
	for _, p := range []string{"/staff", "/staff/messages", "/staff/messages/" + th.ID, "/staff/recovery", "/staff/bank", "/staff/eidas",
		"/staff/customers", "/staff/customers/demo-person-matti", "/staff/mandates", "/staff/secure-email"} {
		check(p)
	}
	check("/staff/recovery")
	check(href(`^/staff/recovery/bank/files/[^/]+$`))
	check("/staff/recovery/due")
	check("/staff/employer")
	check(href(`^/staff/employer/[0-9a-f]{8}-`))
	check("/staff/employer?kind=occupational_healthcare")
	check(href(`^/staff/employer/[0-9a-f]{8}-`))
	// The search's results and the 360 view answer a POST: filled in and
	// sent as a person would.
	b.Do(t, chromedp.Navigate(e.base+"/staff/customers"), chromedp.SendKeys(chromedp.CSS(`#q`), "100871-998D"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/customers/demo-person-matti"]`)))
	checkHere(t, b, "/staff/customers (results)")
	b.Do(t, chromedp.Navigate(e.base+"/staff/customers/demo-person-matti"), chromedp.Click(chromedp.CSS(`input[name="purpose"][value="phone"]`)),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#customer`)))
	checkHere(t, b, "/staff/customers/demo-person-matti (360 view)")
	b.Do(t, chromedp.Navigate(e.base+"/staff/mandates"), chromedp.SendKeys(chromedp.CSS(`#q`), orgs.Firm),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), chromedp.WaitReady(chromedp.CSS(`main table`)))
	checkHere(t, b, "/staff/mandates (results)")
	signIn("test-staff", "staff-olli")
	for _, p := range []string{"/staff/notices", "/staff/api-clients", "/staff/pharmacy", "/staff/pharmacy?pharmacy=" + demo.DemoPharmacyID,
		"/staff/payments/returns", "/staff/payments/runs"} {
		check(p)
	}
	check(href(`^/staff/payments/runs/[^/]+$`))
	for _, route := range pageRoutes(t) {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(strings.ReplaceAll(route, "{$}", ""), "[^/]+") + "$")
		found := false
		for p := range seen {
			found = found || re.MatchString(p)
		}
		if !found {
			t.Errorf("the page %s was not opened at 320 px: add it to this test", route)
		}
	}
	signIn("test-staff", "staff-anna")
	// Keyboard focus shows: the first Tab reaches the skip link, drawn in
	// the focus yellow; a focused field gets the yellow outline and the
	// dark ring.
	b.Do(t, chromedp.Navigate(e.base+"/staff/messages/"+th.ID), chromedp.WaitReady(chromedp.CSS("body")), chromedp.KeyEvent("\t"))
	got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(function () { var s = getComputedStyle(document.activeElement); return document.activeElement.className + " " + s.backgroundColor; })()`))
	if err != nil || got != "skip rgb(255, 221, 0)" {
		t.Errorf("the first Tab focuses %q, %v; want the skip link in rgb(255, 221, 0)", got, err)
	}
	got, err = chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(function () { var el = document.querySelector("header a.brand"); el.focus(); var s = getComputedStyle(el); return s.backgroundColor + " " + s.color; })()`))
	if err != nil || got != "rgb(255, 221, 0) rgb(11, 12, 12)" {
		t.Errorf("a focused link in the header: %q, %v; want dark text on the focus yellow", got, err)
	}
	got, err = chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(function () { var el = document.getElementById("body"); el.focus(); var s = getComputedStyle(el); return s.outlineColor + " " + s.outlineWidth + " " + s.boxShadow; })()`))
	if err != nil || !strings.HasPrefix(got, "rgb(255, 221, 0) 3px rgb(11, 12, 12) 0px 0px 0px 6px") {
		t.Errorf("a focused field: %q, %v", got, err)
	}
	// Operations staff: the queue of rejected and returned payments.
	b.Do(t, chromedp.Navigate(e.base+"/login/test-staff"), chromedp.Click(chromedp.CSS(`button[value="staff-olli"]`)), chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)))
	check("/staff/payments/returns")
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// checkHere fails the test when the page open in b scrolls sideways.
func checkHere(t *testing.T, b *browsertest.Browser, what string) {
	t.Helper()
	got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](overflowJS))
	if err != nil {
		t.Fatal(err)
	}
	if got != "" {
		t.Errorf("%s scrolls sideways at 320 px: %s", what, got)
	}
}

// notPages are the GET routes that answer no HTML page of their own:
// files, machine answers, redirects and downloads.
var notPages = regexp.MustCompile(`^/(static/|metrics|healthz|readyz|api/|favicon|auth/callback/|lang/|session/status)|/attachments/|\.pdf$|/pdf$|\.json$`)

// pageRoutes are the GET routes of internal/web/server.go that answer a
// page, read from its source.
func pageRoutes(t *testing.T) []string {
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "web", "server.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`"GET (/[^" ]*)"`).FindAllStringSubmatch(string(src), -1) {
		if !notPages.MatchString(m[1]) && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	if len(out) < 40 {
		t.Fatalf("only %d page routes read from server.go: %v", len(out), out)
	}
	return out
}
