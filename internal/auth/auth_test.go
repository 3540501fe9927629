package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/testidp"
)

var units = []org.Unit{{ID: "recovery"}, {ID: "international"}}

var policy = auth.Policy{EIDASCountries: []string{"EE", "ES", "IT"}, StaffGroupPrefix: "etuus:"}

func TestIdentityFromClaims(t *testing.T) {
	citizen := auth.Provider{Name: "fi", Kind: auth.Citizen, Claims: auth.DefaultClaims()}
	eidas := auth.Provider{Name: "eu", Kind: auth.EIDAS, Claims: auth.DefaultClaims()}
	staff := auth.Provider{Name: "st", Kind: auth.Staff, Claims: auth.DefaultClaims()}
	tests := []struct {
		name    string
		p       auth.Provider
		claims  map[string]any
		wantKey string // "" for success
		check   func(auth.Identity) bool
	}{
		{"citizen", citizen, map[string]any{"hetu": "010403A998U", "given_name": "Maija", "family_name": "M"}, "",
			func(id auth.Identity) bool { return id.HETU == "010403A998U" && id.BirthDate.Year == 2003 }},
		{"2023 century sign kept", citizen, map[string]any{"hetu": "010403B998U", "given_name": "A"}, "",
			func(id auth.Identity) bool { return id.HETU == "010403B998U" }},
		{"bad check character", citizen, map[string]any{"hetu": "131052-308U", "given_name": "A"}, auth.ErrKeyHETU, nil},
		{"impossible date", citizen, map[string]any{"hetu": "310252-308Y", "given_name": "A"}, auth.ErrKeyHETU, nil},
		{"no identity code", citizen, map[string]any{"given_name": "A"}, auth.ErrKeyHETU, nil},
		{"no name", citizen, map[string]any{"hetu": "010403A998U"}, auth.ErrKeyClaims, nil},
		{"eidas accepted", eidas, map[string]any{"person_identifier": "EE/FI/1", "country": "ee", "given_name": "Kati", "birthdate": "1990-01-01"}, "",
			func(id auth.Identity) bool { return id.EIDASCountry == "EE" && id.HETU == "" }},
		{"eidas other country", eidas, map[string]any{"person_identifier": "FR/FI/1", "country": "FR", "given_name": "P"}, auth.ErrKeyCountry, nil},
		{"eidas without identifier", eidas, map[string]any{"country": "EE", "given_name": "K"}, auth.ErrKeyClaims, nil},
		{"eidas bad birth date", eidas, map[string]any{"person_identifier": "EE/FI/1", "country": "EE", "given_name": "K", "birthdate": "1990-13-01"}, auth.ErrKeyClaims, nil},
		{"staff", staff, map[string]any{"given_name": "Anna", "groups": []any{"other", "etuus:recovery:specialist"}}, "",
			func(id auth.Identity) bool { return id.UnitID == "recovery" && id.Role == "specialist" }},
		{"staff unknown unit", staff, map[string]any{"given_name": "Anna", "groups": []any{"etuus:nowhere:specialist"}}, auth.ErrKeyStaffGroup, nil},
		{"staff unknown role", staff, map[string]any{"given_name": "Anna", "groups": []any{"etuus:recovery:admin"}}, auth.ErrKeyStaffGroup, nil},
		{"staff no groups", staff, map[string]any{"given_name": "Anna"}, auth.ErrKeyStaffGroup, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := auth.IdentityFromClaims(tt.p, policy, units, "sub-1", tt.claims)
			if tt.wantKey != "" {
				if fault.KeyOf(err) != tt.wantKey {
					t.Fatalf("err = %v; want key %s", err, tt.wantKey)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(id) {
				t.Errorf("identity = %+v", id)
			}
		})
	}
}

// idp is the built-in provider behind a proxy that can tamper with token
// responses, as a compromised network or provider would.
type idp struct {
	srv    *httptest.Server
	rp     *auth.RP
	tamper func(map[string]any)
	// tamperUserinfo changes the userinfo answer.
	tamperUserinfo func(map[string]any)
	browser        *http.Client
}

func newIDP(t *testing.T) *idp { return newIDPWith(t, nil, nil) }

// newIDPWith is newIDP with the provider's and the relying party's
// configurations changed by the functions, when not nil.
func newIDPWith(t *testing.T, setIDP func(*testidp.Config), setRP func(*auth.Provider)) *idp {
	t.Helper()
	x := &idp{}
	mux := http.NewServeMux()
	x.srv = httptest.NewServer(mux)
	t.Cleanup(x.srv.Close)
	issuer := x.srv.URL + "/test-idp"
	redirect := x.srv.URL + "/cb"
	cfg := testidp.Config{
		Issuer: issuer,
		Identities: []testidp.Identity{{Subject: "maija", Kind: "citizen", Label: "Maija",
			Claims: map[string]any{"hetu": "010403A998U", "given_name": "Maija", "family_name": "Meikäläinen"}}},
		Clients: []testidp.Client{{ID: "c", Secret: "s", RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{x.srv.URL + "/out"}}},
	}
	if setIDP != nil {
		setIDP(&cfg)
	}
	p, err := testidp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A proxy in front of an endpoint changes its JSON answers.
	tampered := func(change *func(map[string]any)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, r)
			var body map[string]any
			json.Unmarshal(rec.Body.Bytes(), &body)
			if *change != nil && rec.Code == 200 {
				(*change)(body)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			json.NewEncoder(w).Encode(body)
		}
	}
	mux.Handle("/test-idp/token", tampered(&x.tamper))
	mux.Handle("/test-idp/userinfo", tampered(&x.tamperUserinfo))
	mux.Handle("/test-idp/", p)
	prov := auth.Provider{Name: "t", Kind: auth.Citizen, Issuer: issuer, ClientID: "c", ClientSecret: "s", Claims: auth.DefaultClaims()}
	if setRP != nil {
		setRP(&prov)
	}
	rp, err := auth.NewRP(prov, redirect, nil)
	if err != nil {
		t.Fatal(err)
	}
	x.rp = rp
	jar, _ := cookiejar.New(nil)
	x.browser = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/cb" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return x
}

var hidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// code signs in at the provider and returns the authorization code.
func (x *idp) code(t *testing.T, authURL string) string {
	t.Helper()
	resp, err := x.browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{}
	for _, m := range hidden.FindAllStringSubmatch(string(b), -1) {
		form.Set(m[1], strings.ReplaceAll(m[2], "&amp;", "&"))
	}
	form.Set("sub", "maija")
	resp, err = x.browser.PostForm(x.srv.URL+"/test-idp/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("code") == "" {
		t.Fatalf("no code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func TestRelyingParty(t *testing.T) {
	ctx := context.Background()
	t.Run("ok", func(t *testing.T) {
		x := newIDP(t)
		f, u, err := x.rp.Start(ctx, "fi")
		if err != nil {
			t.Fatal(err)
		}
		res, err := x.rp.Finish(ctx, f, x.code(t, u))
		if err != nil || res.Subject != "maija" || res.Claims["hetu"] != "010403A998U" || res.FromUserinfo {
			t.Fatalf("Finish = %+v %v", res, err)
		}
		// The ID token carries the identity code: it is not kept for
		// sign-out, the provider's session ID is.
		if !strings.HasPrefix(res.Logout, "sid:") {
			t.Errorf("Logout = %q; want sid:…", res.Logout)
		}
	})
	t.Run("wrong nonce", func(t *testing.T) {
		x := newIDP(t)
		f, u, _ := x.rp.Start(ctx, "fi")
		code := x.code(t, u)
		f.Nonce = auth.RandomToken()
		_, err := x.rp.Finish(ctx, f, code)
		if fault.KeyOf(err) != auth.ErrKeyToken || !strings.Contains(auth.Cause(err), "nonce mismatch") {
			t.Fatalf("err = %v (cause %q); want %s, nonce mismatch", err, auth.Cause(err), auth.ErrKeyToken)
		}
	})
	t.Run("wrong PKCE verifier", func(t *testing.T) {
		x := newIDP(t)
		f, u, _ := x.rp.Start(ctx, "fi")
		code := x.code(t, u)
		// Another first character (the verifier is random: one in 64
		// already starts with "x", which left it unchanged).
		first := "x"
		if f.Verifier[0] == 'x' {
			first = "y"
		}
		f.Verifier = first + f.Verifier[1:]
		if _, err := x.rp.Finish(ctx, f, code); fault.KeyOf(err) != auth.ErrKeyToken || !strings.Contains(auth.Cause(err), "invalid_grant") {
			t.Fatalf("err = %v (cause %q)", err, auth.Cause(err))
		}
	})
	t.Run("ID token signed with another key", func(t *testing.T) {
		x := newIDP(t)
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		x.tamper = func(body map[string]any) {
			body["id_token"] = resign(t, body["id_token"].(string), other)
		}
		f, u, _ := x.rp.Start(ctx, "fi")
		_, err := x.rp.Finish(ctx, f, x.code(t, u))
		if fault.KeyOf(err) != auth.ErrKeyToken || !strings.Contains(auth.Cause(err), "signature") {
			t.Fatalf("err = %v (cause %q); want %s", err, auth.Cause(err), auth.ErrKeyToken)
		}
	})
	t.Run("provider down", func(t *testing.T) {
		rp, _ := auth.NewRP(auth.Provider{Name: "d", Issuer: "http://127.0.0.1:1/none", ClientID: "c"}, "http://x/cb", nil)
		_, _, err := rp.Start(ctx, "fi")
		if !fault.Is(err, fault.Unavailable) {
			t.Fatalf("err = %v; want Unavailable", err)
		}
	})
}

// resign re-signs a JWT's payload with another key, keeping the header's kid.
func resign(t *testing.T, token string, key *rsa.PrivateKey) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	payload := jws.UnsafePayloadWithoutVerification()
	kid := jws.Signatures[0].Header.KeyID
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := out.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
