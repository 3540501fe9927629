package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/token"
)

// RP is the relying party for one provider: the authorization-code flow
// with PKCE, state and nonce. It discovers the provider at first use, not at
// start-up, so etuus starts while a provider is down (and the built-in
// provider, served by this same process, is not up yet).
type RP struct {
	Config   Provider
	redirect string
	client   *http.Client

	mu         sync.Mutex
	provider   *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
}

// NewRP makes a relying party whose callback is redirectURL.
func NewRP(p Provider, redirectURL string, client *http.Client) *RP {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &RP{Config: p, redirect: redirectURL, client: client}
}

func (rp *RP) discover(ctx context.Context) error {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.provider != nil {
		return nil
	}
	ctx = oidc.ClientContext(ctx, rp.client)
	p, err := oidc.NewProvider(ctx, rp.Config.Issuer)
	if err != nil {
		return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	p.Claims(&extra)
	scopes := append([]string{oidc.ScopeOpenID}, rp.Config.Scopes...)
	ep := p.Endpoint()
	// Send the secret in the header only: the default auto-detection resends
	// a refused exchange the other way, which makes every failure double.
	ep.AuthStyle = oauth2.AuthStyleInHeader
	rp.oauth = oauth2.Config{
		ClientID: rp.Config.ClientID, ClientSecret: rp.Config.ClientSecret,
		Endpoint: ep, RedirectURL: rp.redirect, Scopes: scopes,
	}
	rp.verifier = p.VerifierContext(oidc.ClientContext(context.Background(), rp.client), &oidc.Config{ClientID: rp.Config.ClientID})
	rp.endSession = extra.EndSession
	rp.provider = p
	return nil
}

// Start begins a sign-in: it returns the flow to keep and the provider URL
// to send the browser to.
func (rp *RP) Start(ctx context.Context, lang string) (LoginFlow, string, error) {
	if err := rp.discover(ctx); err != nil {
		return LoginFlow{}, "", err
	}
	f := LoginFlow{
		Provider: rp.Config.Name,
		State:    RandomToken(),
		Nonce:    RandomToken(),
		Verifier: oauth2.GenerateVerifier(),
	}
	u := rp.oauth.AuthCodeURL(f.State,
		oidc.Nonce(f.Nonce),
		oauth2.S256ChallengeOption(f.Verifier),
		oauth2.SetAuthURLParam("ui_locales", lang))
	return f, u, nil
}

// Finish exchanges the authorization code, verifies the ID token (issuer,
// audience, expiry, signature, nonce) and returns its subject and claims.
func (rp *RP) Finish(ctx context.Context, f LoginFlow, code string) (subject string, claims map[string]any, rawIDToken string, err error) {
	if err := rp.discover(ctx); err != nil {
		return "", nil, "", err
	}
	ctx = oidc.ClientContext(ctx, rp.client)
	tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return "", nil, "", fault.Wrap(fault.Invalid, ErrKeyToken, err)
		}
		return "", nil, "", fault.Wrap(fault.Unavailable, ErrKeyUnavailable, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return "", nil, "", fault.New(fault.Invalid, ErrKeyToken)
	}
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		return "", nil, "", fault.Wrap(fault.Invalid, ErrKeyToken, err)
	}
	if !equalTokens(idt.Nonce, f.Nonce) {
		return "", nil, "", fault.Wrap(fault.Invalid, ErrKeyToken, errors.New("nonce does not match"))
	}
	claims = map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return "", nil, "", fault.Wrap(fault.Invalid, ErrKeyToken, err)
	}
	return idt.Subject, claims, raw, nil
}

// EndSessionURL is where to send the browser to end the provider's session
// too, or "" when the provider offers no RP-initiated logout.
func (rp *RP) EndSessionURL(ctx context.Context, idToken, postLogout string) string {
	if rp.discover(ctx) != nil || rp.endSession == "" || idToken == "" {
		return ""
	}
	u, err := url.Parse(rp.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("post_logout_redirect_uri", postLogout)
	q.Set("client_id", rp.Config.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// RandomToken returns 32 random bytes, base64url-encoded.
func RandomToken() string { return token.Random() }

func equalTokens(a, b string) bool {
	if len(a) != len(b) || a == "" {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

// HashToken is how tokens are stored: a server never keeps what a browser
// presents, only its SHA-256.
func HashToken(secret string) string { return token.Hash(secret) }
