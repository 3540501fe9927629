package testidp

import (
	"maps"
	"net/http"
	"strings"
)

// userinfo answers with the signed-in identity's claims for a valid access
// token sent as a Bearer token in the Authorization header (RFC 6750 §2.1).
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		// No error code when no token was sent at all (RFC 6750 §3.1).
		noStore(w)
		w.Header().Set("WWW-Authenticate", `Bearer realm="test-idp"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	t, ok := p.mem.lookupToken(token, p.now())
	ident := p.identities[t.subject]
	if !ok || ident == nil {
		w.Header().Set("WWW-Authenticate",
			`Bearer realm="test-idp", error="invalid_token", error_description="the access token is unknown, expired or revoked"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	claims := maps.Clone(ident.Claims)
	if claims == nil {
		claims = map[string]any{}
	}
	claims["sub"] = ident.Subject
	writeJSON(w, http.StatusOK, claims)
}
