package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/token"
)

// RP is the relying party for one provider: the authorization-code flow
// with PKCE, state and nonce. It discovers the provider at first use (or at
// Check), not when made, so etuus starts while a provider is down (and the
// built-in provider, served by this same process, is not up yet).
type RP struct {
	Config   Provider
	redirect string
	client   *http.Client
	signer   *assertionSigner // private_key_jwt

	mu         sync.Mutex
	provider   *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
	userinfo   string
	issuer     string
	notes      []string
	lastErr    error
	checkedAt  time.Time
}

// NewRP makes a relying party whose callback is redirectURL. It reads the
// private_key_jwt key file, so that a bad one stops start-up.
func NewRP(p Provider, redirectURL string, client *http.Client) (*RP, error) {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	if p.TokenAuth == "" {
		p.TokenAuth = AuthSecretBasic
	}
	if p.Userinfo == "" {
		p.Userinfo = UserinfoAuto
	}
	rp := &RP{Config: p, redirect: redirectURL, client: client}
	if p.TokenAuth == AuthPrivateKeyJWT {
		s, err := loadAssertionSigner(p.PrivateKeyFile, p.KeyID)
		if err != nil {
			return nil, fmt.Errorf("provider %s: private_key_file: %w", p.Name, err)
		}
		rp.signer = s
	}
	return rp, nil
}

// Issuer is the provider's issuer as its discovery document spells it,
// once discovered, else as configured.
func (rp *RP) Issuer() string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.issuer != "" {
		return rp.issuer
	}
	return rp.Config.Issuer
}

// discoveryDoc is what etuus reads of a provider's discovery document.
type discoveryDoc struct {
	Issuer            string   `json:"issuer"`
	Authorization     string   `json:"authorization_endpoint"`
	Token             string   `json:"token_endpoint"`
	Userinfo          string   `json:"userinfo_endpoint"`
	JWKS              string   `json:"jwks_uri"`
	EndSession        string   `json:"end_session_endpoint"`
	Algorithms        []string `json:"id_token_signing_alg_values_supported"`
	TokenAuthMethods  []string `json:"token_endpoint_auth_methods_supported"`
	ClaimsSupported   []string `json:"claims_supported"`
	ResponseTypes     []string `json:"response_types_supported"`
	CodeChallengeAlgs []string `json:"code_challenge_methods_supported"`
}

// signingAlgs are the ID token algorithms go-oidc verifies.
var signingAlgs = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"}

func (rp *RP) discover(ctx context.Context) error {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.provider != nil {
		return nil
	}
	err := rp.discoverLocked(ctx)
	rp.lastErr, rp.checkedAt = err, time.Now()
	return err
}

