package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/fault"
)

type sessionKey struct{}

// sessionCookie is the session cookie's name: with TLS the __Host- prefix
// makes the browser refuse it unless Secure, host-only and for path /.
func (s *Server) sessionCookie() string {
	if s.tls() {
		return "__Host-etuus_session"
	}
	return "etuus_session"
}

func (s *Server) tls() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

// withSession finds the request's session. A cookie the server did not
// issue, or one whose session ended, is ignored and cleared: an attacker
// cannot plant a session ID, since sign-in always issues a fresh one.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || sessionless(r.URL.Path) || s.auth.Sessions == nil {
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(s.sessionCookie())
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := s.auth.Sessions.Session(r.Context(), auth.HashToken(c.Value))
		now := s.now()
		switch {
		case err == nil:
			if now.Sub(sess.LastSeenAt) > time.Minute && !passive(r) {
				// A write per minute at most, not per request.
				if err := s.auth.Sessions.Touch(r.Context(), sess.ID); err == nil {
					sess.LastSeenAt = now
				}
			}
			r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, &sess))
		case fault.Is(err, fault.NotFound):
			s.clearSessionCookie(w)
		case public(r.URL.Path):
			// Outage mode: public pages answer without the session.
			s.log.Warn("session not read; serving a public page without it", "err", err)
		default:
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sessionless paths are answered the same for everyone and for machines
// (a scraper, a load balancer's probe): a cookie a browser sends along is
// not looked up, so a scrape or a readiness probe never waits for the
// sessions table.
func sessionless(path string) bool {
	return path == "/metrics" || path == "/healthz" || path == "/readyz"
}

// passive requests do not count as activity: the page's own timers must not
// keep an idle session alive.
func passive(r *http.Request) bool {
	return r.URL.Path == "/session/status"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.sessionCookie(), Value: token, Path: "/",
		HttpOnly: true, Secure: s.tls(), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.sessionCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.tls(), SameSite: http.SameSiteLaxMode,
	})
}

// session is the request's session, or nil.
func session(r *http.Request) *auth.Session {
	sess, _ := r.Context().Value(sessionKey{}).(*auth.Session)
	return sess
}

// requireCustomer returns the signed-in customer's session, or answers the
// request: a sign-in redirect for nobody, 403 for staff.
func (s *Server) requireCustomer(w http.ResponseWriter, r *http.Request) *auth.Session {
	sess := session(r)
	switch {
	case sess == nil:
		http.Redirect(w, r, "/login?next="+urlEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil
	case sess.Kind != auth.Citizen && sess.Kind != auth.EIDAS:
		s.renderError(w, r, http.StatusForbidden, "auth.error.customers_only")
		return nil
	}
	return sess
}

// requireStaff returns the signed-in staff member's session, or answers the
// request: a staff sign-in redirect for nobody, 403 for customers.
func (s *Server) requireStaff(w http.ResponseWriter, r *http.Request) *auth.Session {
	sess := session(r)
	switch {
	case sess == nil:
		http.Redirect(w, r, "/staff/login?next="+urlEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil
	case sess.Kind != auth.Staff:
		s.renderError(w, r, http.StatusForbidden, "auth.error.staff_only")
		return nil
	}
	return sess
}

// actorOf is who the session's user is to the services.
// requireStaffMay is requireStaff for a page whose only use is a task
// that needs the permission: staff without it are refused with 403 instead
// of shown a form the service would refuse.
func (s *Server) requireStaffMay(w http.ResponseWriter, r *http.Request, p access.Permission) *auth.Session {
	sess := s.requireStaff(w, r)
	if sess != nil && !s.cfg.Access.Allows(actorOf(sess), p) {
		s.renderError(w, r, http.StatusForbidden, "staff.error.unit")
		return nil
	}
	return sess
}

func actorOf(sess *auth.Session) access.Actor {
	switch {
	case sess == nil:
		return access.Actor{}
	case sess.Kind == auth.Staff:
		return access.AsStaff(sess.StaffID, sess.UnitID, sess.Role)
	}
	return access.AsCustomer(sess.PersonID)
}
