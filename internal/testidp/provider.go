// Package testidp is an OpenID Connect provider with made-up identities, so a demo or test installation signs in through the same relying-party code as production.
package testidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Lifetimes. They are short because every sign-in is fresh: there is no
// single sign-on, so nothing is gained by long-lived codes or tokens.
const (
	codeTTL        = 60 * time.Second
	idTokenTTL     = 5 * time.Minute
	accessTokenTTL = 5 * time.Minute
	sessionTTL     = 8 * time.Hour
)

// Identity is one demo person (or staff member) offered on the sign-in page.
type Identity struct {
	Subject string         // stable "sub"
	Kind    string         // "citizen", "eidas", "staff": groups the list on the page
	Label   string         // shown on the button, e.g. "Maija Meikäläinen (010403A998U)"
	Claims  map[string]any // extra claims for the ID token and userinfo
}

// Client is a registered relying party. Only confidential clients exist:
// the token endpoint always authenticates the client, with its secret or,
// when PublicKey is set, also with a private_key_jwt assertion.
type Client struct {
	ID     string
	Secret string
	// PublicKey verifies the client's private_key_jwt assertions (an
	// *rsa.PublicKey or *ecdsa.PublicKey).
	PublicKey              crypto.PublicKey
	RedirectURIs           []string // compared exactly, byte for byte
	PostLogoutRedirectURIs []string // compared exactly, byte for byte
	// Kinds limits the identities this client may sign in to those of these
	// kinds, as a production citizen provider never yields staff; empty
	// allows every kind.
	Kinds []string
}

// allows reports whether the client may sign in an identity of the kind.
func (c *Client) allows(kind string) bool {
	if len(c.Kinds) == 0 {
		return true
	}
	for _, k := range c.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// groupsFor is the sign-in page's list for one client.
func (p *Provider) groupsFor(c *Client) []identityGroup {
	var out []identityGroup
	for _, g := range p.groups {
		if c.allows(g.Kind) {
			out = append(out, g)
		}
	}
	return out
}

// Config configures a Provider.
type Config struct {
	// Issuer is the provider's identifier, e.g. "http://localhost:8080/test-idp".
	// Every endpoint lives under its path; it must not end in a slash,
	// because relying parties compare it with the "iss" claim byte for byte.
	Issuer     string
	Identities []Identity
	Clients    []Client
	Now        func() time.Time           // defaults to time.Now
	Lang       func(*http.Request) string // "fi", "sv" or "en"; defaults to "fi"
	Key        *rsa.PrivateKey            // signing key; a 2048-bit key is generated when nil
	Logger     *slog.Logger               // defaults to discarding
	// ProtocolClaimsOnly puts only the protocol claims (iss, sub, aud,
	// exp, iat, auth_time, nonce, sid, at_hash) in the ID token, and the
	// identity's claims only at the userinfo endpoint: what a conformant
	// provider such as panva's oidc-provider does by default.
	ProtocolClaimsOnly bool
}

// Provider is the test identity provider. It is an http.Handler that
// expects the full request path, issuer path included: mount it with
// mux.Handle(issuerPath+"/", p), without http.StripPrefix.
type Provider struct {
	issuer   string
	basePath string // the issuer's path, e.g. "/test-idp"

	identities map[string]*Identity // by subject
	groups     []identityGroup      // the sign-in page's list, in configuration order
	clients    map[string]*Client

	key       *rsa.PrivateKey
	keyID     string
	signer    jose.Signer
	jwks      []byte // the JSON Web Key Set, marshalled once
	discovery []byte // the discovery document, marshalled once

	protocolOnly bool

	now  func() time.Time
	lang func(*http.Request) string
	log  *slog.Logger

	mem     *memory
	handler http.Handler
}

var _ http.Handler = (*Provider)(nil)

// identityGroup is one heading and its buttons on the sign-in page.
type identityGroup struct {
	Kind       string
	Identities []*Identity
}

// reservedClaims are set by the provider itself; letting an identity
// override them would let configuration forge the token's meaning.
var reservedClaims = []string{
	"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time",
	"nonce", "sid", "at_hash", "c_hash", "azp",
}

// New validates cfg and returns a ready Provider.
func New(cfg Config) (*Provider, error) {
	iss, err := url.Parse(cfg.Issuer)
	switch {
	case err != nil:
		return nil, fmt.Errorf("testidp: issuer: %w", err)
	case iss.Scheme != "http" && iss.Scheme != "https", iss.Host == "":
		return nil, fmt.Errorf("testidp: issuer %q is not an absolute http(s) URL", cfg.Issuer)
	case iss.RawQuery != "" || iss.Fragment != "" || iss.User != nil:
		return nil, fmt.Errorf("testidp: issuer %q must not have a query, fragment or user info", cfg.Issuer)
	case strings.HasSuffix(iss.Path, "/"):
		return nil, fmt.Errorf("testidp: issuer %q must not end in a slash", cfg.Issuer)
	}

	p := &Provider{
		issuer:     cfg.Issuer,
		basePath:   iss.Path,
		identities: make(map[string]*Identity, len(cfg.Identities)),
		clients:    make(map[string]*Client, len(cfg.Clients)),
		now:        cfg.Now,
		lang:       cfg.Lang,
		log:        cfg.Logger,
		mem:        newMemory(),

		protocolOnly: cfg.ProtocolClaimsOnly,
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.lang == nil {
		p.lang = func(*http.Request) string { return "fi" }
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}

	groupIndex := map[string]int{}
	for _, id := range cfg.Identities {
		switch {
		case id.Subject == "" || id.Kind == "" || id.Label == "":
			return nil, fmt.Errorf("testidp: identity %q needs a subject, a kind and a label", id.Subject)
		case p.identities[id.Subject] != nil:
			return nil, fmt.Errorf("testidp: duplicate identity subject %q", id.Subject)
		}
		for _, c := range reservedClaims {
			if _, ok := id.Claims[c]; ok {
				return nil, fmt.Errorf("testidp: identity %q: claim %q is set by the provider", id.Subject, c)
			}
		}
		id.Claims = maps.Clone(id.Claims) // the caller may reuse its map
		ident := &id
		p.identities[id.Subject] = ident
		i, ok := groupIndex[id.Kind]
		if !ok {
			i = len(p.groups)
			groupIndex[id.Kind] = i
			p.groups = append(p.groups, identityGroup{Kind: id.Kind})
		}
		p.groups[i].Identities = append(p.groups[i].Identities, ident)
	}

	for _, c := range cfg.Clients {
		switch {
		case c.ID == "" || c.Secret == "" && c.PublicKey == nil:
			return nil, fmt.Errorf("testidp: client %q needs an id and a secret or public key", c.ID)
		case p.clients[c.ID] != nil:
			return nil, fmt.Errorf("testidp: duplicate client %q", c.ID)
		case len(c.RedirectURIs) == 0:
			return nil, fmt.Errorf("testidp: client %q has no redirect URI", c.ID)
		}
		for _, u := range slices.Concat(c.RedirectURIs, c.PostLogoutRedirectURIs) {
			if err := checkRedirectURI(u); err != nil {
				return nil, fmt.Errorf("testidp: client %q: %w", c.ID, err)
			}
		}
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
		p.clients[c.ID] = &c
	}

	if err := p.setKey(cfg.Key); err != nil {
		return nil, err
	}
	if p.discovery, err = json.Marshal(p.discoveryDocument()); err != nil {
		return nil, err
	}
	p.handler = p.routes()
	if p.basePath != "" { // StripPrefix with "" would refuse every path
		p.handler = http.StripPrefix(p.basePath, p.handler)
	}

	// Anyone who can reach this provider can sign in as anyone it lists;
	// make that impossible to miss in the logs of a misconfigured server.
	p.log.Warn("test identity provider enabled: anyone can sign in as any listed identity",
		"issuer", p.issuer, "identities", len(p.identities), "clients", len(p.clients))
	return p, nil
}

// checkRedirectURI rejects registrations that could never be matched
// safely: a redirect URI must be absolute and carry no fragment (RFC 6749 §3.1.2).
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("redirect URI %q: %w", raw, err)
	}
	if !u.IsAbs() || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("redirect URI %q must be absolute and have no fragment", raw)
	}
	return nil
}

