package testidp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// Requests whose client or redirect URI cannot be trusted get an error
// page: redirecting them would make the provider an open redirector.
func TestAuthorizeRefusedWithoutRedirect(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		text   string
	}{
		{"unknown client", func(q url.Values) { q.Set("client_id", "nobody") }, "ei ole rekisteröity tähän"},
		{"missing client", func(q url.Values) { q.Del("client_id") }, "ei ole rekisteröity tähän"},
		{"unregistered redirect_uri", func(q url.Values) { q.Set("redirect_uri", "http://evil.example/cb") }, "paluuosoitetta ei ole rekisteröity"},
		{"redirect_uri of another client", func(q url.Values) { q.Set("redirect_uri", otherRedirect) }, "paluuosoitetta ei ole rekisteröity"},
		{"redirect_uri extending a registered one", func(q url.Values) { q.Set("redirect_uri", rpRedirect+"/../x") }, "paluuosoitetta ei ole rekisteröity"},
		{"missing redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, "paluuosoitetta ei ole rekisteröity"},
		{"repeated redirect_uri", func(q url.Values) { q.Add("redirect_uri", rpRedirect) }, "paluuosoitetta ei ole rekisteröity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse(h.authURL(h.rp, newRPSession()))
			q := u.Query()
			tc.change(q)
			u.RawQuery = q.Encode()
			resp, body := h.get(u.String())
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q: want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
			if !strings.Contains(body, tc.text) || !strings.Contains(body, "TESTI –") {
				t.Errorf("error page lacks %q or the TEST banner:\n%s", tc.text, body)
			}
		})
	}
}

// Once the redirect URI is known good, refusals go back to the client
// with the state, so the relying party can tell its user what happened.
func TestAuthorizeRefusedWithRedirect(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name      string
		change    func(url.Values)
		wantError string
	}{
		{"missing PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "invalid_request"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"PKCE without method", func(q url.Values) { q.Del("code_challenge_method") }, "invalid_request"},
		{"malformed challenge", func(q url.Values) { q.Set("code_challenge", "short") }, "invalid_request"},
		{"missing nonce", func(q url.Values) { q.Del("nonce") }, "invalid_request"},
		{"missing state", func(q url.Values) { q.Del("state") }, "invalid_request"},
		{"scope without openid", func(q url.Values) { q.Set("scope", "profile") }, "invalid_scope"},
		{"implicit flow", func(q url.Values) { q.Set("response_type", "id_token") }, "unsupported_response_type"},
		{"missing response_type", func(q url.Values) { q.Del("response_type") }, "invalid_request"},
		{"repeated parameter", func(q url.Values) { q.Add("nonce", "second") }, "invalid_request"},
		{"prompt=none", func(q url.Values) { q.Set("prompt", "none") }, "login_required"},
		{"request object", func(q url.Values) { q.Set("request", "eyJ.x.y") }, "request_not_supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRPSession()
			u, _ := url.Parse(h.authURL(h.rp, s))
			q := u.Query()
			tc.change(q)
			u.RawQuery = q.Encode()
			resp, _ := h.get(u.String())
			cb := callback(t, resp, rpRedirect)
			wantState := s.state
			if q.Get("state") == "" {
				wantState = ""
			}
			if cb.Get("error") != tc.wantError || cb.Get("state") != wantState || cb.Get("iss") != h.issuer || cb.Has("code") {
				t.Errorf("callback %v: want error %q, state %q, iss and no code", cb, tc.wantError, wantState)
			}
		})
	}
}

// The sign-in POST trusts none of its hidden fields.
// A client limited to citizens neither lists nor signs in staff, as a
// production citizen provider never yields a staff identity.
func TestClientKindsLimitIdentities(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Clients[0].Kinds = []string{"citizen"} })
	s := newRPSession()
	form, body := h.openSignIn(h.authURL(h.rp, s))
	if strings.Contains(body, "staff-kaisa") || !strings.Contains(body, "citizen-maija") {
		t.Error("the sign-in page for a citizen client lists the wrong identities")
	}
	form.Set("sub", "staff-kaisa")
	resp, _ := h.submit(form)
	cb := callback(t, resp, rpRedirect)
	if cb.Get("error") != "invalid_request" || cb.Has("code") {
		t.Errorf("staff identity through a citizen client: callback %v; want invalid_request, no code", cb)
	}
}

