package testidp

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// logout is the end_session_endpoint of OpenID Connect RP-Initiated
// Logout 1.0. It ends the session named by the ID token hint's "sid" and
// returns to the client only to a post-logout redirect URI the client
// registered; anything else gets a page, never a redirect.
func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	form := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			p.renderError(w, r, "", "err_logout", "the form could not be read")
			return
		}
		form = r.PostForm
	}
	lang := p.pageLang(r, form.Get("ui_locales"))
	refuse := func(detail string) {
		p.log.Info("test-idp: logout refused", "detail", detail)
		p.renderError(w, r, lang, "err_logout", detail)
	}
	for name, v := range form {
		if len(v) > 1 {
			refuse(name + " is repeated")
			return
		}
	}

	clientID, target := form.Get("client_id"), form.Get("post_logout_redirect_uri")
	var sid string
	if raw := form.Get("id_token_hint"); raw != "" {
		hint, err := p.parseIDTokenHint(raw)
		if err != nil {
			refuse(err.Error())
			return
		}
		if clientID != "" && clientID != hint.Aud {
			refuse("client_id does not match the id_token_hint")
			return
		}
		clientID, sid = hint.Aud, hint.Sid
	} else if h := form.Get("logout_hint"); h != "" && clientID != "" {
		// The provider's session ID as logout_hint, from the client it
		// was issued to: sign-out without an ID token in the URL.
		if !p.mem.sessionOf(h, clientID) {
			refuse("logout_hint is not a session of client " + clientID)
			return
		}
		sid = h
	}
	if target != "" {
		c := p.clients[clientID]
		switch {
		case c == nil:
			refuse("post_logout_redirect_uri needs an id_token_hint or client_id of a registered client")
			return
		case !slices.Contains(c.PostLogoutRedirectURIs, target):
			refuse("post_logout_redirect_uri is not registered for client " + clientID)
			return
		}
	}

	if sid != "" {
		ended := p.mem.endSession(sid, p.now())
		p.log.Info("test-idp: signed out", "client", clientID, "session_was_open", ended)
	}
	if target == "" {
		p.render(w, http.StatusOK, "signedout", page{Lang: lang, Title: "signedout_title"})
		return
	}
	params := url.Values{}
	if state := form.Get("state"); state != "" {
		params.Set("state", state)
	}
	noStore(w)
	http.Redirect(w, r, addQuery(target, params), http.StatusSeeOther)
}

var errInvalidHint = errors.New("id_token_hint is not an ID token from this provider")

type hintClaims struct {
	Iss string `json:"iss"`
	Aud string `json:"aud"` // always a single client here
	Sid string `json:"sid"`
}

// parseIDTokenHint accepts an ID token this provider signed. It may have
// expired: a user who comes back after the token's five minutes must
// still be able to sign out.
func (p *Provider) parseIDTokenHint(raw string) (hintClaims, error) {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return hintClaims{}, errInvalidHint
	}
	payload, err := jws.Verify(&p.key.PublicKey)
	if err != nil {
		return hintClaims{}, errInvalidHint
	}
	var c hintClaims
	if err := json.Unmarshal(payload, &c); err != nil || c.Iss != p.issuer || c.Aud == "" {
		return hintClaims{}, errInvalidHint
	}
	return c, nil
}
