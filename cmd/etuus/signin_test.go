package main

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// running is a whole etuus with the built-in test provider, as `etuus serve`
// runs it.
type running struct {
	t    testing.TB
	app  *app
	base string
	logs *syncBuffer
}

// envE2EPostgres, set to 1, runs every end-to-end test of this package on a
// fresh PostgreSQL database instead of an SQLite file (.ci/run does both).
const envE2EPostgres = "ETUUS_E2E_POSTGRES"

func startApp(t testing.TB, tweak ...func(*config)) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := testConfig(t.TempDir())
	c.LogLevel, c.AccessLog = "debug", true
	if os.Getenv(envE2EPostgres) == "1" {
		// The whole suite again on the production database: what the
		// embedded default turns on by itself is asked for.
		c.DB, c.Demo, c.TestIDP, c.DevSMTP, c.DevSMS = storetest.PostgresURL(t), "true", "true", "true", "true"
	}
	for _, f := range tweak {
		f(&c)
	}
	logs := &syncBuffer{}
	a, err := newApp(ctx, c, logs)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		checkNoPersonalData(t, logs.String())
	})
	return &running{t: t, app: a, base: a.cfg.BaseURL, logs: logs}
}

// syncBuffer collects the app's log lines from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// checkNoPersonalData fails when the logs name a demo person's identity
// code, surname or e-mail address, or any e-mail address at all.
func checkNoPersonalData(t testing.TB, logs string) {
	t.Helper()
	if logs == "" {
		t.Error("no log lines: the check would pass by accident")
	}
	d, err := demo.Set()
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, p := range d.Persons {
		secrets = append(secrets, p.HETU, p.FamilyName, p.Email)
	}
	for _, p := range demo.EIDASPersons() {
		secrets = append(secrets, p.EIDASID, p.FamilyName)
	}
	secrets = append(secrets, "@example.")
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log contains personal data %q", s)
		}
	}
}

// browser is an HTTP client with cookies that follows redirects, like a
// person's browser without JavaScript.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (e *running) get(c *http.Client, path string) (*http.Response, string) {
	e.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = e.base + path
	}
	resp, err := c.Get(u)
	return e.read(resp, err)
}

// read returns a response with its body read, failing the test when the
// request itself failed.
func (e *running) read(resp *http.Response, err error) (*http.Response, string) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (e *running) post(c *http.Client, u string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = e.base + u
	}
	return e.read(c.PostForm(u, form))
}

