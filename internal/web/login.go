package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/fault"
)

const loginCookie = "etuus_login"

type loginData struct {
	Staff     bool
	Next      string
	Citizen   []providerLink
	EIDAS     []providerLink
	StaffList []providerLink
	Countries []string
}

type providerLink struct {
	Name  string
	Label string // the configured display name, "" for the kind's words
	Test  bool
	URL   string
}

// loginShow lists the ways to sign in: Finnish e-ID and eIDAS for
// customers at /login, the staff providers at /staff/login.
func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	d := loginData{Staff: r.URL.Path == "/staff/login", Next: next, Countries: s.auth.Policy.EIDASCountries}
	lang := s.localizer(r).Lang
	for _, rp := range s.auth.Providers {
		l := providerLink{Name: rp.Config.Name, Label: rp.Config.Label(lang), Test: rp.Config.Test, URL: "/login/" + rp.Config.Name + "?next=" + url.QueryEscape(next)}
		switch rp.Config.Kind {
		case auth.Citizen:
			d.Citizen = append(d.Citizen, l)
		case auth.EIDAS:
			d.EIDAS = append(d.EIDAS, l)
		case auth.Staff:
			d.StaffList = append(d.StaffList, l)
		}
	}
	title := "login.title"
	if d.Staff {
		title = "login.staff_title"
	}
	s.render(w, r, http.StatusOK, "login", &page{Title: title, Data: d})
}