func TestSignInPostRefused(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name      string
		change    func(url.Values)
		wantError string // empty: an error page, no redirect
	}{
		{"cancel", func(f url.Values) { f.Set("cancel", "1") }, "access_denied"},
		{"unknown identity", func(f url.Values) { f.Set("sub", "made-up") }, "invalid_request"},
		{"two identities", func(f url.Values) { f.Add("sub", "citizen-matti") }, "invalid_request"},
		{"PKCE removed", func(f url.Values) { f.Del("code_challenge") }, "invalid_request"},
		{"nonce removed", func(f url.Values) { f.Del("nonce") }, "invalid_request"},
		{"redirect_uri swapped", func(f url.Values) { f.Set("redirect_uri", "http://evil.example/cb") }, ""},
		{"client swapped", func(f url.Values) { f.Set("client_id", "nobody") }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRPSession()
			form, _ := h.openSignIn(h.authURL(h.rp, s))
			form.Set("sub", "citizen-maija")
			tc.change(form)
			resp, body := h.submit(form)
			if tc.wantError == "" {
				if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
					t.Fatalf("status %d, Location %q: want an error page", resp.StatusCode, resp.Header.Get("Location"))
				}
				if !strings.Contains(body, "TESTI –") {
					t.Error("error page lacks the TEST banner")
				}
				return
			}
			cb := callback(t, resp, rpRedirect)
			if cb.Get("error") != tc.wantError || cb.Get("state") != s.state || cb.Has("code") {
				t.Errorf("callback %v: want error %q with state and no code", cb, tc.wantError)
			}
		})
	}
}

func TestTokenRefused(t *testing.T) {
	t.Run("wrong code_verifier", func(t *testing.T) {
		h := newHarness(t)
		s := newRPSession()
		code := h.signIn(h.rp, s, "citizen-maija")
		wrong := s
		wrong.verifier = oauth2.GenerateVerifier()
		_, _, err := h.exchange(h.rp, code, wrong)
		wantError(t, err, "invalid_grant", http.StatusBadRequest)
		// The code is spent: even the right verifier is now too late.
		_, _, err = h.exchange(h.rp, code, s)
		wantError(t, err, "invalid_grant", http.StatusBadRequest)
	})

	t.Run("missing code_verifier", func(t *testing.T) {
		h := newHarness(t)
		s := newRPSession()
		code := h.signIn(h.rp, s, "citizen-maija")
		_, err := h.rp.Exchange(h.ctx, code)
		wantError(t, err, "invalid_grant", http.StatusBadRequest)
	})

	t.Run("reused code", func(t *testing.T) {
		h := newHarness(t)
		s := newRPSession()
		code := h.signIn(h.rp, s, "citizen-maija")
		tok, _, err := h.exchange(h.rp, code, s)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = h.exchange(h.rp, code, s)
		wantError(t, err, "invalid_grant", http.StatusBadRequest)
		// The replay shows the code leaked: what it bought is revoked.
		if _, err := h.provider.UserInfo(h.ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Error("access token from a replayed code still works")
		}
	})

	t.Run("expired code", func(t *testing.T) {
		h := newHarness(t)
		s := newRPSession()
		code := h.signIn(h.rp, s, "citizen-maija")
		h.clock.Advance(codeTTL)
		_, _, err := h.exchange(h.rp, code, s)
		wantError(t, err, "invalid_grant", http.StatusBadRequest)
	})

	t.Run("code just before expiry", func(t *testing.T) {
		h := newHarness(t)
		s := newRPSession()
		code := h.signIn(h.rp, s, "citizen-maija")
		h.clock.Advance(codeTTL - time.Second)
		if _, _, err := h.exchange(h.rp, code, s); err != nil {
			t.Fatal(err)
		}
	})

	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"basic", oauth2.AuthStyleInHeader}, {"post", oauth2.AuthStyleInParams}} {
		t.Run("wrong client secret/"+style.name, func(t *testing.T) {
			h := newHarness(t)
			s := newRPSession()
			code := h.signIn(h.rp, s, "citizen-maija")
			bad := h.rp
			bad.ClientSecret = rpSecret + "x"
			bad.Endpoint.AuthStyle = style.style
			_, _, err := h.exchange(bad, code, s)
			wantError(t, err, "invalid_client", http.StatusUnauthorized)
			// Failed client authentication does not spend the code.
			if _, _, err := h.exchange(h.rp, code, s); err != nil {
				t.Errorf("rightful exchange after a failed one: %v", err)
			}
		})
	}

	t.Run("code issued to another client", func(t *testing.T) {
		h := newHarness(t)
		s := newRPSession()
		code := h.signIn(h.rp, s, "citizen-maija")
		_, err := h.other.Exchange(h.ctx, code, oauth2.VerifierOption(s.verifier))
		wantError(t, err, "invalid_grant", http.StatusBadRequest)
		if _, _, err := h.exchange(h.rp, code, s); err != nil {
			t.Errorf("another client's attempt spoiled the code: %v", err)
		}
	})

	t.Run("redirect_uri differs", func(t *testing.T) {
		h := newHarness(t)
		s := newRPSession()
		code := h.signIn(h.rp, s, "citizen-maija")
		moved := h.rp
		moved.RedirectURL = rpRedirect2 // registered, but not the one the code was sent to
		_, _, err := h.exchange(moved, code, s)
		wantError(t, err, "invalid_grant", http.StatusBadRequest)
	})

	// Raw requests for what x/oauth2 never sends.
	for _, tc := range []struct {
		name       string
		form       url.Values
		basic      bool
		wantError  string
		wantStatus int
	}{
		{"no client authentication", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {rpClientID}}, false, "invalid_client", 401},
		{"two client authentication methods", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_secret": {rpSecret}}, true, "invalid_request", 400},
		{"unknown client", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {"nobody"}, "client_secret": {rpSecret}}, false, "invalid_client", 401},
		{"refresh grant", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, true, "unsupported_grant_type", 400},
		{"unknown code", url.Values{"grant_type": {"authorization_code"}, "code": {"made-up"}, "redirect_uri": {rpRedirect}, "code_verifier": {oauth2.GenerateVerifier()}}, true, "invalid_grant", 400},
		{"client assertion that is no JWT", url.Values{"grant_type": {"authorization_code"}, "code": {"x"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"x.y.z"}}, false, "invalid_client", 401},
		{"client assertion and a secret", url.Values{"grant_type": {"authorization_code"}, "code": {"x"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"x.y.z"}}, true, "invalid_request", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			req, _ := http.NewRequest(http.MethodPost, h.issuer+"/token", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth(url.QueryEscape(rpClientID), url.QueryEscape(rpSecret))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(body, `"error":"`+tc.wantError+`"`) {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tc.wantStatus, tc.wantError)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Error("token error response may be cached")
			}
		})
	}
}

