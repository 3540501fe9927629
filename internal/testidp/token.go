package testidp

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// tokenError is an error response of the token endpoint (RFC 6749 §5.2).
type tokenError struct {
	status int
	code   string
	desc   string
	basic  bool // the client tried HTTP Basic: a 401 must then challenge it
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.tokenError(w, &tokenError{code: "invalid_request", desc: "the form could not be read"})
		return
	}
	// Only the body counts: credentials and codes in a URL end up in logs.
	form := r.PostForm
	client, terr := p.authenticateClient(r, form)
	if terr != nil {
		p.tokenError(w, terr)
		return
	}
	resp, terr := p.exchangeCode(client, form)
	if terr != nil {
		p.log.Info("test-idp: token refused", "client", client.ID, "error", terr.code, "detail", terr.desc)
		p.tokenError(w, terr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// authenticateClient checks the client's secret, sent either with HTTP
// Basic (client_secret_basic) or in the form (client_secret_post) but
// not both (RFC 6749 §2.3.1).
func (p *Provider) authenticateClient(r *http.Request, form url.Values) (*Client, *tokenError) {
	id, secret, basic := r.BasicAuth()
	_, post := form["client_secret"]
	if _, ok := form["client_assertion"]; ok {
		if basic || post {
			return nil, &tokenError{code: "invalid_request", desc: "use one client authentication method, not two"}
		}
		return p.authenticateAssertion(form)
	}
	switch {
	case basic && post:
		return nil, &tokenError{code: "invalid_request", desc: "use one client authentication method, not two"}
	case basic:
		// Basic credentials are form-encoded first (RFC 6749 §2.3.1);
		// x/oauth2 does so, so a secret with ":" or "%" survives the trip.
		var errID, errSecret error
		id, errID = url.QueryUnescape(id)
		secret, errSecret = url.QueryUnescape(secret)
		if errID != nil || errSecret != nil {
			return nil, &tokenError{status: http.StatusUnauthorized, code: "invalid_client", desc: "malformed credentials", basic: true}
		}
		if fid := form.Get("client_id"); fid != "" && fid != id {
			return nil, &tokenError{code: "invalid_request", desc: "client_id does not match the credentials"}
		}
	case post:
		id, secret = form.Get("client_id"), form.Get("client_secret")
	default:
		return nil, &tokenError{status: http.StatusUnauthorized, code: "invalid_client", desc: "client authentication is required"}
	}
	c := p.clients[id]
	want := "\x00no client" // compare anyway, so timing does not tell which clients exist
	if c != nil {
		want = c.Secret
	}
	if !secretsEqual(secret, want) || c == nil || c.Secret == "" {
		p.log.Info("test-idp: client authentication failed", "client", id)
		return nil, &tokenError{status: http.StatusUnauthorized, code: "invalid_client", desc: "client authentication failed", basic: basic}
	}
	return c, nil
}

// authenticateAssertion checks a private_key_jwt client assertion (RFC
// 7523 §3): signed by the client's registered key, iss and sub the client,
// aud the token endpoint or the issuer, not expired.
func (p *Provider) authenticateAssertion(form url.Values) (*Client, *tokenError) {
	refused := &tokenError{status: http.StatusUnauthorized, code: "invalid_client", desc: "client authentication failed"}
	if form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return nil, &tokenError{code: "invalid_request", desc: "client_assertion_type must be jwt-bearer"}
	}
	jws, err := jose.ParseSignedCompact(form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return nil, refused
	}
	var claims struct {
		Iss string      `json:"iss"`
		Sub string      `json:"sub"`
		Aud jwtAudience `json:"aud"`
		Exp int64       `json:"exp"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return nil, refused
	}
	c := p.clients[claims.Iss]
	if c == nil || c.PublicKey == nil || claims.Sub != claims.Iss {
		p.log.Info("test-idp: client assertion refused", "client", claims.Iss, "detail", "unknown client or no key registered")
		return nil, refused
	}
	if _, err := jws.Verify(c.PublicKey); err != nil {
		p.log.Info("test-idp: client assertion refused", "client", c.ID, "detail", "signature")
		return nil, refused
	}
	if fid := form.Get("client_id"); fid != "" && fid != c.ID {
		return nil, &tokenError{code: "invalid_request", desc: "client_id does not match the assertion"}
	}
	if !slices.Contains(claims.Aud, p.endpoint("/token")) && !slices.Contains(claims.Aud, p.issuer) {
		return nil, refused
	}
	if claims.Exp <= p.now().Unix() {
		return nil, refused
	}
	return c, nil
}

// jwtAudience is a JWT's aud: one string or an array of them.
type jwtAudience []string

func (a *jwtAudience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

// secretsEqual compares in constant time; hashing first hides the length.
func secretsEqual(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// tokenResponse is RFC 6749 §5.1 with the OpenID Connect ID token.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
}

// exchangeCode redeems an authorization code for tokens.
func (p *Provider) exchangeCode(client *Client, form url.Values) (*tokenResponse, *tokenError) {
	for name, v := range form {
		if len(v) > 1 {
			return nil, &tokenError{code: "invalid_request", desc: name + " is repeated"}
		}
	}
	switch gt := form.Get("grant_type"); gt {
	case "authorization_code":
	case "":
		return nil, &tokenError{code: "invalid_request", desc: "grant_type is required"}
	default:
		return nil, &tokenError{code: "unsupported_grant_type", desc: "only authorization_code is supported"}
	}
	code := form.Get("code")
	if code == "" {
		return nil, &tokenError{code: "invalid_request", desc: "code is required"}
	}

	now := p.now()
	ac, err := p.mem.redeem(code, client.ID, now)
	if err != nil {
		return nil, &tokenError{code: "invalid_grant", desc: err.Error()}
	}
	// The code is spent from here on: a client that gets the redirect URI
	// or the verifier wrong has to start over, and so does an attacker.
	if form.Get("redirect_uri") != ac.redirectURI {
		return nil, &tokenError{code: "invalid_grant", desc: "redirect_uri does not match the authorization request"}
	}
	if !verifierMatches(form.Get("code_verifier"), ac.challenge) {
		return nil, &tokenError{code: "invalid_grant", desc: "code_verifier does not match the code_challenge"}
	}
	ident := p.identities[ac.subject]
	if ident == nil { // cannot happen: identities are fixed at New
		return nil, &tokenError{code: "invalid_grant", desc: "unknown identity"}
	}

	access := randomToken()
	if !p.mem.issue(code, access, &accessToken{
		clientID: client.ID,
		subject:  ac.subject,
		sid:      ac.sid,
		expires:  now.Add(accessTokenTTL),
	}, now) {
		return nil, &tokenError{code: "invalid_grant", desc: "code expired or was replayed during the exchange"}
	}
	idToken, err := p.signIDToken(ident, client.ID, ac, access, now)
	if err != nil {
		p.log.Error("test-idp: sign ID token", "err", err)
		return nil, &tokenError{status: http.StatusInternalServerError, code: "server_error", desc: "the ID token could not be signed"}
	}
	return &tokenResponse{
		AccessToken: access,
		TokenType:   "Bearer",
		ExpiresIn:   int(accessTokenTTL / time.Second),
		IDToken:     idToken,
	}, nil
}

// verifierMatches checks PKCE S256: BASE64URL(SHA256(verifier)) == challenge.
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || !isUnreserved(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(b64(sum[:])), []byte(challenge)) == 1
}

// signIDToken builds and signs the ID token. The identity's claims go in
// first so that the provider's own claims always win.
func (p *Provider) signIDToken(ident *Identity, clientID string, ac authCode, access string, now time.Time) (string, error) {
	claims := make(map[string]any, len(ident.Claims)+10)
	if !p.protocolOnly {
		maps.Copy(claims, ident.Claims)
	}
	atHash := sha256.Sum256([]byte(access))
	maps.Copy(claims, map[string]any{
		"iss":       p.issuer,
		"sub":       ident.Subject,
		"aud":       clientID,
		"exp":       now.Add(idTokenTTL).Unix(),
		"iat":       now.Unix(),
		"auth_time": ac.authTime.Unix(),
		"nonce":     ac.nonce,
		"sid":       ac.sid,
		// Lets the client check that the access token belongs with this
		// ID token (OpenID Connect Core §3.1.3.8; go-oidc VerifyAccessToken).
		"at_hash": b64(atHash[:len(atHash)/2]),
	})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := p.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func (p *Provider) tokenError(w http.ResponseWriter, e *tokenError) {
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if e.basic && status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="test-idp", charset="UTF-8"`)
	}
	writeJSON(w, status, map[string]string{"error": e.code, "error_description": e.desc})
}
