package testidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// The relying parties registered with the provider under test. Their
// redirect URIs are never served: the browser stops before following them.
const (
	rpClientID     = "etuus-web"
	rpSecret       = "s3cret:with%odd&chars" // exercises the form-encoding of Basic credentials
	rpRedirect     = "http://rp.example/auth/callback"
	rpRedirect2    = "http://rp.example/auth/callback2"
	rpPostLogout   = "http://rp.example/signed-out"
	otherClientID  = "other-service"
	otherSecret    = "other-secret"
	otherRedirect  = "http://other.example/callback"
	testIdentLabel = "Maija Meikäläinen (010403A998U)"
)

var testIdentities = []Identity{
	{Subject: "citizen-maija", Kind: "citizen", Label: testIdentLabel, Claims: map[string]any{
		"hetu": "010403A998U", "given_name": "Maija", "family_name": "Meikäläinen", "name": "Maija Meikäläinen",
	}},
	{Subject: "citizen-matti", Kind: "citizen", Label: "Matti Meikäläinen (150585-991L)", Claims: map[string]any{
		"hetu": "150585-991L", "given_name": "Matti", "family_name": "Meikäläinen", "name": "Matti Meikäläinen",
	}},
	{Subject: "eidas-ee-mari", Kind: "eidas", Label: "Mari Maasikas (Estonia)", Claims: map[string]any{
		"person_identifier": "EE/FI/38001085718", "given_name": "Mari", "family_name": "Maasikas",
		"birthdate": "1980-01-08", "country": "EE",
	}},
	{Subject: "staff-kaisa", Kind: "staff", Label: "Kaisa Käsittelijä (customer service)", Claims: map[string]any{
		"name": "Kaisa Käsittelijä", "groups": []string{"recovery-centre"},
	}},
}

// testKey is shared: generating RSA keys dominates test time otherwise.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// clock is the injected clock; tests move it forward to expire things.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is the provider mounted at /test-idp/ on a real HTTP server, and
// a relying party built the way the web package builds it: go-oidc
// discovery and verification, x/oauth2 for the code exchange.
type harness struct {
	tb       testing.TB
	ctx      context.Context
	srv      *httptest.Server
	idp      *Provider
	clock    *clock
	issuer   string
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	rp       oauth2.Config // client_secret_basic
	other    oauth2.Config // a second registered client
	browser  *http.Client
}

func newHarness(tb testing.TB, tweak ...func(*Config)) *harness {
	tb.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)

	clk := &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	issuer := srv.URL + "/test-idp"
	cfg := Config{
		Issuer:     issuer,
		Identities: testIdentities,
		Clients: []Client{
			{ID: rpClientID, Secret: rpSecret, RedirectURIs: []string{rpRedirect, rpRedirect2}, PostLogoutRedirectURIs: []string{rpPostLogout}},
			{ID: otherClientID, Secret: otherSecret, RedirectURIs: []string{otherRedirect}},
		},
		Now: clk.Now,
		Key: testKey(),
	}
	for _, f := range tweak {
		f(&cfg)
	}
	idp, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	mux.Handle("/test-idp/", idp)

	ctx := tb.Context()
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		tb.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &harness{
		tb:       tb,
		ctx:      ctx,
		srv:      srv,
		idp:      idp,
		clock:    clk,
		issuer:   issuer,
		provider: provider,
		verifier: provider.Verifier(&oidc.Config{ClientID: rpClientID, Now: clk.Now}),
		rp: oauth2.Config{
			ClientID: rpClientID, ClientSecret: rpSecret, RedirectURL: rpRedirect,
			Endpoint: withAuthStyle(provider.Endpoint(), oauth2.AuthStyleInHeader),
			Scopes:   []string{oidc.ScopeOpenID, "profile"},
		},
		other: oauth2.Config{
			ClientID: otherClientID, ClientSecret: otherSecret, RedirectURL: otherRedirect,
			Endpoint: withAuthStyle(provider.Endpoint(), oauth2.AuthStyleInParams),
			Scopes:   []string{oidc.ScopeOpenID},
		},
		browser: &http.Client{
			Jar: jar,
			// Stop where the provider hands the browser back to a client.
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if req.URL.Host != strings.TrimPrefix(srv.URL, "http://") {
					return http.ErrUseLastResponse
				}
				return nil
			},
		},
	}
}