func (rp *RP) discoverLocked(ctx context.Context) error {
	c := rp.Config
	wellKnown := strings.TrimSuffix(c.Issuer, "/") + "/.well-known/openid-configuration"
	doc, err := rp.fetchDiscovery(ctx, wellKnown)
	if err != nil {
		return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, err)
	}
	var notes []string
	issuer := c.Issuer
	switch {
	case doc.Issuer == issuer:
	case doc.Issuer != "" && strings.TrimSuffix(doc.Issuer, "/") == strings.TrimSuffix(issuer, "/"):
		// ID tokens carry the provider's spelling; a trailing slash more
		// or less in the setting is a slip, not another provider.
		notes = append(notes, fmt.Sprintf("issuer is set to %q but the provider calls itself %q: using the provider's; write it so in --oidc-config", issuer, doc.Issuer))
		issuer = doc.Issuer
	default:
		return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, because(nil,
			"issuer mismatch: --oidc-config says %q, the discovery document %s says %q; set issuer to exactly the provider's", issuer, wellKnown, doc.Issuer))
	}
	for _, ep := range []struct{ name, v string }{
		{"authorization_endpoint", doc.Authorization}, {"token_endpoint", doc.Token}, {"jwks_uri", doc.JWKS},
	} {
		if ep.v == "" {
			return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, because(nil, "the discovery document %s has no %s", wellKnown, ep.name))
		}
	}
	if len(doc.TokenAuthMethods) > 0 && !slices.Contains(doc.TokenAuthMethods, c.TokenAuth) {
		return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, because(nil,
			"token_endpoint_auth is %s but the provider offers only %s", c.TokenAuth, strings.Join(doc.TokenAuthMethods, ", ")))
	}
	if len(doc.TokenAuthMethods) == 0 && c.TokenAuth != AuthSecretBasic {
		notes = append(notes, fmt.Sprintf("the provider does not list token_endpoint_auth_methods_supported (default: client_secret_basic); %s may be refused", c.TokenAuth))
	}
	if len(doc.CodeChallengeAlgs) > 0 && !slices.Contains(doc.CodeChallengeAlgs, "S256") {
		notes = append(notes, "the provider does not list PKCE S256 in code_challenge_methods_supported")
	}
	if doc.Userinfo == "" && c.Userinfo != UserinfoNever {
		notes = append(notes, "the provider has no userinfo_endpoint: claims are read from the ID token only")
	}
	if len(doc.ClaimsSupported) > 0 {
		var absent []string
		for _, n := range c.Required() {
			if !slices.Contains(doc.ClaimsSupported, n) {
				absent = append(absent, n)
			}
		}
		if len(absent) > 0 {
			notes = append(notes, fmt.Sprintf("claims_supported does not list %s, which a %s sign-in needs: check claims or claims_preset", strings.Join(absent, ", "), c.Kind))
		}
	}
	var algs []string
	for _, a := range doc.Algorithms {
		if slices.Contains(signingAlgs, a) {
			algs = append(algs, a)
		}
	}
	if len(doc.Algorithms) > 0 && len(algs) == 0 {
		return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, because(nil,
			"the provider signs ID tokens with %s, none of which etuus verifies (%s)", strings.Join(doc.Algorithms, ", "), strings.Join(signingAlgs, ", ")))
	}
	// The key set fetches keys long after this request is over: it gets
	// a context of its own.
	keyCtx := oidc.ClientContext(context.Background(), rp.client)
	pc := oidc.ProviderConfig{IssuerURL: issuer, AuthURL: doc.Authorization, TokenURL: doc.Token,
		UserInfoURL: doc.Userinfo, JWKSURL: doc.JWKS, Algorithms: algs}
	p := pc.NewProvider(keyCtx)
	scopes := []string{oidc.ScopeOpenID}
	for _, s := range c.Scopes {
		if s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	ep := p.Endpoint()
	// One style, never the default auto-detection: it resends a refused
	// exchange the other way, which makes every failure double.
	ep.AuthStyle = oauth2.AuthStyleInHeader
	secret := c.ClientSecret
	if c.TokenAuth != AuthSecretBasic {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	if c.TokenAuth == AuthPrivateKeyJWT {
		secret = ""
	}
	rp.oauth = oauth2.Config{ClientID: c.ClientID, ClientSecret: secret, Endpoint: ep, RedirectURL: rp.redirect, Scopes: scopes}
	rp.verifier = p.VerifierContext(keyCtx, &oidc.Config{ClientID: c.ClientID, SupportedSigningAlgs: algs})
	rp.endSession, rp.userinfo, rp.notes, rp.issuer = doc.EndSession, doc.Userinfo, notes, issuer
	rp.provider = p
	return nil
}

// fetchDiscovery reads the discovery document; its errors say what went
// wrong with which URL.
func (rp *RP) fetchDiscovery(ctx context.Context, wellKnown string) (*discoveryDoc, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wellKnown, nil)
	if err != nil {
		return nil, because(err, "discovery URL %s: %s", wellKnown, clipCause(err.Error()))
	}
	req.Header.Set("Accept", "application/json")
	resp, err := rp.client.Do(req)
	if err != nil {
		return nil, because(err, "discovery %s unreachable: %s", wellKnown, clipCause(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, because(err, "discovery %s: reading the answer: %s", wellKnown, clipCause(err.Error()))
	}
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusNotFound {
			hint = " (is issuer right? the document must be at issuer + /.well-known/openid-configuration)"
		}
		return nil, because(nil, "discovery %s answered %s%s", wellKnown, resp.Status, hint)
	}
	var doc discoveryDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, because(err, "discovery %s is not a JSON discovery document: %s", wellKnown, clipCause(err.Error()))
	}
	return &doc, nil
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

// Result is a provider's answer to a sign-in, verified.
type Result struct {
	Subject string
	// Claims are the ID token's and, where it lacked claims the kind
	// needs, the userinfo endpoint's.
	Claims map[string]any
	// Logout is what the session keeps for the provider's sign-out: the
	// ID token when the provider wants it as id_token_hint and it carries
	// no personal claim, else "sid:" and the provider's session ID, else "".
	Logout string
	// FromUserinfo reports that userinfo was read.
	FromUserinfo bool
}

// Finish exchanges the authorization code, verifies the ID token (issuer,
// audience, expiry, signature, nonce), reads userinfo when the ID token
// lacks claims the kind needs, and returns the subject and claims. Every
// error has a Cause for the log.
func (rp *RP) Finish(ctx context.Context, f LoginFlow, code string) (Result, error) {
	if err := rp.discover(ctx); err != nil {
		return Result{}, err
	}
	ctx = oidc.ClientContext(ctx, rp.client)
	var opts []oauth2.AuthCodeOption
	opts = append(opts, oauth2.VerifierOption(f.Verifier))
	if rp.signer != nil {
		a, err := rp.signer.assertion(rp.Config.ClientID, rp.oauth.Endpoint.TokenURL)
		if err != nil {
			return Result{}, fault.Wrap(fault.Internal, ErrKeyUnavailable, err)
		}
		opts = append(opts,
			oauth2.SetAuthURLParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
			oauth2.SetAuthURLParam("client_assertion", a))
	}
	tok, err := rp.oauth.Exchange(ctx, code, opts...)
	if err != nil {
		return Result{}, rp.exchangeError(err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Result{}, fault.Wrap(fault.Invalid, ErrKeyToken, because(nil, "the token response has no id_token (is the openid scope allowed for client %s?)", rp.Config.ClientID))
	}
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		return Result{}, fault.Wrap(fault.Invalid, ErrKeyToken, verifyCause(err))
	}
	if !equalTokens(idt.Nonce, f.Nonce) {
		return Result{}, fault.Wrap(fault.Invalid, ErrKeyToken, because(nil, "nonce mismatch: the ID token's nonce is not the one this sign-in sent (a replayed or crossed answer)"))
	}
	res := Result{Subject: idt.Subject, Claims: map[string]any{}}
	if err := idt.Claims(&res.Claims); err != nil {
		return Result{}, fault.Wrap(fault.Invalid, ErrKeyToken, because(err, "the ID token's claims do not parse"))
	}
	personal := rp.hasPersonal(res.Claims)
	if rp.needUserinfo(res.Claims) {
		if err := rp.readUserinfo(ctx, tok, idt.Subject, res.Claims); err != nil {
			return Result{}, err
		}
		res.FromUserinfo = true
	}
	switch sid, _ := res.Claims["sid"].(string); {
	case rp.Config.LogoutIDTokenHint && !personal:
		res.Logout = raw
	case sid != "" && len(sid) <= 255:
		res.Logout = "sid:" + sid
	}
	return res, nil
}

// hasPersonal reports whether any claim of the kind is in claims.
func (rp *RP) hasPersonal(claims map[string]any) bool {
	for _, n := range rp.Config.wanted() {
		if _, ok := claims[n]; ok {
			return true
		}
	}
	return false
}

func (rp *RP) needUserinfo(claims map[string]any) bool {
	switch rp.Config.Userinfo {
	case UserinfoNever:
		return false
	case UserinfoAlways:
		return true
	}
	for _, n := range rp.Config.wanted() {
		if _, ok := claims[n]; !ok && n != "-" {
			return true
		}
	}
	return false
}

// readUserinfo adds the userinfo endpoint's claims to those of the ID
// token; the ID token's win where both have one.
func (rp *RP) readUserinfo(ctx context.Context, tok *oauth2.Token, subject string, claims map[string]any) error {
	if rp.userinfo == "" {
		// The kind's claims are missing and nowhere to be had: say so.
		return nil
	}
	ui, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		// go-oidc's text for an error answer is "STATUS: BODY"; the body
		// is the provider's and is left out.
		msg := err.Error()
		if msg != "" && msg[0] >= '1' && msg[0] <= '5' {
			msg, _, _ = strings.Cut(msg, ": ")
		}
		return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, because(err, "userinfo %s: %s", rp.userinfo, clipCause(msg)))
	}
	if ui.Subject != subject {
		return fault.Wrap(fault.Invalid, ErrKeyToken, because(nil, "the userinfo sub is not the ID token's sub (OpenID Connect Core §5.3.4): refused"))
	}
	var more map[string]any
	if err := ui.Claims(&more); err != nil {
		return fault.Wrap(fault.Invalid, ErrKeyToken, because(err, "the userinfo answer does not parse"))
	}
	for k, v := range more {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

// exchangeError explains a failed code exchange.
func (rp *RP) exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, because(err, "token endpoint %s: %s", rp.oauth.Endpoint.TokenURL, clipCause(err.Error())))
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	var hint string
	switch re.ErrorCode {
	case "invalid_client", "unauthorized_client":
		what := "client_id and client_secret"
		if rp.Config.TokenAuth == AuthPrivateKeyJWT {
			what = "client_id, private_key_file and key_id (and the key registered at the provider)"
		}
		hint = fmt.Sprintf("the provider does not accept the client: check %s, and that it allows %s", what, rp.Config.TokenAuth)
	case "invalid_grant":
		hint = "the code was refused: expired, used already, or the redirect URI or PKCE verifier differ from the authorization request's"
	case "":
		if status >= 500 {
			return fault.Wrap(fault.Unavailable, ErrKeyUnavailable, because(err, "token endpoint %s answered HTTP %d", rp.oauth.Endpoint.TokenURL, status))
		}
		hint = "no OAuth error code in the answer"
	default:
		hint = clipCause(re.ErrorDescription)
	}
	return fault.Wrap(fault.Invalid, ErrKeyToken, because(err, "token endpoint refused the code (HTTP %d, %s): %s", status, orDash(re.ErrorCode), hint))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// verifyCause explains an ID token go-oidc refused. go-oidc's messages