// loginStart begins the authorization-code flow: state, nonce and PKCE
// verifier are kept server-side under a random ID whose cookie only this
// browser holds, so a callback in another browser finds nothing.
func (s *Server) loginStart(w http.ResponseWriter, r *http.Request) {
	// Each start stores a flow: an address gets a bounded number.
	if !s.signIns.allow(clientKey(r), s.now()) {
		w.Header().Set("Retry-After", itoa(int(s.signIns.rate.Every.Seconds()+1)))
		s.renderError(w, r, http.StatusTooManyRequests, "error.too_many")
		return
	}
	rp := s.provider(r.PathValue("provider"))
	if rp == nil {
		s.refuseLogin(w, r, fault.New(fault.NotFound, auth.ErrKeyProvider))
		return
	}
	l := s.localizer(r)
	f, target, err := rp.Start(r.Context(), l.Lang)
	if err != nil {
		s.refuseLogin(w, r, err)
		return
	}
	f.Next = localPath(r.URL.Query().Get("next"))
	f.ExpiresAt = s.now().Add(10 * time.Minute)
	id := auth.RandomToken()
	if err := s.auth.Sessions.StartLogin(r.Context(), auth.HashToken(id), f); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: loginCookie, Value: id, Path: "/auth/", MaxAge: 600,
		HttpOnly: true, Secure: s.tls(), SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// loginCallback finishes a sign-in. Everything that can be forged or
// replayed is checked before anything is created: the flow cookie, the
// state, the provider, the code exchange with the PKCE verifier, the ID
// token's signature, issuer, audience, expiry and nonce.
func (s *Server) loginCallback(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("provider")
	rp := s.provider(name)
	if rp == nil {
		s.refuseLogin(w, r, fault.New(fault.NotFound, auth.ErrKeyProvider))
		return
	}
	c, err := r.Cookie(loginCookie)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/auth/", MaxAge: -1, HttpOnly: true, Secure: s.tls(), SameSite: http.SameSiteLaxMode})
	if err != nil || c.Value == "" {
		s.refuseLogin(w, r, fault.Wrap(fault.Invalid, auth.ErrKeyState, auth.Because("no sign-in cookie: another browser, cookies blocked, or a callback URL sent twice")))
		return
	}
	f, err := s.auth.Sessions.TakeLogin(r.Context(), auth.HashToken(c.Value))
	if err != nil {
		if fault.Is(err, fault.NotFound) {
			err = fault.Wrap(fault.Invalid, auth.ErrKeyState, auth.Because("the sign-in was used already or is over 10 minutes old"))
		}
		s.refuseLogin(w, r, err)
		return
	}
	q := r.URL.Query()
	if f.Provider != name || q.Get("state") == "" || q.Get("state") != f.State {
		s.refuseLogin(w, r, fault.Wrap(fault.Invalid, auth.ErrKeyState, auth.Because("the callback's state or provider is not the sign-in's")))
		return
	}
	if iss := q.Get("iss"); iss != "" && iss != rp.Issuer() {
		s.refuseLogin(w, r, fault.Wrap(fault.Invalid, auth.ErrKeyProvider, auth.Because("the callback's iss %q is not the issuer %q (RFC 9207): a mixed-up answer", truncate(iss, 100), rp.Issuer())))
		return
	}
	if e := q.Get("error"); e != "" {
		key := auth.ErrKeyToken
		if e == "access_denied" {
			key = auth.ErrKeyCancelled
		}
		// error is a code from RFC 6749 §4.1.2.1; a made-up one is clipped.
		s.refuseLogin(w, r, fault.Wrap(fault.Invalid, key, auth.Because("the provider answered error=%s", truncate(e, 40))))
		return
	}
	res, err := rp.Finish(r.Context(), f, q.Get("code"))
	if err != nil {
		s.refuseLogin(w, r, err)
		return
	}
	units, _, err := s.directory(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := auth.IdentityFromClaims(rp.Config, s.auth.Policy, units, res.Subject, res.Claims)
	if err != nil {
		s.refuseLogin(w, r, err)
		return
	}
	// The browser's previous session, whoever's it was, ends with this
	// sign-in: one browser, one session.
	var opts []auth.SignInOption
	if old, err := r.Cookie(s.sessionCookie()); err == nil && old.Value != "" {
		opts = append(opts, auth.Replacing(auth.HashToken(old.Value)))
	}
	token := auth.RandomToken()
	sess, err := s.auth.Sessions.SignIn(r.Context(), id, auth.HashToken(token), res.Logout, opts...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setSessionCookie(w, token)
	// The flow's next was checked when it was stored; check it again, as
	// every redirect target that came from outside is.
	next := localPath(f.Next)
	if next == "/" {
		next = "/my"
		if sess.Kind == auth.Staff {
			next = "/staff"
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// refuseLogin shows why a sign-in failed, records the refusal without
// personal data, and creates nothing.
func (s *Server) refuseLogin(w http.ResponseWriter, r *http.Request, err error) {
	k := fault.KindOf(err)
	if k == fault.Internal {
		s.fail(w, r, err)
		return
	}
	key := fault.KeyOf(err)
	// The cause names settings and protocol errors, never claim values.
	s.log.Info("sign-in refused", "reason", key, "cause", auth.Cause(err), "provider", truncate(r.PathValue("provider"), 64), "route", route(r))
	if aerr := s.store.Append(r.Context(), audit.Entry{
		ActorKind: audit.ActorAnon, ActorID: "-", Action: "signin.refused",
		Object: "provider:" + truncate(r.PathValue("provider"), 64), Detail: key,
	}); aerr != nil {
		s.log.Error("audit", "err", aerr)
	}
	status := k.Status()
	if k == fault.Invalid {
		status = http.StatusBadRequest
	}
	d := loginErrorData{Key: key, Data: fault.DataOf(err), EIDAS: key == auth.ErrKeyCountry}
	s.render(w, r, status, "login_error", &page{Title: "login.failed_title", Data: d})
}

type loginErrorData struct {
	Key   string
	Data  map[string]any
	EIDAS bool // show the secure e-mail route instead
}

// logout ends the session here and, where the provider supports it, at the
// provider too.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess := session(r)
	s.clearSessionCookie(w)
	if sess == nil {
		http.Redirect(w, r, "/signed-out", http.StatusSeeOther)
		return
	}
	if err := s.auth.Sessions.SignOut(r.Context(), sess.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	e := audit.Entry{Action: "signout", Object: "session:" + sess.ID}
	if sess.Kind == auth.Staff {
		e.ActorKind, e.ActorID = audit.ActorStaff, sess.StaffID
	} else {
		e.ActorKind, e.ActorID, e.SubjectID = audit.ActorCustomer, sess.PersonID, sess.PersonID
	}
	if err := s.store.Append(r.Context(), e); err != nil {
		s.log.Error("audit", "err", err)
	}
	target := "/signed-out"
	if rp := s.provider(sess.Provider); rp != nil {
		if u := rp.EndSessionURL(r.Context(), sess.IDToken, s.cfg.BaseURL+"/signed-out"); u != "" {
			target = u
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *Server) signedOut(w http.ResponseWriter, r *http.Request) {
	key := "logout.done"
	if r.URL.Query().Get("reason") == "timeout" {
		key = "logout.timeout"
	}
	s.render(w, r, http.StatusOK, "signed_out", &page{Title: "logout.title", Data: key})
}

// sessionExtend is the "stay signed in" button: the request itself counts
// as activity. Without JavaScript it is a form that returns to the page.
func (s *Server) sessionExtend(w http.ResponseWriter, r *http.Request) {
	sess := session(r)
	if sess == nil {
		s.renderError(w, r, http.StatusUnauthorized, "error.unauthorized")
		return
	}
	if err := s.auth.Sessions.Touch(r.Context(), sess.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}` + "\n"))
		return
	}
	r.ParseForm()
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
}

// sessionStatus tells the page's timer how long the session has left
// without counting as activity.
func (s *Server) sessionStatus(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	sess := session(r)
	if sess == nil {
		w.Write([]byte(`{"active":false}` + "\n"))
		return
	}
	left := s.auth.Timeouts.Idle - s.now().Sub(sess.LastSeenAt)
	if abs := sess.ExpiresAt.Sub(s.now()); abs < left {
		left = abs
	}
	w.Write([]byte(`{"active":true,"seconds_left":` + itoa(int(left.Seconds())) + "}\n"))
}
