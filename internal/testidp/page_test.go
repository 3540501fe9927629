package testidp

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

func TestMessagesComplete(t *testing.T) {
	for key, texts := range messages {
		for _, lang := range languages {
			if strings.TrimSpace(texts[lang]) == "" {
				t.Errorf("message %q has no %s text", key, lang)
			}
		}
		if len(texts) != len(languages) {
			t.Errorf("message %q has texts in %d languages, want %d", key, len(texts), len(languages))
		}
	}
}

// Every page, in every language, renders from the table alone, says TEST
// where nobody can miss it, and fits the site's strict CSP.
func TestPages(t *testing.T) {
	h := newHarness(t)
	banner := map[string]string{
		"fi": "TESTI – testitunnistuspalvelu, ei todelliseen tunnistamiseen",
		"sv": "TEST – testidentifieringstjänst, inte för verklig identifiering",
		"en": "TEST – test identity provider, not for real identification",
	}
	for _, lang := range languages {
		signIn := h.authURL(h.rp, newRPSession()) + "&ui_locales=" + lang
		for _, tc := range []struct {
			name, url string
			status    int
		}{
			{"sign-in", signIn, http.StatusOK},
			{"error", strings.Replace(signIn, "client_id="+rpClientID, "client_id=nobody", 1), http.StatusBadRequest},
			{"signed out", h.issuer + "/logout?ui_locales=" + lang, http.StatusOK},
		} {
			t.Run(lang+"/"+tc.name, func(t *testing.T) {
				resp, body := h.get(tc.url)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tc.status, body)
				}
				if got := resp.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control %q", got)
				}
				for _, want := range []string{
					`<html lang="` + lang + `">`, "<main", "<h1>", banner[lang],
					`<link rel="stylesheet" href="/static/etuus.css">`,
				} {
					if !strings.Contains(body, want) {
						t.Errorf("page lacks %q", want)
					}
				}
				for _, banned := range []string{"<script", "<style", "style=", "javascript:"} {
					if strings.Contains(strings.ToLower(body), banned) {
						t.Errorf("page has %q, which a strict CSP blocks", banned)
					}
				}
			})
		}
	}
}

// Every button says what it does: an identity's label or the cancel text.
func TestSignInButtonsLabelled(t *testing.T) {
	h := newHarness(t)
	_, body := h.openSignIn(h.authURL(h.rp, newRPSession()))
	buttons := regexp.MustCompile(`<button [^>]*>([^<]*)</button>`).FindAllStringSubmatch(body, -1)
	if len(buttons) != len(testIdentities)+1 {
		t.Fatalf("%d buttons, want one per identity and cancel", len(buttons))
	}
	for _, b := range buttons {
		if strings.TrimSpace(b[1]) == "" {
			t.Errorf("unlabelled button %q", b[0])
		}
	}
}

func TestPageLanguage(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Lang = func(r *http.Request) string {
			if c, err := r.Cookie("lang"); err == nil {
				return c.Value
			}
			return ""
		}
	})
	u, _ := url.Parse(h.issuer)
	for _, tc := range []struct{ cookie, uiLocales, want string }{
		{"", "", "fi"},
		{"sv", "", "sv"},
		{"xx", "", "fi"},
		{"sv", "en-GB fi", "en"},
		{"sv", "de fi", "fi"},
		{"en", "de", "en"},
		{"sv-FI", "", "sv"},
	} {
		h.browser.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: tc.cookie, Path: "/"}})
		target := h.authURL(h.rp, newRPSession())
		if tc.uiLocales != "" {
			target += "&ui_locales=" + url.QueryEscape(tc.uiLocales)
		}
		if _, body := h.openSignIn(target); !strings.Contains(body, `<html lang="`+tc.want+`">`) {
			t.Errorf("cookie %q, ui_locales %q: want lang %q", tc.cookie, tc.uiLocales, tc.want)
		}
	}
}

// Hostile parameters are escaped on the page and reach the client unchanged.
func TestHiddenFieldsEscaped(t *testing.T) {
	h := newHarness(t)
	s := newRPSession()
	s.state = `"><script>alert(1)</script>&amp;`
	form, body := h.openSignIn(h.authURL(h.rp, s))
	if strings.Contains(body, "<script") {
		t.Fatalf("state was not escaped:\n%s", body)
	}
	if form.Get("state") != s.state {
		t.Fatalf("state came back as %q", form.Get("state"))
	}
	code := h.signIn(h.rp, s, "citizen-maija")
	if _, _, err := h.exchange(h.rp, code, s); err != nil {
		t.Fatal(err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := func() Config {
		return Config{
			Issuer:     "http://localhost:8080/test-idp",
			Identities: []Identity{{Subject: "a", Kind: "citizen", Label: "A"}},
			Clients:    []Client{{ID: "c", Secret: "s", RedirectURIs: []string{"http://localhost:8080/cb"}}},
			Key:        testKey(),
		}
	}
	if _, err := New(good()); err != nil {
		t.Fatalf("good config refused: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
	}{
		{"issuer with trailing slash", func(c *Config) { c.Issuer += "/" }},
		{"relative issuer", func(c *Config) { c.Issuer = "/test-idp" }},
		{"issuer with query", func(c *Config) { c.Issuer += "?x=1" }},
		{"duplicate subject", func(c *Config) { c.Identities = append(c.Identities, c.Identities[0]) }},
		{"identity without label", func(c *Config) { c.Identities[0].Label = "" }},
		{"identity overriding sub", func(c *Config) { c.Identities[0].Claims = map[string]any{"sub": "root"} }},
		{"identity overriding nonce", func(c *Config) { c.Identities[0].Claims = map[string]any{"nonce": "n"} }},
		{"client without secret", func(c *Config) { c.Clients[0].Secret = "" }},
		{"client without redirect URI", func(c *Config) { c.Clients[0].RedirectURIs = nil }},
		{"relative redirect URI", func(c *Config) { c.Clients[0].RedirectURIs = []string{"/cb"} }},
		{"redirect URI with fragment", func(c *Config) { c.Clients[0].RedirectURIs = []string{"http://x/cb#f"} }},
		{"relative post-logout URI", func(c *Config) { c.Clients[0].PostLogoutRedirectURIs = []string{"/out"} }},
		{"duplicate client", func(c *Config) { c.Clients = append(c.Clients, c.Clients[0]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good()
			tc.change(&cfg)
			if _, err := New(cfg); err == nil {
				t.Error("New accepted it")
			}
		})
	}
}

// An issuer at the host's root serves its endpoints at the root.
func TestRootIssuer(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	idp, err := New(Config{
		Issuer:  srv.URL,
		Clients: []Client{{ID: "c", Secret: "s", RedirectURIs: []string{"http://rp.example/cb"}}},
		Key:     testKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", idp)
	p, err := oidc.NewProvider(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Endpoint().TokenURL; got != srv.URL+"/token" {
		t.Errorf("token endpoint %q", got)
	}
}
