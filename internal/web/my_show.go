package web

import (
	"net/http"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/customer"
)

// myData is the customer's front page: who they are, and whether they
// signed in with an eIDAS identity not yet linked to a customer record.
type myData struct {
	customer.Person
	Unlinked bool
	// EIDASLinks are the foreign eIDs that act for the customer.
	EIDASLinks []customer.Link
}

// myShow is the signed-in customer's front page.
func (s *Server) myShow(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	p, err := s.store.PersonByID(r.Context(), sess.PersonID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := myData{Person: p, Unlinked: sess.Kind == auth.EIDAS && p.HETU == ""}
	if s.cfg.Customers != nil {
		if d.EIDASLinks, err = s.cfg.Customers.LinksTo(r.Context(), actorOf(sess), sess.PersonID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "my", &page{Title: "my.title", Data: d})
}

// staffShow is the signed-in staff member's front page.
func (s *Server) staffShow(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	units, _, err := s.directory(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.localizer(r)
	s.render(w, r, http.StatusOK, "staff", &page{L: l, Title: "staff.title", Data: staffData{Unit: unitName(units, sess.UnitID, l.Lang), Role: sess.Role}})
}

type staffData struct {
	Unit string
	Role string
}
