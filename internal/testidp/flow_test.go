package testidp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

func TestSignInFlow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		style oauth2.AuthStyle
	}{
		{"client_secret_basic", oauth2.AuthStyleInHeader},
		{"client_secret_post", oauth2.AuthStyleInParams},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			cfg := h.rp
			cfg.Endpoint.AuthStyle = tc.style
			s := newRPSession()

			form, page := h.openSignIn(h.authURL(cfg, s))
			for _, want := range []string{
				`<html lang="fi">`,
				"TESTI – testitunnistuspalvelu, ei todelliseen tunnistamiseen",
				"Henkilöasiakkaat", "Ulkomaiset henkilöt", "Henkilöstö",
				`value="citizen-maija">Maija Meikäläinen (010403A998U)</button>`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("sign-in page lacks %q", want)
				}
			}
			if i, j := strings.Index(page, "Henkilöasiakkaat"), strings.Index(page, "Henkilöstö"); i > j {
				t.Error("groups are not in configuration order")
			}

			form.Set("sub", "citizen-maija")
			resp, _ := h.submit(form)
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("sign-in answered %d, want 303", resp.StatusCode)
			}
			cb := callback(t, resp, rpRedirect)
			if cb.Get("state") != s.state || cb.Get("iss") != h.issuer || cb.Get("code") == "" {
				t.Fatalf("callback %v: want code, state %q and iss %q", cb, s.state, h.issuer)
			}

			tok, idt, err := h.exchange(cfg, cb.Get("code"), s)
			if err != nil {
				t.Fatal(err)
			}
			if idt.Subject != "citizen-maija" || idt.Issuer != h.issuer || !slices.Equal(idt.Audience, []string{rpClientID}) {
				t.Errorf("ID token sub %q iss %q aud %v", idt.Subject, idt.Issuer, idt.Audience)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			var claims struct {
				Hetu       string `json:"hetu"`
				Name       string `json:"name"`
				FamilyName string `json:"family_name"`
				SID        string `json:"sid"`
				AuthTime   int64  `json:"auth_time"`
			}
			if err := idt.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if claims.Hetu != "010403A998U" || claims.Name != "Maija Meikäläinen" || claims.FamilyName != "Meikäläinen" ||
				claims.SID == "" || claims.AuthTime != h.clock.Now().Unix() {
				t.Errorf("ID token claims %+v", claims)
			}

			info, err := h.provider.UserInfo(h.ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatal(err)
			}
			var infoClaims map[string]any
			if err := info.Claims(&infoClaims); err != nil {
				t.Fatal(err)
			}
			if info.Subject != "citizen-maija" || infoClaims["hetu"] != "010403A998U" {
				t.Errorf("userinfo %v", infoClaims)
			}

			// Signing out ends the session: the client goes back to its
			// registered page with its state, and the access token dies.
			var meta struct {
				EndSession string `json:"end_session_endpoint"`
			}
			if err := h.provider.Claims(&meta); err != nil {
				t.Fatal(err)
			}
			raw, _ := tok.Extra("id_token").(string)
			resp, _ = h.get(meta.EndSession + "?" + url.Values{
				"id_token_hint":            {raw},
				"post_logout_redirect_uri": {rpPostLogout},
				"state":                    {"after-logout"},
			}.Encode())
			if got := callback(t, resp, rpPostLogout); got.Get("state") != "after-logout" {
				t.Errorf("logout redirect state %q", got.Get("state"))
			}
			if _, err := h.provider.UserInfo(h.ctx, oauth2.StaticTokenSource(tok)); err == nil {
				t.Error("userinfo still answers after logout")
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	h := newHarness(t)
	resp, body := h.get(h.issuer + "/.well-known/openid-configuration")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"issuer":                                         h.issuer,
		"authorization_endpoint":                         h.issuer + "/authorize",
		"token_endpoint":                                 h.issuer + "/token",
		"userinfo_endpoint":                              h.issuer + "/userinfo",
		"jwks_uri":                                       h.issuer + "/jwks",
		"end_session_endpoint":                           h.issuer + "/logout",
		"response_types_supported":                       []any{"code"},
		"subject_types_supported":                        []any{"public"},
		"id_token_signing_alg_values_supported":          []any{"RS256"},
		"code_challenge_methods_supported":               []any{"S256"},
		"token_endpoint_auth_methods_supported":          []any{"client_secret_basic", "client_secret_post", "private_key_jwt"},
		"grant_types_supported":                          []any{"authorization_code"},
		"authorization_response_iss_parameter_supported": true,
		"request_uri_parameter_supported":                false,
	}
	for k, v := range want {
		if got, _ := json.Marshal(doc[k]); string(got) != mustJSON(t, v) {
			t.Errorf("%s = %s, want %s", k, got, mustJSON(t, v))
		}
	}
	claims, _ := doc["claims_supported"].([]any)
	for _, c := range []string{"sub", "hetu", "person_identifier", "groups", "sid"} {
		if !slices.Contains(claims, any(c)) {
			t.Errorf("claims_supported lacks %q", c)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The relying party must accept only tokens signed with the provider's
// key: the key set holds that one key, and a token signed by another key
// fails verification whatever kid it claims.
func TestForeignSignatureRejected(t *testing.T) {
	h := newHarness(t)
	resp, body := h.get(h.issuer + "/jwks")
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(body), &set); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("jwks: %d %v", resp.StatusCode, err)
	}
	if len(set.Keys) != 1 || set.Keys[0].KeyID != h.idp.keyID || !set.Keys[0].IsPublic() {
		t.Fatalf("jwks holds %+v, want only the public key %q", set.Keys, h.idp.keyID)
	}

	other := newKey(t)
	claims := map[string]any{
		"iss": h.issuer, "sub": "citizen-maija", "aud": rpClientID, "nonce": "n",
		"iat": h.clock.Now().Unix(), "exp": h.clock.Now().Unix() + 300,
	}
	for _, tc := range []struct {
		name   string
		sign   func() string
		wantOK bool
	}{
		{"own key verifies", func() string { return signWith(t, h.idp.key, h.idp.keyID, claims) }, true},
		{"other key with our kid", func() string { return signWith(t, other, h.idp.keyID, claims) }, false},
		{"other key with its own kid", func() string { return signWith(t, other, "attacker", claims) }, false},
		{"other key without kid", func() string { return signWith(t, other, "", claims) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.verifier.Verify(h.ctx, tc.sign())
			if (err == nil) != tc.wantOK {
				t.Errorf("verify: %v, want ok=%v", err, tc.wantOK)
			}
		})
	}
}

func TestConcurrentSignIns(t *testing.T) {
	h := newHarness(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				s := newRPSession()
				code := h.signIn(h.rp, s, "eidas-ee-mari")
				if _, idt, err := h.exchange(h.rp, code, s); err != nil || idt.Subject != "eidas-ee-mari" {
					t.Errorf("exchange: %v", err)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkSignInRoundTrip measures a whole sign-in after the page is
// shown: the identity's POST, the code exchange and ID token verification.
func BenchmarkSignInRoundTrip(b *testing.B) {
	h := newHarness(b)
	for b.Loop() {
		s := newRPSession()
		authURL, err := url.Parse(h.authURL(h.rp, s))
		if err != nil {
			b.Fatal(err)
		}
		form := authURL.Query()
		form.Set("sub", "citizen-maija")
		resp, _ := h.submit(form)
		code := callback(b, resp, rpRedirect).Get("code")
		if _, _, err := h.exchange(h.rp, code, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signins/s")
}
