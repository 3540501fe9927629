package web

import (
	"net/http"
	"time"

	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/fault"
)

type apiClientsData struct {
	Clients []apiclient.Client
	Scopes  []string
	// Issued is the client just issued and Secret its secret, shown once.
	Issued  *apiclient.Client
	Secret  string
	Revoked string // the name of the client just revoked
	// The issue form as typed.
	Name, Subject string
	Chosen        map[string]bool
	Now           time.Time // for each client's expiry
}

// apiClientList lists the API's clients for staff who manage them.
func (s *Server) apiClientList(w http.ResponseWriter, r *http.Request) {
	if s.requireStaff(w, r) == nil {
		return
	}
	s.renderAPIClients(w, r, http.StatusOK, apiClientsData{Revoked: r.URL.Query().Get("revoked")}, nil)
}

func (s *Server) renderAPIClients(w http.ResponseWriter, r *http.Request, status int, d apiClientsData, refusal error) {
	if s.cfg.APIClients == nil {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	cs, err := s.cfg.APIClients.List(r.Context(), actorOf(session(r)))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Clients, d.Scopes, d.Now = cs, apiclient.Scopes, s.now()
	// ?revoked= names the client just revoked by its ID; the page says its
	// name from the list, so no text of the URL is shown.
	revoked := d.Revoked
	d.Revoked = ""
	for _, c := range cs {
		if revoked != "" && c.ID == revoked && c.Revoked() {
			d.Revoked = c.Name
		}
	}
	s.render(w, r, status, "staff_api_clients", &page{Title: "api.clients.title", Data: d, Err: refusal})
}

// apiClientIssue issues a client and shows its secret this once; the page
// is not stored by the browser (no-store) and the secret is never shown again.
func (s *Server) apiClientIssue(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil || !s.parseForm(w, r) {
		return
	}
	if s.cfg.APIClients == nil {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	d := apiClientsData{Name: r.PostForm.Get("name"), Subject: r.PostForm.Get("subject"), Chosen: map[string]bool{}}
	scopes := r.PostForm["scope"]
	for _, sc := range scopes {
		d.Chosen[sc] = true
	}
	c, secret, err := s.cfg.APIClients.Issue(r.Context(), actorOf(sess), d.Name, d.Subject, scopes)
	switch {
	case fault.Is(err, fault.Invalid):
		s.renderAPIClients(w, r, http.StatusUnprocessableEntity, d, err)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.renderAPIClients(w, r, http.StatusOK, apiClientsData{Issued: &c, Secret: secret}, nil)
}

// apiClientRevoke ends a client's secret.
func (s *Server) apiClientRevoke(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	if s.cfg.APIClients == nil {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	c, err := s.cfg.APIClients.Revoke(r.Context(), actorOf(sess), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/staff/api-clients?revoked="+urlEscape(c.ID), http.StatusSeeOther)
}
