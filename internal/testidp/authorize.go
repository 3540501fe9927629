package testidp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxFormBytes bounds request bodies; real ones are a few hundred bytes.
const maxFormBytes = 64 << 10

// authParams are the authorization request parameters that the sign-in
// form carries to its POST, in the order of the hidden fields.
var authParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state",
	"nonce", "code_challenge", "code_challenge_method", "ui_locales",
}

// authRequest is a validated authorization request.
type authRequest struct {
	client      *Client
	redirectURI string
	state       string
	nonce       string
	challenge   string
	uiLocales   string
	hidden      []hiddenField
}

// authError is a refused authorization request. Until the client and its
// redirect URI are known good the refusal is a page (page set), because
// redirecting would make the provider an open redirector; after that it
// goes back to the client as an error response (RFC 6749 §4.1.2.1).
type authError struct {
	code string // error code for the redirect
	desc string // error_description, for developers
	page string // message key of the error page, when not redirecting
}

// parseAuthRequest validates an authorization request. On failure it also
// returns the request, with client, redirect URI and state, if the error
// can be redirected.
func (p *Provider) parseAuthRequest(form url.Values) (*authRequest, *authError) {
	clientID, once := single(form, "client_id")
	client := p.clients[clientID]
	if !once || client == nil {
		return nil, &authError{page: "err_client", desc: "client_id is unknown"}
	}
	redirectURI, once := single(form, "redirect_uri")
	if !once || !slices.Contains(client.RedirectURIs, redirectURI) {
		return nil, &authError{page: "err_redirect", desc: "redirect_uri is not registered for client " + clientID}
	}

	req := &authRequest{client: client, redirectURI: redirectURI}
	req.state, _ = single(form, "state")
	for name, v := range form {
		if len(v) > 1 {
			return req, &authError{code: "invalid_request", desc: name + " is repeated"}
		}
	}
	req.nonce = form.Get("nonce")
	req.challenge = form.Get("code_challenge")
	req.uiLocales = form.Get("ui_locales")
	switch rt := form.Get("response_type"); {
	case form.Has("request"):
		return req, &authError{code: "request_not_supported", desc: "request objects are not supported"}
	case form.Has("request_uri"):
		return req, &authError{code: "request_uri_not_supported", desc: "request_uri is not supported"}
	case rt == "":
		return req, &authError{code: "invalid_request", desc: "response_type is required"}
	case rt != "code":
		return req, &authError{code: "unsupported_response_type", desc: "only response_type=code is supported"}
	case !slices.Contains(strings.Fields(form.Get("scope")), "openid"):
		return req, &authError{code: "invalid_scope", desc: "scope must include openid"}
	case req.state == "":
		// The client's CSRF protection; without it a forged response
		// could sign the user in as someone else.
		return req, &authError{code: "invalid_request", desc: "state is required"}
	case req.nonce == "":
		return req, &authError{code: "invalid_request", desc: "nonce is required"}
	case req.challenge == "":
		return req, &authError{code: "invalid_request", desc: "code_challenge is required (PKCE)"}
	case form.Get("code_challenge_method") != "S256":
		return req, &authError{code: "invalid_request", desc: "code_challenge_method must be S256"}
	case !isS256Challenge(req.challenge):
		return req, &authError{code: "invalid_request", desc: "code_challenge is not a base64url SHA-256 value"}
	case slices.Contains(strings.Fields(form.Get("prompt")), "none"):
		// Without single sign-on there is never a session to reuse.
		return req, &authError{code: "login_required", desc: "the provider always asks the user"}
	}
	for _, name := range authParams {
		if form.Has(name) {
			req.hidden = append(req.hidden, hiddenField{name, form.Get(name)})
		}
	}
	return req, nil
}

// single returns a parameter and whether it occurs at most once; RFC 6749
// §3.1 forbids repeating a parameter.
func single(form url.Values, name string) (string, bool) {
	v := form[name]
	if len(v) > 1 {
		return "", false
	}
	return form.Get(name), true
}

// isS256Challenge reports whether s could be BASE64URL(SHA256(verifier)).
func isS256Challenge(s string) bool {
	return len(s) == 43 && isUnreserved(s)
}