func wantError(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("exchange succeeded, want %s", code)
	}
	if gotCode, gotStatus := errorCode(t, err); gotCode != code || gotStatus != status {
		t.Errorf("got %s (%d), want %s (%d)", gotCode, gotStatus, code, status)
	}
}

func TestUserinfoRefused(t *testing.T) {
	h := newHarness(t)
	s := newRPSession()
	tok, _, err := h.exchange(h.rp, h.signIn(h.rp, s, "staff-kaisa"), s)
	if err != nil {
		t.Fatal(err)
	}
	get := func(auth, query string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, h.issuer+"/userinfo"+query, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		return resp
	}
	if resp := get("Bearer "+tok.AccessToken, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("valid token: %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		name, auth, query, wantChallenge string
	}{
		{"no token", "", "", `Bearer realm="test-idp"`},
		{"token in the query string", "", "?access_token=" + url.QueryEscape(tok.AccessToken), `Bearer realm="test-idp"`},
		{"made-up token", "Bearer made-up", "", `error="invalid_token"`},
		{"basic credentials", "Basic " + tok.AccessToken, "", `Bearer realm="test-idp"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(tc.auth, tc.query)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.wantChallenge) {
				t.Errorf("got %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("expired token", func(t *testing.T) {
		h.clock.Advance(accessTokenTTL)
		if resp := get("Bearer "+tok.AccessToken, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("expired token: %d", resp.StatusCode)
		}
	})
}

func TestLogout(t *testing.T) {
	foreign := newKey(t)
	issuerOf := func(hint string) string {
		var c hintClaims
		parts := strings.Split(hint, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		if err := json.Unmarshal(payload, &c); err != nil {
			t.Fatal(err)
		}
		return c.Iss
	}
	for _, tc := range []struct {
		name   string
		params func(hint string) url.Values
		post   bool
		// wantRedirect is where the browser goes; empty means a page.
		wantRedirect string
		wantStatus   int
		wantEnded    bool
	}{
		{"registered post_logout_redirect_uri", func(hint string) url.Values {
			return url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {rpPostLogout}, "state": {"st"}}
		}, false, rpPostLogout, http.StatusSeeOther, true},
		{"by POST", func(hint string) url.Values {
			return url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {rpPostLogout}, "state": {"st"}}
		}, true, rpPostLogout, http.StatusSeeOther, true},
		{"client_id instead of hint", func(string) url.Values {
			return url.Values{"client_id": {rpClientID}, "post_logout_redirect_uri": {rpPostLogout}, "state": {"st"}}
		}, false, rpPostLogout, http.StatusSeeOther, false},
		{"no redirect: signed-out page", func(hint string) url.Values {
			return url.Values{"id_token_hint": {hint}}
		}, false, "", http.StatusOK, true},
		{"unregistered post_logout_redirect_uri", func(hint string) url.Values {
			return url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"http://evil.example/"}, "state": {"st"}}
		}, false, "", http.StatusBadRequest, false},
		{"sign-in redirect_uri is not a logout one", func(hint string) url.Values {
			return url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {rpRedirect}}
		}, false, "", http.StatusBadRequest, false},
		{"post_logout_redirect_uri without client", func(string) url.Values {
			return url.Values{"post_logout_redirect_uri": {rpPostLogout}}
		}, false, "", http.StatusBadRequest, false},
		{"client_id contradicts hint", func(hint string) url.Values {
			return url.Values{"id_token_hint": {hint}, "client_id": {otherClientID}, "post_logout_redirect_uri": {rpPostLogout}}
		}, false, "", http.StatusBadRequest, false},
		{"tampered hint", func(hint string) url.Values {
			parts := strings.Split(hint, ".")
			parts[1] = b64([]byte(`{"iss":"` + issuerOf(hint) + `","aud":"` + rpClientID + `","sid":"someone-else"}`))
			return url.Values{"id_token_hint": {strings.Join(parts, ".")}, "post_logout_redirect_uri": {rpPostLogout}}
		}, false, "", http.StatusBadRequest, false},
		{"hint signed by another key", func(hint string) url.Values {
			forged := signWith(t, foreign, "", map[string]any{"iss": issuerOf(hint), "aud": rpClientID, "sid": "x"})
			return url.Values{"id_token_hint": {forged}, "post_logout_redirect_uri": {rpPostLogout}}
		}, false, "", http.StatusBadRequest, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			s := newRPSession()
			tok, _, err := h.exchange(h.rp, h.signIn(h.rp, s, "citizen-maija"), s)
			if err != nil {
				t.Fatal(err)
			}
			hint, _ := tok.Extra("id_token").(string)
			var resp *http.Response
			var body string
			if tc.post {
				resp, err = h.browser.PostForm(h.issuer+"/logout", tc.params(hint))
				if err != nil {
					t.Fatal(err)
				}
				body = readBody(t, resp)
			} else {
				resp, body = h.get(h.issuer + "/logout?" + tc.params(hint).Encode())
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantRedirect != "" {
				if cb := callback(t, resp, tc.wantRedirect); cb.Get("state") != "st" {
					t.Errorf("logout redirect lost the state: %v", cb)
				}
			} else if resp.Header.Get("Location") != "" || !strings.Contains(body, "TESTI –") {
				t.Errorf("want a page with the TEST banner, got Location %q", resp.Header.Get("Location"))
			}
			_, err = h.provider.UserInfo(h.ctx, oauth2.StaticTokenSource(tok))
			if ended := err != nil; ended != tc.wantEnded {
				t.Errorf("session ended = %v, want %v", ended, tc.wantEnded)
			}
		})
	}

	t.Run("expired hint still signs out", func(t *testing.T) {
		h := newHarness(t)
		s := newRPSession()
		tok, _, err := h.exchange(h.rp, h.signIn(h.rp, s, "citizen-maija"), s)
		if err != nil {
			t.Fatal(err)
		}
		hint, _ := tok.Extra("id_token").(string)
		h.clock.Advance(2 * time.Hour)
		resp, _ := h.get(h.issuer + "/logout?" + url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {rpPostLogout}}.Encode())
		callback(t, resp, rpPostLogout)
	})
}

// A client registered with a key only cannot be signed in with an empty
// secret.
func TestKeyOnlyClientHasNoSecret(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	h := newHarness(t, func(c *Config) { c.Clients[0].Secret, c.Clients[0].PublicKey = "", &key.PublicKey })
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {rpClientID}, "client_secret": {""}}
	resp, err := http.PostForm(h.issuer+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 401 || !strings.Contains(body, "invalid_client") {
		t.Errorf("got %d %s; want 401 invalid_client", resp.StatusCode, body)
	}
}
