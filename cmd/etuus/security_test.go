package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// sessionCookie is the session cookie the jar holds for the app.
func (e *running) sessionCookie(c *http.Client) *http.Cookie {
	e.t.Helper()
	u, _ := url.Parse(e.base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "etuus_session" {
			return ck
		}
	}
	e.t.Fatal("no session cookie")
	return nil
}

// opens reports whether a browser holding only cookie reaches page.
func (e *running) opens(cookie *http.Cookie, page string) bool {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(e.base)
	jar.SetCookies(u, []*http.Cookie{{Name: cookie.Name, Value: cookie.Value, Path: "/"}})
	resp, _ := e.get(&http.Client{Jar: jar}, page)
	return resp.StatusCode == 200 && resp.Request.URL.Path == page
}

// A new sign-in in a browser ends the session that browser held, whoever
// it belonged to: a copy of the old cookie, kept aside, opens nothing.
func TestNewSignInEndsPreviousSession(t *testing.T) {
	e := startApp(t)
	steps := []struct{ provider, subject, page string }{
		{"test-citizen", "demo-person-maija", "/my"},
		{"test-citizen", "demo-person-johan", "/my"}, // another customer
		{"test-staff", "staff-anna", "/staff"},       // staff after a customer
		{"test-citizen", "demo-person-maija", "/my"}, // a customer after staff
	}
	c := browser()
	var prev *http.Cookie
	var prevPage string
	for _, s := range steps {
		resp, _ := e.signIn(c, s.provider, s.subject)
		if resp.Request.URL.Path != s.page {
			t.Fatalf("%s signed in at %s; want %s", s.subject, resp.Request.URL.Path, s.page)
		}
		cur := e.sessionCookie(c)
		if !e.opens(cur, s.page) {
			t.Fatalf("%s: the new session does not open %s", s.subject, s.page)
		}
		if prev != nil {
			if prev.Value == cur.Value {
				t.Fatalf("%s: the session cookie was not replaced", s.subject)
			}
			if e.opens(prev, prevPage) {
				t.Errorf("after %s signed in, the previous session's cookie still opens %s", s.subject, prevPage)
			}
		}
		prev, prevPage = cur, s.page
	}
	if acts := strings.Join(e.auditActions(), ","); strings.Count(acts, "signout") < 3 {
		t.Errorf("the replaced sessions are not audited: %s", acts)
	}
}

// The next parameter given to /login/{provider} is where the callback goes
// after sign-in, so it is checked as a browser reads it.
func TestSignInNextStaysLocal(t *testing.T) {
	e := startApp(t)
	for _, tt := range []struct{ next, want string }{
		{"/\t/evil.example", "/my"},
		{"/\\evil.example", "/my"},
		{"https:evil.example", "/my"},
		{"/my/claims", "/my/claims"},
	} {
		c := browser()
		c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(via[len(via)-1].URL.Path, "/auth/callback/") {
				return http.ErrUseLastResponse
			}
			return nil
		}
		action, form := e.openProvider(c, "test-citizen?next="+url.QueryEscape(tt.next))
		form.Set("sub", "demo-person-maija")
		resp, _ := e.post(c, action, form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tt.want {
			t.Errorf("next=%q: the callback answered %d Location %q; want 303 %q", tt.next, resp.StatusCode, resp.Header.Get("Location"), tt.want)
		}
	}
}
