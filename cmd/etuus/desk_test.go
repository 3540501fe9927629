package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// browserIn is a browser whose pages are in the language.
func (e *running) browserIn(lang string) *http.Client {
	c := browser()
	u, _ := url.Parse(e.base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang}})
	return c
}

// inLanguages reads the page in each language and checks it says what
// it should in that language.
func (e *running) inLanguages(c *http.Client, path string, want map[string]string) {
	e.t.Helper()
	for lang, text := range want {
		u, _ := url.Parse(e.base)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang}})
		if _, body := e.get(c, path); !strings.Contains(body, text) {
			e.t.Errorf("%s %s lacks %q", lang, path, text)
		}
	}
}

// TestDeskEndToEnd: a specialist finds Matti by identity code and by name
// with date of birth, opens him for a reason (an empty reason is refused
// and reads nothing), sees his claims and whether a notice reaches him;
// Matti's access log then shows the unit, the role and the reason, never
// the specialist's name. No identity code or name is in a URL or the log.
func TestDeskEndToEnd(t *testing.T) {
	e := startApp(t)
	anna := e.browserIn("en")
	e.signIn(anna, "test-staff", "staff-anna")
	if _, body := e.get(anna, "/staff"); !strings.Contains(body, `href="/staff/customers"`) {
		t.Fatalf("the staff page lacks the search:\n%s", body)
	}
	resp, body := e.post(anna, "/staff/customers", url.Values{"q": {"100871-998D"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Matti Virtanen") || !strings.Contains(body, "100871-****") {
		t.Fatalf("search by identity code: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.post(anna, "/staff/customers", url.Values{"q": {"virtanen"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Give the date of birth") {
		t.Errorf("name without birth date: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.post(anna, "/staff/customers", url.Values{"q": {"Matti Virtanen"}, "birth": {"10.8.1971"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/staff/customers/demo-person-matti"`) {
		t.Fatalf("search by name: %d\n%s", resp.StatusCode, body)
	}

	// No reason, no view.
	resp, body = e.post(anna, "/staff/customers/demo-person-matti", url.Values{})
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "Virtanen") || !strings.Contains(body, "Choose why") {
		t.Errorf("open without a reason: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.post(anna, "/staff/customers/demo-person-matti", url.Values{"purpose": {"phone"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Matti Virtanen") || !strings.Contains(body, "Claims and payment plans") ||
		!strings.Contains(body, "Phone call with the customer") || !strings.Contains(body, "Yes: the customer is told") {
		t.Fatalf("open: %d\n%s", resp.StatusCode, body)
	}

	// Operations staff may not search; customers may not either.
	olli := e.browserIn("en")
	e.signIn(olli, "test-staff", "staff-olli")
	if resp, body := e.post(olli, "/staff/customers", url.Values{"q": {"100871-998D"}}); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "Virtanen") {
		t.Errorf("operations search = %d", resp.StatusCode)
	}
	matti := e.browserIn("en")
	e.signIn(matti, "test-citizen", "demo-person-matti")
	if resp, _ := e.post(matti, "/staff/customers", url.Values{"q": {"100871-998D"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer search = %d", resp.StatusCode)
	}

	// Matti reads who looked: the Centre's specialist, on a phone call.
	if _, body := e.get(matti, "/my"); !strings.Contains(body, `href="/my/access-log"`) {
		t.Errorf("My page lacks the access log")
	}
	resp, body = e.get(matti, "/my/access-log")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Overpayment Recovery Centre") || !strings.Contains(body, "Customer service specialist") ||
		!strings.Contains(body, "Opened your data") || !strings.Contains(body, "Phone call with the customer") ||
		!strings.Contains(body, "Found you in a search") {
		t.Fatalf("access log: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "Anna") || strings.Contains(body, "Asiantuntija") {
		t.Errorf("the access log names the specialist:\n%s", body)
	}
	// In Swedish and Finnish too.
	e.inLanguages(matti, "/my/access-log", map[string]string{"sv": "Öppnade dina uppgifter", "fi": "Avasi tietosi"})
	// Another customer's log shows none of Matti's entries.
	maija := e.browserIn("en")
	e.signIn(maija, "test-citizen", "demo-person-maija")
	if _, body := e.get(maija, "/my/access-log"); strings.Contains(body, "Opened your data") {
		t.Errorf("Maija sees Matti's log:\n%s", body)
	}
}

// TestStaffFormsNeedTheirPermission: a staff member without the task's
// permission is refused the form itself, not only its submission.
func TestStaffFormsNeedTheirPermission(t *testing.T) {
	e := startApp(t)
	olli, anna := browser(), browser()
	e.signIn(olli, "test-staff", "staff-olli")
	e.signIn(anna, "test-staff", "staff-anna")
	for _, c := range []struct {
		who  *http.Client
		path string
		want int
	}{
		{olli, "/staff/customers", 403}, {olli, "/staff/customers/x", 403}, {anna, "/staff/customers", 200},
		{anna, "/staff/notices", 403}, {olli, "/staff/notices", 200},
	} {
		if resp, _ := e.get(c.who, c.path); resp.StatusCode != c.want {
			t.Errorf("%s: %d; want %d", c.path, resp.StatusCode, c.want)
		}
	}
}