var (
	formAction = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
	hiddenRe   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

// openProvider starts a sign-in and returns the test provider's form.
func (e *running) openProvider(c *http.Client, provider string) (action string, form url.Values) {
	e.t.Helper()
	resp, body := e.get(c, "/login/"+provider)
	if resp.StatusCode != 200 || !strings.Contains(body, "TEST") {
		e.t.Fatalf("provider page: %d\n%s", resp.StatusCode, body)
	}
	m := formAction.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no form on the provider page:\n%s", body)
	}
	form = url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(body, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	action = html.UnescapeString(m[1])
	if strings.HasPrefix(action, "/") {
		action = e.base + action
	}
	return action, form
}

// signIn signs in as a demo identity and returns the page it lands on.
func (e *running) signIn(c *http.Client, provider, subject string) (*http.Response, string) {
	e.t.Helper()
	action, form := e.openProvider(c, provider)
	form.Set("sub", subject)
	return e.post(c, action, form)
}

func (e *running) db() *store.DB { return e.app.db }

// dbURL is the database the app runs on, for commands run beside it.
func (e *running) dbURL() string {
	if e.app.cfg.DB != "" {
		return e.app.cfg.DB
	}
	return filepath.Join(e.app.cfg.Data, "etuus.db")
}

func (e *running) auditActions() []string {
	var out []string
	e.db().Scan(context.Background(), func(en audit.Entry) error { out = append(out, en.Action); return nil })
	return out
}

func TestSignInEndToEnd(t *testing.T) {
	e := startApp(t)
	c := browser()
	resp, body := e.signIn(c, "test-citizen", "demo-person-maija")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/my" || !strings.Contains(body, "Maija") {
		t.Fatalf("after sign-in: %d at %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	if strings.Contains(body, "010403A998U") {
		t.Error("the page shows the identity code")
	}
	// Signed in, the session survives another request.
	if resp, _ := e.get(c, "/my"); resp.Request.URL.Path != "/my" {
		t.Errorf("second request went to %s", resp.Request.URL)
	}
	// Sign out: through the provider's end-session endpoint and back,
	// with no ID token or personal data in any URL on the way.
	var hops []string
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		hops = append(hops, req.URL.String())
		return nil
	}
	resp, body = e.post(c, "/logout", nil)
	c.CheckRedirect = nil
	if len(hops) < 2 || !strings.Contains(hops[0], "logout_hint=") {
		t.Errorf("sign-out went through %q; want the provider's end-session endpoint with logout_hint", hops)
	}
	for _, h := range hops {
		if strings.Contains(h, "id_token_hint") || strings.Contains(h, "010403A998U") || strings.Contains(h, "Meik") {
			t.Errorf("a sign-out URL holds an ID token or personal data: %s", h)
		}
	}
	if resp.Request.URL.Path != "/signed-out" || !strings.Contains(body, "logout") && !strings.Contains(body, "ulos") {
		t.Fatalf("after sign-out at %s\n%s", resp.Request.URL, body)
	}
	if resp, _ := e.get(c, "/my"); resp.Request.URL.Path != "/login" {
		t.Errorf("after sign-out /my went to %s; want /login", resp.Request.URL.Path)
	}
	acts := strings.Join(e.auditActions(), ",")
	if !strings.Contains(acts, "signin") || !strings.Contains(acts, "signout") {
		t.Errorf("audit log = %s", acts)
	}
}

func TestSignInKinds(t *testing.T) {
	e := startApp(t)
	t.Run("staff lands on the staff page; customer pages refuse staff", func(t *testing.T) {
		c := browser()
		resp, body := e.signIn(c, "test-staff", "staff-anna")
		if resp.Request.URL.Path != "/staff" || !strings.Contains(body, "Anna") {
			t.Fatalf("staff landed at %s\n%s", resp.Request.URL, body)
		}
		if resp, _ := e.get(c, "/my"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("staff on /my = %d; want 403", resp.StatusCode)
		}
	})
	t.Run("staff pages refuse citizens", func(t *testing.T) {
		c := browser()
		e.signIn(c, "test-citizen", "demo-person-matti")
		if resp, _ := e.get(c, "/staff"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("citizen on /staff = %d; want 403", resp.StatusCode)
		}
	})
	t.Run("eIDAS from an accepted country becomes a customer", func(t *testing.T) {
		c := browser()
		resp, body := e.signIn(c, "test-eidas", "demo-eidas-kati")
		if resp.Request.URL.Path != "/my" || !strings.Contains(body, "Kati") || !strings.Contains(body, "EE") {
			t.Fatalf("eIDAS landed at %s\n%s", resp.Request.URL, body)
		}
		if _, err := e.db().PersonByEIDAS(context.Background(), "EE", "EE/FI/49001010099"); err != nil {
			t.Errorf("no customer for the eIDAS identity: %v", err)
		}
	})
	t.Run("eIDAS from another country gets the secure e-mail route", func(t *testing.T) {
		c := browser()
		resp, body := e.signIn(c, "test-eidas", "demo-eidas-pierre")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `href="/secure-email"`) {
			t.Fatalf("unaccepted country: %d\n%s", resp.StatusCode, body)
		}
		if _, err := e.db().PersonByEIDAS(context.Background(), "FR", "FR/FI/9999999999"); err == nil {
			t.Error("a customer was created for a refused identity")
		}
		if resp, _ := e.get(c, "/my"); resp.Request.URL.Path != "/login" {
			t.Error("a refused identity got a session")
		}
	})
}

func noFollow(c *http.Client, stopAt string) {
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.Path, stopAt) {
			return http.ErrUseLastResponse
		}
		return nil
	}
}

