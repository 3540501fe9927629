package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/directory"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/securemail"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
	"github.com/etuus/etuus/internal/web"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// env is a running web front on a seeded database.
type env struct {
	db  *store.DB
	srv *httptest.Server
	web *web.Server
}

func newEnv(t testing.TB, db *store.DB, tweak ...func(*web.Config)) *env {
	t.Helper()
	ctx := context.Background()
	units, contacts, err := org.Reference()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SeedReference(ctx, units, contacts); err != nil {
		t.Fatal(err)
	}
	d, err := demo.Set()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	// A page that asks for a text no language has fails the test.
	cat.OnMissing = func(lang, key string) { t.Errorf("missing text %q in %s", key, lang) }
	srv := httptest.NewUnstartedServer(nil)
	msgs, err := message.NewService(db.Messages(), message.Config{})
	if err != nil {
		t.Fatal(err)
	}
	secure, err := securemail.NewService(db.SecureMail(), securemail.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		Messages: web.MessagesConfig{Service: msgs}, SecureEmail: web.SecureEmailConfig{Service: secure},
		Desk: desk.NewService(db.Desk(), nil), Directory: directory.NewService(db.Directory(), nil)}
	for _, f := range tweak {
		f(&cfg)
	}
	w, err := web.New(cfg, db, cat, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = w.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{db: db, srv: srv, web: w}
}

func get(t testing.TB, c *http.Client, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestHomeInEveryLanguage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	want := map[string][]string{
		"fi": {`<html lang="fi">`, "Sosiaaliturvan asiointipalvelu", "Perintäkeskus", "020 634 4940", "ma–pe 10:00–15:00", "Pietarsaari", "Siirry sisältöön"},
		"sv": {`<html lang="sv">`, "E-tjänst för social trygghet", "Indrivningscentralen", "mån–fre", "Jakobstad", "Gå till innehållet"},
		"en": {`<html lang="en">`, "Social security e-services", "Overpayment Recovery Centre", "Mon–Fri", "Jakobstad (Pietarsaari)", "Skip to content"},
	}
	for lang, texts := range want {
		t.Run(lang, func(t *testing.T) {
			resp, body := get(t, nil, e.srv.URL+"/", "Cookie", "lang="+lang)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, s := range texts {
				if !strings.Contains(body, s) {
					t.Errorf("front page in %s lacks %q", lang, s)
				}
			}
			if got := resp.Header.Get("Content-Language"); got != lang {
				t.Errorf("Content-Language = %q", got)
			}
		})
	}
}

func TestLanguageFromAcceptLanguage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	_, body := get(t, nil, e.srv.URL+"/", "Accept-Language", "sv-FI,sv;q=0.9,en;q=0.5")
	if !strings.Contains(body, `<html lang="sv">`) {
		t.Error("Accept-Language sv-FI did not give Swedish")
	}
	_, body = get(t, nil, e.srv.URL+"/", "Accept-Language", "de-DE")
	if !strings.Contains(body, `<html lang="fi">`) {
		t.Error("an unknown language did not fall back to Finnish")
	}
}

func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := noRedirect()
	tests := []struct{ next, location string }{
		{"/", "/"},
		{"/some/page", "/some/page"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"", "/"},
	}
	for _, tt := range tests {
		resp, _ := get(t, c, e.srv.URL+"/lang/sv?next="+urlQuery(tt.next))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tt.location {
			t.Errorf("next=%q: %d Location %q; want 303 %q", tt.next, resp.StatusCode, resp.Header.Get("Location"), tt.location)
		}
		ck := resp.Cookies()
		if len(ck) != 1 || ck[0].Name != "lang" || ck[0].Value != "sv" || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie = %+v", ck)
		}
	}
	resp, _ := get(t, c, e.srv.URL+"/lang/de")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/lang/de = %d; want 404", resp.StatusCode)
	}
}