// name issuers, audiences and times, never claim values.
func verifyCause(err error) error {
	var exp *oidc.TokenExpiredError
	msg := clipCause(err.Error())
	switch {
	case errors.As(err, &exp):
		return because(err, "the ID token expired at %s (are the clocks right?)", exp.Expiry.UTC().Format(time.RFC3339))
	case strings.Contains(msg, "expected audience"):
		return because(err, "audience mismatch: %s (is client_id right?)", msg)
	case strings.Contains(msg, "different provider"):
		return because(err, "issuer mismatch in the ID token: %s", msg)
	case strings.Contains(msg, "signature"), strings.Contains(msg, "signing"):
		return because(err, "the ID token's signature does not verify with the provider's keys: %s", msg)
	}
	return because(err, "the ID token is refused: %s", msg)
}

// EndSessionURL is where to send the browser to end the provider's session
// too, or "" when the provider offers no RP-initiated logout. The URL
// holds no personal data: the ID token only when the provider was said to
// require it and Finish found it free of personal claims, else client_id
// and the provider's session ID as logout_hint.
func (rp *RP) EndSessionURL(ctx context.Context, logout, postLogout string) string {
	if rp.discover(ctx) != nil || rp.endSession == "" {
		return ""
	}
	u, err := url.Parse(rp.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	switch {
	case strings.HasPrefix(logout, "sid:"):
		q.Set("logout_hint", strings.TrimPrefix(logout, "sid:"))
	case logout != "" && rp.Config.LogoutIDTokenHint:
		q.Set("id_token_hint", logout)
	}
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