func TestSignInRefusals(t *testing.T) {
	e := startApp(t)
	refused := func(t *testing.T, resp *http.Response, body, want string) {
		t.Helper()
		if resp.StatusCode < 400 || !strings.Contains(body, want) {
			t.Errorf("status %d at %s; want a refusal saying %q\n%s", resp.StatusCode, resp.Request.URL, want, body)
		}
		if strings.Contains(resp.Header.Get("Set-Cookie"), "etuus_session=") && !strings.Contains(resp.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Error("a refused sign-in set a session cookie")
		}
	}
	en := func(c *http.Client) {
		u, _ := url.Parse(e.base)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en"}})
	}

	t.Run("forged state", func(t *testing.T) {
		c := browser()
		en(c)
		action, form := e.openProvider(c, "test-citizen")
		form.Set("state", "forged-"+form.Get("state"))
		form.Set("sub", "demo-person-maija")
		resp, body := e.post(c, action, form)
		refused(t, resp, body, "expired or was already used")
	})
	t.Run("replayed callback", func(t *testing.T) {
		c := browser()
		en(c)
		noFollow(c, "/auth/callback/")
		action, form := e.openProvider(c, "test-citizen")
		form.Set("sub", "demo-person-maija")
		resp, _ := e.post(c, action, form)
		cb := resp.Header.Get("Location")
		if !strings.Contains(cb, "/auth/callback/test-citizen") {
			t.Fatalf("no callback redirect: %d %q", resp.StatusCode, cb)
		}
		c.CheckRedirect = nil
		if resp, _ := e.get(c, cb); resp.Request.URL.Path != "/my" {
			t.Fatalf("first use of the callback went to %s", resp.Request.URL.Path)
		}
		// The same callback again, in a fresh browser that replays the
		// cookies of the first (as an attacker with a stolen URL would not
		// even have): the flow is gone, nothing is created.
		resp, body := e.get(c, cb)
		refused(t, resp, body, "expired or was already used")
	})
	t.Run("replayed authorization code", func(t *testing.T) {
		c := browser()
		en(c)
		noFollow(c, "/auth/callback/")
		action, form := e.openProvider(c, "test-citizen")
		form.Set("sub", "demo-person-maija")
		resp, _ := e.post(c, action, form)
		first, _ := url.Parse(resp.Header.Get("Location"))
		c.CheckRedirect = nil
		e.get(c, first.String())
		// A new flow in the same browser, completed with the old code.
		noFollow(c, "/auth/callback/")
		action, form = e.openProvider(c, "test-citizen")
		form.Set("sub", "demo-person-maija")
		resp, _ = e.post(c, action, form)
		second, _ := url.Parse(resp.Header.Get("Location"))
		q := second.Query()
		q.Set("code", first.Query().Get("code"))
		second.RawQuery = q.Encode()
		c.CheckRedirect = nil
		resp, body := e.get(c, second.String())
		refused(t, resp, body, "could not be verified")
		// The log says why, for the operator.
		if !strings.Contains(e.logs.String(), "invalid_grant") {
			t.Error("the log does not give the cause invalid_grant")
		}
	})
	t.Run("callback without the flow cookie", func(t *testing.T) {
		c := browser()
		en(c)
		noFollow(c, "/auth/callback/")
		action, form := e.openProvider(c, "test-citizen")
		form.Set("sub", "demo-person-maija")
		resp, _ := e.post(c, action, form)
		cb := resp.Header.Get("Location")
		other := browser() // the victim's browser, handed the attacker's callback
		en(other)
		resp, body := e.get(other, cb)
		refused(t, resp, body, "expired or was already used")
	})
	t.Run("cancelled at the provider", func(t *testing.T) {
		c := browser()
		en(c)
		action, form := e.openProvider(c, "test-citizen")
		form.Set("cancel", "1")
		resp, body := e.post(c, action, form)
		refused(t, resp, body, "cancelled")
	})
	t.Run("unknown provider", func(t *testing.T) {
		c := browser()
		en(c)
		resp, body := e.get(c, "/login/evil")
		if resp.StatusCode != 404 || !strings.Contains(body, "Unknown identification service") {
			t.Errorf("unknown provider: %d\n%s", resp.StatusCode, body)
		}
	})
	t.Run("tampered session cookie", func(t *testing.T) {
		c := browser()
		e.signIn(c, "test-citizen", "demo-person-maija")
		u, _ := url.Parse(e.base)
		var val string
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "etuus_session" {
				val = ck.Value
			}
		}
		if val == "" {
			t.Fatal("no session cookie")
		}
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "etuus_session", Value: val[:len(val)-2] + "xx", Path: "/"}})
		if resp, _ := e.get(c, "/my"); resp.Request.URL.Path != "/login" {
			t.Errorf("tampered cookie reached %s", resp.Request.URL.Path)
		}
	})
	acts := strings.Join(e.auditActions(), ",")
	if strings.Count(acts, "signin.refused") < 5 {
		t.Errorf("refusals not audited: %s", acts)
	}
}