// isUnreserved reports whether s uses only the PKCE character set,
// [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" (RFC 7636 §4.1).
func isUnreserved(s string) bool {
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

func (p *Provider) authorizeGet(w http.ResponseWriter, r *http.Request) {
	p.showSignIn(w, r, r.URL.Query())
}

// showSignIn validates an authorization request and shows the people one
// can sign in as.
func (p *Provider) showSignIn(w http.ResponseWriter, r *http.Request, form url.Values) {
	lang := p.pageLang(r, form.Get("ui_locales"))
	req, aerr := p.parseAuthRequest(form)
	if aerr != nil {
		p.refuse(w, r, lang, req, aerr, http.StatusFound)
		return
	}
	p.render(w, http.StatusOK, "signin", page{
		Lang:     lang,
		Title:    "signin_title",
		Action:   p.basePath + "/authorize",
		ClientID: req.client.ID,
		Hidden:   req.hidden,
		Groups:   p.groupsFor(req.client),
	})
}

// authorizePost receives the person chosen on the sign-in page, or an
// authorization request sent by POST (OpenID Connect Core §3.1.2.1).
//
// The form needs no CSRF token of its own: a forged submission ends at
// the client's redirect URI with a state and PKCE verifier the victim's
// client session does not hold, so the client refuses it.
func (p *Provider) authorizePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.renderError(w, r, "", "err_request", "the form could not be read")
		return
	}
	form := r.PostForm
	if !form.Has("sub") && !form.Has("cancel") {
		p.showSignIn(w, r, form)
		return
	}

	// The hidden fields came back from the browser: trust none of them.
	lang := p.pageLang(r, form.Get("ui_locales"))
	req, aerr := p.parseAuthRequest(form)
	if aerr != nil {
		p.refuse(w, r, lang, req, aerr, http.StatusSeeOther)
		return
	}
	if form.Has("cancel") {
		p.redirectBack(w, r, req, http.StatusSeeOther, url.Values{
			"error":             {"access_denied"},
			"error_description": {"the user cancelled the sign-in"},
		})
		return
	}
	sub, _ := single(form, "sub")
	ident := p.identities[sub]
	if ident == nil || !req.client.allows(ident.Kind) {
		p.refuse(w, r, lang, req, &authError{code: "invalid_request", desc: "unknown identity"}, http.StatusSeeOther)
		return
	}

	now := p.now()
	code, sid := randomToken(), randomToken()
	p.mem.signIn(code, &authCode{
		clientID:    req.client.ID,
		redirectURI: req.redirectURI,
		nonce:       req.nonce,
		challenge:   req.challenge,
		subject:     ident.Subject,
		sid:         sid,
		authTime:    now,
		expires:     now.Add(codeTTL),
	}, &session{subject: ident.Subject, clientID: req.client.ID, expires: now.Add(sessionTTL)}, now)
	p.log.Info("test-idp: signed in", "client", req.client.ID, "sub", ident.Subject, "kind", ident.Kind)
	p.redirectBack(w, r, req, http.StatusSeeOther, url.Values{"code": {code}})
}

// refuse answers a failed authorization request: a page when the redirect
// URI cannot be trusted, else an error response to the client.
func (p *Provider) refuse(w http.ResponseWriter, r *http.Request, lang string, req *authRequest, e *authError, status int) {
	p.log.Info("test-idp: authorization refused", "error", e.code, "detail", e.desc)
	if e.page != "" {
		p.renderError(w, r, lang, e.page, e.desc)
		return
	}
	p.redirectBack(w, r, req, status, url.Values{"error": {e.code}, "error_description": {e.desc}})
}

// redirectBack sends an authorization response to the client's redirect
// URI, with the state and, per RFC 9207, the issuer, which lets a client
// that talks to several providers tell whose response it got.
func (p *Provider) redirectBack(w http.ResponseWriter, r *http.Request, req *authRequest, status int, params url.Values) {
	if req.state != "" {
		params.Set("state", req.state)
	}
	params.Set("iss", p.issuer)
	noStore(w)
	http.Redirect(w, r, addQuery(req.redirectURI, params), status)
}

// addQuery adds params to target, keeping any query it already has
// (RFC 6749 §3.1.2). target was validated when the client was registered.
func addQuery(target string, params url.Values) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}
