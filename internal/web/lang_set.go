package web

import (
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/i18n"
)

// langSet switches the language: it sets the lang cookie and goes back to
// the page the switcher was on. Links work without JavaScript.
func (s *Server) langSet(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if !i18n.Valid(lang) {
		s.notFound(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}
