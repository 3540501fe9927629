package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/demo"
)

func inLanguage(e *running, c *http.Client, lang string) {
	u, _ := url.Parse(e.base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang}})
}

// The demo people's years on My page, in each language, and the demo
// pharmacy's calls for staff who may read them.
func TestPharmacyPages(t *testing.T) {
	e := startApp(t)
	for _, c := range []struct{ person, lang, want, also string }{
		{"demo-person-johan", "en", "You have reached the annual ceiling", "Special reimbursement: Chronic heart failure (65 %)"},
		{"demo-person-sanna", "sv", "Årssjälvrisk", "Specialersättning: Kronisk astma (65 %)"},
		{"demo-person-maija", "fi", "0,00\u00a0€ maksettu", "Peruskorvaus (40 %)"},
		{"demo-person-ella", "en", "Does not apply to you this year", "Basic reimbursement (40 %)"},
		{"demo-person-ulla", "en", "You have no valid right", "No reimbursed medicine purchases"},
	} {
		b := browser()
		inLanguage(e, b, c.lang)
		e.signIn(b, "test-citizen", c.person)
		if _, body := e.get(b, "/my"); !strings.Contains(body, `href="/my/pharmacy"`) {
			t.Errorf("%s: My page has no link to the pharmacy page", c.person)
		}
		resp, body := e.get(b, "/my/pharmacy")
		if resp.StatusCode != 200 || !strings.Contains(body, c.want) || !strings.Contains(body, c.also) {
			t.Errorf("%s /my/pharmacy = %d; want %q and %q:\n%s", c.person, resp.StatusCode, c.want, c.also, body)
		}
	}

	olli := browser()
	english(e, olli)
	e.signIn(olli, "test-staff", "staff-olli")
	resp, body := e.get(olli, "/staff/pharmacy?pharmacy="+demo.DemoPharmacyID)
	if resp.StatusCode != 200 || strings.Count(body, "Purchase recorded") != 3 || !strings.Contains(body, "demo-1003") {
		t.Errorf("call history = %d:\n%s", resp.StatusCode, body)
	}
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	if resp, _ := e.get(anna, "/staff/pharmacy?pharmacy="+demo.DemoPharmacyID); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a recovery specialist's call history = %d; want 403", resp.StatusCode)
	}
}