func withAuthStyle(e oauth2.Endpoint, s oauth2.AuthStyle) oauth2.Endpoint {
	e.AuthStyle = s
	return e
}

// rpSession is what a relying party keeps between redirect and callback.
type rpSession struct{ state, nonce, verifier string }

func newRPSession() rpSession {
	return rpSession{state: rand.Text(), nonce: rand.Text(), verifier: oauth2.GenerateVerifier()}
}

func (h *harness) authURL(cfg oauth2.Config, s rpSession, opts ...oauth2.AuthCodeOption) string {
	opts = append([]oauth2.AuthCodeOption{oidc.Nonce(s.nonce), oauth2.S256ChallengeOption(s.verifier)}, opts...)
	return cfg.AuthCodeURL(s.state, opts...)
}

func (h *harness) get(u string) (*http.Response, string) {
	h.tb.Helper()
	resp, err := h.browser.Get(u)
	if err != nil {
		h.tb.Fatal(err)
	}
	return resp, readBody(h.tb, resp)
}

func readBody(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

var (
	formRE   = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// openSignIn loads the sign-in page like a browser and returns the form's
// hidden fields and the page.
func (h *harness) openSignIn(authURL string) (url.Values, string) {
	h.tb.Helper()
	resp, body := h.get(authURL)
	if resp.StatusCode != http.StatusOK {
		h.tb.Fatalf("sign-in page: status %d: %s", resp.StatusCode, body)
	}
	m := formRE.FindStringSubmatch(body)
	if m == nil || html.UnescapeString(m[1]) != "/test-idp/authorize" {
		h.tb.Fatalf("sign-in page has no form posting to /test-idp/authorize:\n%s", body)
	}
	form := url.Values{}
	for _, f := range hiddenRE.FindAllStringSubmatch(body, -1) {
		form.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return form, body
}

// submit posts the sign-in form as a browser would.
func (h *harness) submit(form url.Values) (*http.Response, string) {
	h.tb.Helper()
	resp, err := h.browser.PostForm(h.issuer+"/authorize", form)
	if err != nil {
		h.tb.Fatal(err)
	}
	return resp, readBody(h.tb, resp)
}

// callback returns the parameters of a redirect to prefix, failing unless
// the response is exactly such a redirect.
func callback(tb testing.TB, resp *http.Response, prefix string) url.Values {
	tb.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("want a redirect to %s, got status %d", prefix, resp.StatusCode)
	}
	base, query, _ := strings.Cut(loc, "?")
	if base != prefix {
		tb.Fatalf("redirected to %q, want %q", loc, prefix)
	}
	v, err := url.ParseQuery(query)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// signIn runs the browser's part for sub and returns the callback's code.
func (h *harness) signIn(cfg oauth2.Config, s rpSession, sub string) string {
	h.tb.Helper()
	form, _ := h.openSignIn(h.authURL(cfg, s))
	form.Set("sub", sub)
	resp, _ := h.submit(form)
	cb := callback(h.tb, resp, cfg.RedirectURL)
	if cb.Get("state") != s.state || cb.Get("code") == "" {
		h.tb.Fatalf("callback %v: want a code and state %q", cb, s.state)
	}
	return cb.Get("code")
}

// exchange redeems code and verifies the ID token, as the relying party does.
func (h *harness) exchange(cfg oauth2.Config, code string, s rpSession) (*oauth2.Token, *oidc.IDToken, error) {
	tok, err := cfg.Exchange(h.ctx, code, oauth2.VerifierOption(s.verifier))
	if err != nil {
		return nil, nil, err
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := h.verifier.Verify(h.ctx, raw)
	if err != nil {
		return tok, nil, err
	}
	if idt.Nonce != s.nonce {
		return tok, nil, errors.New("nonce mismatch")
	}
	return tok, idt, nil
}

// errorCode returns the OAuth error code and HTTP status of a failed exchange.
func errorCode(tb testing.TB, err error) (string, int) {
	tb.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		tb.Fatalf("want a token endpoint error, got %v", err)
	}
	return re.ErrorCode, re.Response.StatusCode
}

func newKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// signWith signs claims as a JWT with any key, to forge tokens.
func signWith(tb testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	tb.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		tb.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}
