package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/slip/sliptest"
)

// TestDecisionsEndToEnd: a customer reads their applications with status
// and expected handling and their decision letters on /my/decisions (the
// letter of the recovery decision that started their claim among them,
// naming the benefit, the period and the decision), the inbox lists the
// letters, the claim names where it comes from (benefit, period,
// decision; in fi and sv too), and another customer gets 404 for each
// of those URLs; a specialist's 360 view lists the letters sent, the
// payments and the mandates.
func TestDecisionsEndToEnd(t *testing.T) {
	e := startApp(t)
	matti := browser()
	english(e, matti)
	e.signIn(matti, "test-citizen", "demo-person-matti")
	claim := e.demoClaim("demo-person-matti")
	// The demo overpayment concerns half a year of housing allowance
	// that is over; the pages show it as d.m.yyyy–d.m.yyyy.
	if claim.PeriodFrom.IsZero() || !claim.PeriodTo.Before(civil.Of(time.Now())) {
		t.Fatalf("the demo overpayment's period is %s–%s", claim.PeriodFrom, claim.PeriodTo)
	}
	dmy := func(d civil.Date) string { return fmt.Sprintf("%d.%d.%d", d.Day, d.Month, d.Year) }
	period := dmy(claim.PeriodFrom) + "–" + dmy(claim.PeriodTo)

	if _, body := e.get(matti, "/my"); !strings.Contains(body, `href="/my/decisions"`) {
		t.Errorf("My page lacks the decisions page")
	}
	resp, body := e.get(matti, "/my/decisions")
	letterOf := regexp.MustCompile(`href="(/my/claims/` + claim.ID + `/letters/[0-9a-f-]+)">Decision: recovery starts<`)
	m := letterOf.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, "Decisions and applications") {
		t.Fatalf("/my/decisions = %d:\n%s", resp.StatusCode, body)
	}
	letter := m[1]
	resp, body = e.get(matti, letter)
	for _, want := range []string{"Decision: recovery starts", "General housing allowance", "<dt>Period</dt><dd>" + period + "</dd>", "DEMO-2026-001", "Recovery decision", "Rectification", "Social Security Appeal Board"} {
		if !strings.Contains(body, want) {
			t.Errorf("the started letter lacks %q (%d)", want, resp.StatusCode)
		}
	}
	if resp, body := e.get(matti, letter+"/pdf"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("the letter's PDF = %d", resp.StatusCode)
	} else {
		// The PDF is tagged, in the language the letter was sent in
		// (Finnish): a screen reader meets the title, the paragraphs, the
		// facts as a table and the barcode as a figure.
		pdf := []byte(body)
		if info := sliptest.Info(t, pdf); !regexp.MustCompile(`(?m)^Tagged:\s+yes$`).MatchString(info) || !strings.Contains(body, "/Lang (fi)") {
			t.Errorf("the letter's PDF is not tagged in Finnish:\n%s", info)
		}
		st := sliptest.Info(t, pdf, "-struct-text")
		for _, want := range []string{"Document\n  H1 (block)\n    \"Päätös: takaisinperintä alkaa\"\n  P (block)\n    \"Lähetetty ",
			"\"Ajanjakso\"\n      TD\n        \"" + period + "\"", "\"DEMO-2026-001\"", "\"Oikaisu: jos pidät päätöstä virheellisenä, ", "  Figure:"} {
			if !strings.Contains(st, want) {
				t.Errorf("the letter's structure lacks %q:\n%s", want, st)
			}
		}
	}
	if _, body := e.get(matti, "/my/messages"); !strings.Contains(body, `href="`+letter+`"`) || !strings.Contains(body, `href="/my/decisions"`) {
		t.Errorf("the inbox does not list the letter:\n%s", body)
	}
	if _, body := e.get(matti, "/my/claims/"+claim.ID); !strings.Contains(body, "Benefit recovered") || !strings.Contains(body, "DEMO-2026-001") ||
		!strings.Contains(body, `<dt>Period</dt><dd id="origin-period">`+period+`</dd>`) {
		t.Errorf("the claim does not say where it comes from (period %s):\n%s", period, body)
	}
	e.inLanguages(matti, "/my/claims/"+claim.ID, map[string]string{"fi": `<dt>Ajanjakso</dt><dd id="origin-period">` + period,
		"sv": `<dt>Period</dt><dd id="origin-period">` + period})
	english(e, matti)
	e.inLanguages(matti, "/my/decisions", map[string]string{"fi": "Päätös: takaisinperintä alkaa", "sv": "Beslut: återkravet inleds"})

	// Johan applies for exemption: the page lists it, waiting, with the
	// day it is to be decided by.
	johan := browser()
	english(e, johan)
	e.signIn(johan, "test-citizen", "demo-person-johan")
	jc := e.demoClaim("demo-person-johan")
	from := civil.Of(time.Now()).AddDays(-60).String()
	if resp, _ := e.post(johan, "/my/claims/"+jc.ID+"/exemption", url.Values{"kind": {"state_share"}, "income": {"1150"}, "children": {"2"},
		"from": {from}, "reason": {"Out of work."}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("exemption = %d", resp.StatusCode)
	}
	if _, body := e.get(johan, "/my/decisions"); !strings.Contains(body, "Waiting for a decision") || !strings.Contains(body, "Decided by") {
		t.Errorf("the application is not listed as waiting:\n%s", body)
	}

	// Another customer: 404 for Matti's letter, its PDF and his claim;
	// their own page names nothing of his.
	maija := browser()
	english(e, maija)
	e.signIn(maija, "test-citizen", "demo-person-maija")
	for _, u := range []string{letter, letter + "/pdf", "/my/claims/" + claim.ID} {
		if resp, _ := e.get(maija, u); resp.StatusCode != http.StatusNotFound {
			t.Errorf("Maija on %s = %d; want 404", u, resp.StatusCode)
		}
	}
	if _, body := e.get(maija, "/my/decisions"); strings.Contains(body, claim.ID) || strings.Contains(body, "DEMO-2026-001") {
		t.Errorf("Maija sees Matti's letters")
	}
	if resp, body := e.get(browser(), "/my/decisions"); resp.Request.URL.Path == "/my/decisions" && strings.Contains(body, "Decisions and applications</h1>") {
		t.Errorf("signed out, the page is shown")
	}

	// The specialist's 360 view: letters sent, payments, mandates.
	anna := e.browserIn("en")
	e.signIn(anna, "test-staff", "staff-anna")
	resp, body = e.post(anna, "/staff/customers/demo-person-matti", url.Values{"purpose": {"phone"}})
	for _, want := range []string{"What it concerns", "General housing allowance<br>" + period + "<br>decision DEMO-2026-001",
		"Letters sent to the customer", "Decision: recovery starts", "No notice", "Payments", "Child benefit", "Mandates", "The customer gives or holds no mandates."} {
		if !strings.Contains(body, want) {
			t.Errorf("the 360 view lacks %q (%d)", want, resp.StatusCode)
		}
	}
}