func TestNotFoundIsTranslated(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for lang, text := range map[string]string{"fi": "Sivua ei löytynyt", "sv": "Sidan hittades inte", "en": "The page was not found"} {
		resp, body := get(t, nil, e.srv.URL+"/no/such/page", "Cookie", "lang="+lang)
		if resp.StatusCode != 404 || !strings.Contains(body, text) {
			t.Errorf("%s: 404 page = %d, lacks %q", lang, resp.StatusCode, text)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	resp, _ := get(t, nil, e.srv.URL+"/")
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
	}
	for h, v := range want {
		if got := resp.Header.Get(h); got != v {
			t.Errorf("%s = %q; want %q", h, got, v)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	resp, _ = get(t, nil, e.srv.URL+"/static/etuus.css")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	req, _ := http.NewRequest("POST", e.srv.URL+"/lang/fi", strings.NewReader("x=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d; want 403", resp.StatusCode)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if resp, body := get(t, nil, e.srv.URL+"/healthz"); resp.StatusCode != 200 || body != "ok\n" {
			t.Errorf("healthz = %d %q", resp.StatusCode, body)
		}
		if resp, _ := get(t, nil, e.srv.URL+"/readyz"); resp.StatusCode != 200 {
			t.Errorf("readyz = %d", resp.StatusCode)
		}
		_, metrics := get(t, nil, e.srv.URL+"/metrics")
		if !strings.Contains(metrics, `etuus_http_requests_total{code="200",method="GET",route="GET /readyz"} 1`) {
			t.Errorf("metrics lack the readyz request:\n%s", metrics)
		}
		// A scraper or probe that sends a cookie along is not looked up
		// in the sessions table: a page would clear an unknown session's
		// cookie, these paths leave it alone.
		for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
			if resp, _ := get(t, nil, e.srv.URL+path, "Cookie", "etuus_session=no-such-session"); resp.Header.Get("Set-Cookie") != "" {
				t.Errorf("%s looked up the session: Set-Cookie %q", path, resp.Header.Get("Set-Cookie"))
			}
		}
		if resp, _ := get(t, nil, e.srv.URL+"/", "Cookie", "etuus_session=no-such-session"); !strings.Contains(resp.Header.Get("Set-Cookie"), "etuus_session=;") {
			t.Errorf("the front page kept an unknown session's cookie: Set-Cookie %q", resp.Header.Get("Set-Cookie"))
		}
		db.Close()
		if resp, _ := get(t, nil, e.srv.URL+"/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("readyz with the database closed = %d; want 503", resp.StatusCode)
		}
		if resp, _ := get(t, nil, e.srv.URL+"/healthz"); resp.StatusCode != 200 {
			t.Errorf("healthz with the database closed = %d; want 200", resp.StatusCode)
		}
	})
}

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func urlQuery(s string) string {
	r := strings.NewReplacer("/", "%2F", ":", "%3A", "\\", "%5C")
	return r.Replace(s)
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	big := strings.Repeat("a", 2<<20)
	req, _ := http.NewRequest("POST", e.srv.URL+"/secure-email", strings.NewReader("email="+big))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "lang=en")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "too large") {
		t.Errorf("2 MiB form = %d; want 413 with a translated message", resp.StatusCode)
	}
}

// TestDatabaseGoneIsTranslated: with the database gone, the front page
// answers from memory, and a signed-in page answers the translated
// outage page (503) without internals.
func TestDatabaseGoneIsTranslated(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db)
	db.Close()
	for lang, text := range map[string]string{"fi": "Kela-korttisi", "sv": "FPA-kort", "en": "Kela card"} {
		if resp, body := get(t, nil, e.srv.URL+"/", "Cookie", "lang="+lang); resp.StatusCode != 200 || !strings.Contains(body, "020 634 4940") {
			t.Errorf("%s front page: %d", lang, resp.StatusCode)
		}
		// A signed-in browser's session cannot be read.
		resp, body := get(t, nil, e.srv.URL+"/my", "Cookie", "lang="+lang+"; etuus_session=abc")
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, text) {
			t.Errorf("%s: %d, lacks %q", lang, resp.StatusCode, text)
		}
		if strings.Contains(body, "sql") || strings.Contains(body, "closed") {
			t.Errorf("%s: the error page shows internals", lang)
		}
	}
}

func TestSecureEmailOffWithoutMailer(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	resp, body := get(t, nil, e.srv.URL+"/secure-email", "Cookie", "lang=en")
	if resp.StatusCode != 200 || !strings.Contains(body, "not available") {
		t.Errorf("secure e-mail without a mailer: %d", resp.StatusCode)
	}
}