// An attacker who plants a session cookie before the victim signs in gains
// nothing: sign-in issues a new, random session token.
func TestSessionFixation(t *testing.T) {
	e := startApp(t)
	c := browser()
	u, _ := url.Parse(e.base)
	planted := "attacker-chosen-value-0123456789abcdef"
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "etuus_session", Value: planted, Path: "/"}})
	resp, _ := e.signIn(c, "test-citizen", "demo-person-maija")
	if resp.Request.URL.Path != "/my" {
		t.Fatalf("sign-in failed: %s", resp.Request.URL)
	}
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "etuus_session" && ck.Value == planted {
			t.Fatal("the planted session value survived sign-in")
		}
	}
	attacker := browser()
	attacker.Jar.SetCookies(u, []*http.Cookie{{Name: "etuus_session", Value: planted, Path: "/"}})
	if resp, _ := e.get(attacker, "/my"); resp.Request.URL.Path != "/login" {
		t.Error("the planted cookie gives access")
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	e := startApp(t)
	c := browser()
	e.signIn(c, "test-citizen", "demo-person-maija")
	_, body := e.get(c, "/my")
	if !strings.Contains(body, `data-idle="1800"`) || !strings.Contains(body, `id="idle-dialog"`) {
		t.Error("the page lacks the idle warning")
	}
	// Move the server's clock past the idle timeout.
	later := func() time.Time { return time.Now().Add(31 * time.Minute) }
	e.app.db.SetClock(later)
	e.app.web.SetClock(later)
	if resp, _ := e.get(c, "/my"); resp.Request.URL.Path != "/login" {
		t.Errorf("after 31 idle minutes /my went to %s; want /login", resp.Request.URL.Path)
	}
}

