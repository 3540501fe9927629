package web

import (
	"net/http"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
)

// paymentList is the customer's coming and past benefit payments.
func (s *Server) paymentList(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	o, err := s.cfg.Payments.MyPayments(r.Context(), actorOf(sess))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// ?filed= is the pay day of a report just filed, to say when it is paid.
	filed, _ := civil.ParseISO(r.URL.Query().Get("filed"))
	// Kept as rendered by a digest of the data (renderContentCached): the
	// page is the template's work over a person's own few rows.
	s.renderContentCached(w, r, http.StatusOK, "payments", &page{Title: "payment.title", Data: struct {
		Overview payment.MyPayments
		Filed    civil.Date
	}{o, filed}})
}

// paymentShow is one of the customer's payments; another customer's
// payment ID answers 404.
func (s *Server) paymentShow(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	p, err := s.cfg.Payments.Payment(r.Context(), actorOf(sess), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "payment", &page{Title: "payment.one_title", Data: p})
}