func (p *Provider) setKey(key *rsa.PrivateKey) error {
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return fmt.Errorf("testidp: generate key: %w", err)
		}
	}
	if key.N.BitLen() < 2048 {
		return errors.New("testidp: signing key must be at least 2048 bits")
	}
	pub := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	// The RFC 7638 thumbprint as kid: stable for a given key, so a
	// relying party's cached key set stays valid across restarts that
	// reuse the key, and changes when the key does.
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return fmt.Errorf("testidp: key thumbprint: %w", err)
	}
	pub.KeyID = b64(thumb)

	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: pub.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return fmt.Errorf("testidp: signer: %w", err)
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
	if err != nil {
		return fmt.Errorf("testidp: key set: %w", err)
	}
	p.key, p.keyID, p.signer, p.jwks = key, pub.KeyID, signer, jwks
	return nil
}

// ServeHTTP serves the provider's endpoints under the issuer's path.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.handler.ServeHTTP(w, r)
}

func (p *Provider) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.serveDiscovery)
	mux.HandleFunc("GET /jwks", p.serveJWKS)
	mux.HandleFunc("GET /authorize", p.authorizeGet)
	mux.HandleFunc("POST /authorize", p.authorizePost)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("POST /userinfo", p.userinfo)
	mux.HandleFunc("GET /logout", p.logout)
	mux.HandleFunc("POST /logout", p.logout)
	return mux
}

// endpoint returns the absolute URL of one of the provider's endpoints.
func (p *Provider) endpoint(path string) string { return p.issuer + path }

// claimNames lists every claim a token may carry, for discovery.
func (p *Provider) claimNames() []string {
	names := map[string]bool{}
	for _, c := range []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "at_hash"} {
		names[c] = true
	}
	for _, id := range p.identities {
		for c := range id.Claims {
			names[c] = true
		}
	}
	return slices.Sorted(maps.Keys(names))
}
