package testidp

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// discoveryDocument is the provider metadata of OpenID Connect Discovery
// 1.0 §3, plus RFC 8414 and RFC 9207 fields. Everything it does not list
// is unsupported, including flags whose defaults would claim otherwise.
type discoveryDocument struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	TokenEndpointAuthSigningAlgs      []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	UILocalesSupported                []string `json:"ui_locales_supported"`
	AuthorizationResponseISSSupported bool     `json:"authorization_response_iss_parameter_supported"`
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	// Defaults to true when absent (Discovery §3), so it must be sent as false.
	RequestURIParameterSupported bool `json:"request_uri_parameter_supported"`
}

func (p *Provider) discoveryDocument() discoveryDocument {
	return discoveryDocument{
		Issuer:                            p.issuer,
		AuthorizationEndpoint:             p.endpoint("/authorize"),
		TokenEndpoint:                     p.endpoint("/token"),
		UserinfoEndpoint:                  p.endpoint("/userinfo"),
		JWKSURI:                           p.endpoint("/jwks"),
		EndSessionEndpoint:                p.endpoint("/logout"),
		ScopesSupported:                   []string{"openid", "profile"},
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "private_key_jwt"},
		TokenEndpointAuthSigningAlgs:      []string{"RS256", "ES256"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported:                   p.claimNames(),
		UILocalesSupported:                languages,
		AuthorizationResponseISSSupported: true,
	}
}

func (p *Provider) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(p.discovery)
}

func (p *Provider) serveJWKS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(p.jwks)
}

// writeJSON sends v as a JSON response that no cache may keep: every
// JSON answer apart from discovery and keys carries tokens or personal data.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// noStore forbids caching, as RFC 6749 §5.1 requires for token responses
// and as sign-in pages with one-time parameters need.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// randomToken returns 32 random bytes, base64url encoded: unguessable
// codes, access tokens and session ids.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: crypto/rand aborts the program instead
	return b64(b)
}