// BenchmarkSignInRoundTrip is a whole sign-in through the built-in
// provider, as a browser makes it: /login/{provider} → the provider's page →
// choose the person → callback (code exchange, ID token check, session) →
// the first page. It reports sign-ins per second.
func BenchmarkSignInRoundTrip(b *testing.B) {
	e := startApp(b, func(c *config) { c.SignInLimit.Burst = -1 })
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := browser()
			resp, _ := e.signIn(c, "test-citizen", "demo-person-maija")
			if resp.Request.URL.Path != "/my" {
				b.Errorf("landed at %s", resp.Request.URL)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signins/s")
}

// TestEIDASLinking: linking takes four eyes. One permitted staff member
// proposes with a reason, the proposer cannot approve, another permitted
// one approves; only then the eIDAS sign-in acts for the customer, who
// sees it in their access log. Undoing needs a reason and ends the link.
func TestEIDASLinking(t *testing.T) {
	e := startApp(t)
	ctx := context.Background()
	kati := browser()
	e.signIn(kati, "test-eidas", "demo-eidas-kati")
	p, err := e.db().PersonByEIDAS(ctx, "EE", "EE/FI/49001010099")
	if err != nil {
		t.Fatal(err)
	}
	en := func(c *http.Client) {
		u, _ := url.Parse(e.base)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en"}})
	}
	anna, kaisa := browser(), browser()
	e.signIn(anna, "test-staff", "staff-anna")
	e.signIn(kaisa, "test-staff", "staff-kaisa")
	en(anna)
	en(kaisa)
	_, body := e.get(anna, "/staff/eidas")
	if !strings.Contains(body, "EE/FI/49001010099") {
		t.Fatalf("the list lacks Kati:\n%s", body)
	}
	linkURL := "/staff/eidas/" + p.ID + "/link"
	form := url.Values{"hetu": {"100871-998D"}, "reason": {"Passport seen at the office"}}

	// Staff whose unit and role the permission table does not name may
	// neither list nor propose (a shared-services operations user here).
	olli := browser()
	e.signIn(olli, "test-staff", "staff-olli")
	if resp, body := e.get(olli, "/staff/eidas"); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "EE/FI/49001010099") {
		t.Errorf("operations staff listing = %d; want 403 without the list", resp.StatusCode)
	}
	if resp, _ := e.post(olli, linkURL, form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("operations staff proposing = %d; want 403", resp.StatusCode)
	}
	// Customers may not link, not even themselves.
	if resp, _ := e.post(kati, linkURL, form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer linking = %d; want 403", resp.StatusCode)
	}
	// A bad code says what is wrong and proposes nothing.
	resp, body := e.post(anna, linkURL, url.Values{"hetu": {"100871-998E"}, "reason": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "check character does not match") {
		t.Errorf("bad check character: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.post(anna, linkURL, url.Values{"hetu": {"131052-308T"}, "reason": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "No customer has that identity code") {
		t.Errorf("unknown customer: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.post(anna, linkURL, url.Values{"hetu": {"100871-998D"}, "reason": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Write the reason.") {
		t.Errorf("no reason: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.post(anna, linkURL, form)
	if resp.StatusCode != 200 || !strings.Contains(body, "Matti Virtanen was proposed") || strings.Contains(resp.Request.URL.String(), "Virtanen") {
		t.Fatalf("proposal: %d at %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	if _, body := e.signIn(browser(), "test-eidas", "demo-eidas-kati"); strings.Contains(body, "Matti") {
		t.Error("a proposal alone made the eIDAS sign-in act for Matti")
	}
	waiting, err := e.db().Customers().Links(ctx, customer.LinkProposed, 10)
	if err != nil || len(waiting) != 1 {
		t.Fatalf("waiting proposals: %v %v", waiting, err)
	}
	approve := "/staff/eidas/links/" + waiting[0].ID + "/approve"
	// The proposer is not offered approval, and a forged approval is refused.
	if _, body := e.get(anna, "/staff/eidas"); strings.Contains(body, approve) || !strings.Contains(body, "Your proposal") {
		t.Errorf("the proposer is offered approval:\n%s", grepLines(body, "approve"))
	}
	resp, body = e.post(anna, approve, nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "You proposed this link yourself") || !strings.Contains(body, "error-summary") {
		t.Errorf("own approval: %d\n%s", resp.StatusCode, grepLines(body, "alert"))
	}
	if resp, _ := e.post(olli, approve, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("operations staff approving = %d; want 403", resp.StatusCode)
	}
	resp, body = e.post(kaisa, approve, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "approved and is in force") {
		t.Fatalf("approval: %d\n%s", resp.StatusCode, grepLines(body, "alert"))
	}
	// Approving twice is refused: the proposal no longer waits.
	if resp, _ := e.post(kaisa, approve, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("second approval = %d; want 409", resp.StatusCode)
	}
	// Kati's next sign-in acts for the linked record.
	again := browser()
	_, body = e.signIn(again, "test-eidas", "demo-eidas-kati")
	if !strings.Contains(body, "Matti") {
		t.Errorf("after linking, the eIDAS sign-in shows:\n%s", body)
	}
	// Matti sees the link in his access log.
	matti := browser()
	e.signIn(matti, "test-citizen", "demo-person-matti")
	en(matti)
	if _, body := e.get(matti, "/my/access-log"); !strings.Contains(body, "Linked an eIDAS identity") {
		t.Errorf("Matti's access log lacks the link:\n%s", grepLines(body, "<td"))
	}
	if _, body := e.get(matti, "/my"); !strings.Contains(body, "Foreign eIDs linked to you") || !strings.Contains(body, "eID of country EE") {
		t.Errorf("Matti's page lacks the link:\n%s", body)
	}

	// Undo: a reason is needed; then the identity acts for itself again,
	// and the session that acted for Matti ends.
	undo := "/staff/eidas/links/" + waiting[0].ID + "/undo"
	if resp, body := e.post(anna, undo, url.Values{"reason": {" "}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Write the reason.") {
		t.Errorf("undo without a reason: %d", resp.StatusCode)
	}
	if resp, body := e.post(anna, undo, url.Values{"reason": {"Matti says the identity is not his"}}); resp.StatusCode != 200 || !strings.Contains(body, "The link was undone") {
		t.Errorf("undo: %d\n%s", resp.StatusCode, grepLines(body, "alert"))
	}
	if _, body := e.get(again, "/my"); strings.Contains(body, "Matti") {
		t.Error("the eIDAS session that acted for Matti goes on after the undo")
	}
	if _, body := e.signIn(browser(), "test-eidas", "demo-eidas-kati"); strings.Contains(body, "Matti") {
		t.Error("after the undo, the eIDAS sign-in still acts for Matti")
	}
	if _, body := e.get(matti, "/my"); strings.Contains(body, "Foreign eIDs linked to you") {
		t.Error("Matti's page shows a link undone")
	}
	if _, body := e.get(matti, "/my/access-log"); !strings.Contains(body, "Undid the link of an eIDAS identity") {
		t.Errorf("Matti's access log lacks the undo:\n%s", grepLines(body, "<td"))
	}
	acts := strings.Join(e.auditActions(), ",")
	for _, a := range []customer.Action{customer.ActionPropose, customer.ActionApprove, customer.ActionUndo} {
		if strings.Count(acts, string(a)+",") != 2 {
			t.Errorf("audit has %d × %s; want 2", strings.Count(acts, string(a)+","), a)
		}
	}
	if !strings.Contains(acts, "staff.view_eidas") {
		t.Errorf("audit = %s", acts)
	}
}

// A provider of --oidc-config written with a trailing slash and a wrong
// client secret: start-up says both in the log, naming the setting,
// /readyz says the provider is not usable, and its button carries the
// display name. The provider is this process's built-in one, configured
// as a production provider would be.
func TestProviderMisconfigured(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfgFile := filepath.Join(t.TempDir(), "oidc.json")
	os.WriteFile(cfgFile, []byte(`[{"name":"prod","kind":"citizen","issuer":"http://localhost:`+strconv.Itoa(port)+`/test-idp/",
		"client_id":"test-citizen","client_secret":"wrong","token_endpoint_auth":"client_secret_post",
		"display_name":{"fi":"Tuotanto-tunnistus","sv":"Produktionsidentifiering","en":"Production sign-in"}}]`), 0o600)
	e := startApp(t, func(c *config) {
		c.Addr = "127.0.0.1:" + strconv.Itoa(port)
		c.OIDCConfig = cfgFile
	})
	var logs string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if logs = e.logs.String(); strings.Contains(logs, "invalid_client") {
			break
		}
	}
	for _, want := range []string{
		`provider=prod`, `setting=--oidc-config`,
		`calls itself \"http://localhost:` + strconv.Itoa(port) + `/test-idp\"`,
		"invalid_client", "check client_id and client_secret",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the start-up log lacks %q:\n%s", want, logs)
		}
	}
	_, body := e.get(browser(), "/readyz")
	if !strings.Contains(body, "provider prod: not usable") || !strings.Contains(body, "provider test-citizen: ok") {
		t.Errorf("/readyz:\n%s", body)
	}
	c := browser()
	u, _ := url.Parse(e.base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "sv"}})
	if _, body := e.get(c, "/login"); !strings.Contains(body, "Produktionsidentifiering") {
		t.Errorf("the login page lacks the display name:\n%s", body)
	}
}
