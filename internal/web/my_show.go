package web

import "net/http"

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
	s.render(w, r, http.StatusOK, "my", &page{Title: "my.title", Data: p})
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
