package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/store/storetest"
)

var hrefs = regexp.MustCompile(`href="(/[^"]*)"`)

// TestHomeLinksLeadSomewhere: every service card on the front page is a
// link, every page the front page links to exists (a signed-in page asks
// for sign-in), and the front page promises no service etuus lacks.
func TestHomeLinksLeadSomewhere(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for _, lang := range []string{"fi", "sv", "en"} {
		_, body := get(t, nil, e.srv.URL+"/", "Cookie", "lang="+lang)
		cards := strings.Split(body, `<li class="card">`)[1:]
		if len(cards) == 0 {
			t.Fatalf("%s: no service cards", lang)
		}
		for _, c := range cards {
			c, _, _ = strings.Cut(c, "</li>")
			if !strings.Contains(c, `<h3><a href="/`) {
				t.Errorf("%s: a card is not a link: %s", lang, c)
			}
		}
		if !strings.Contains(body, `href="/secure-email"`) {
			t.Errorf("%s: the front page does not link to the secure e-mail route", lang)
		}
		// Acting for an organisation is there; the employer e-services
		// themselves (applications for reimbursement) are not built, and
		// its card must not promise them.
		employer := ""
		for _, c := range cards {
			if strings.Contains(c, `href="/employer"`) {
				employer, _, _ = strings.Cut(c, "</li>")
			}
		}
		if employer == "" {
			t.Errorf("%s: the front page does not link to acting for an organisation", lang)
		}
		for _, w := range []string{"pply", "hake", "Hae", "nsök", "ersättning", "korvau", "eimburse"} {
			if strings.Contains(employer, w) {
				t.Errorf("%s: the organisation card promises %q, which etuus does not offer yet: %s", lang, w, employer)
			}
		}
		for _, m := range hrefs.FindAllStringSubmatch(body, -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			resp, _ := get(t, nil, e.srv.URL+link, "Cookie", "lang="+lang)
			if resp.StatusCode != 200 {
				t.Errorf("%s: the front page links to %s, which answers %d", lang, link, resp.StatusCode)
			}
		}
	}
}

// TestInfoPagesInEveryLanguage: the accessibility statement, the privacy
// notice and the help page answer in fi, sv and en, and every page's footer
// links to them.
func TestInfoPagesInEveryLanguage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	want := map[string]map[string]string{
		"fi": {"/accessibility": "Saavutettavuusseloste", "/privacy": "Tietosuojaseloste", "/help": "Ohjeet"},
		"sv": {"/accessibility": "Tillgänglighetsutlåtande", "/privacy": "Dataskyddsbeskrivning", "/help": "Hjälp"},
		"en": {"/accessibility": "Accessibility statement", "/privacy": "Privacy notice", "/help": "Help"},
	}
	for lang, pages := range want {
		for path, heading := range pages {
			resp, body := get(t, nil, e.srv.URL+path, "Cookie", "lang="+lang)
			if resp.StatusCode != 200 || !strings.Contains(body, "<h1>"+heading+"</h1>") || !strings.Contains(body, `aria-current="page"`) {
				t.Errorf("%s %s: %d, lacks <h1>%s</h1> or its footer link marked current", lang, path, resp.StatusCode, heading)
			}
		}
		_, body := get(t, nil, e.srv.URL+"/no/such/page", "Cookie", "lang="+lang)
		for path := range pages {
			if !strings.Contains(body, `href="`+path+`"`) {
				t.Errorf("%s: the footer of a page lacks a link to %s", lang, path)
			}
		}
	}
}
