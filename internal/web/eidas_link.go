package web

import (
	"net/http"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/hetu"
)

type eidasData struct {
	customer.LinkQueue
	Me    string // the staff member's ID: their own proposals wait for another
	Done  string // key of what was just done
	Name  string // whom it was done for, shown in Done
	Row   string // the row whose form failed: an identity's or a link's ID
	Value string // the identity code typed there
	Text  string // the reason typed there
}

// eidasList shows the eIDAS identities waiting to be linked to a customer
// record, the proposals waiting for a second person and the links in
// force. Reading them is reading personal data: the view is audited.
func (s *Server) eidasList(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	s.renderEIDAS(w, r, http.StatusOK, eidasData{}, nil)
}

// renderEIDAS renders the page, with the error a form's use was refused
// with, if any: the page's error summary names it and links to the field.
func (s *Server) renderEIDAS(w http.ResponseWriter, r *http.Request, status int, d eidasData, refused error) {
	sess := session(r)
	q, err := s.cfg.Customers.LinkQueue(r.Context(), actorOf(sess))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.LinkQueue, d.Me = q, sess.StaffID
	p := &page{Title: "staff.eidas.title", Data: d}
	if refused != nil {
		p.Error, p.Field = fault.KeyOf(refused), fault.FieldOf(refused)
		if p.Field != "" && d.Row != "" {
			p.Anchor = p.Field + "-" + d.Row
		}
	}
	s.render(w, r, status, "staff_eidas", p)
}

// eidasRefused renders the page with a refusal a form can show, and
// reports whether err was one; other errors are the caller's.
func (s *Server) eidasRefused(w http.ResponseWriter, r *http.Request, d eidasData, err error) bool {
	switch k := fault.KindOf(err); k {
	case fault.Invalid, fault.Conflict:
		s.renderEIDAS(w, r, k.Status(), d, err)
	case fault.Forbidden:
		if fault.KeyOf(err) != "eidas.error.own" {
			return false
		}
		s.renderEIDAS(w, r, k.Status(), d, err)
	default:
		return false
	}
	return true
}

// eidasLink proposes linking an eIDAS identity to the customer with the
// identity code the staff member typed, for the reason they wrote; a
// second staff member approves it (eidasDecide). The code is checked
// before anything is written.
func (s *Server) eidasLink(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil || !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	d := eidasData{Row: id, Value: r.PostForm.Get("hetu"), Text: r.PostForm.Get("reason")}
	code, err := hetu.Parse(d.Value)
	if err != nil {
		// Staff without the permission are refused by the page's list.
		s.renderEIDAS(w, r, http.StatusUnprocessableEntity, d, fault.InvalidField("hetu", hetuErrorKey(err), nil))
		return
	}
	l, err := s.cfg.Customers.ProposeLink(r.Context(), actorOf(sess), id, code, d.Text)
	if err != nil {
		if !s.eidasRefused(w, r, d, err) {
			s.fail(w, r, err)
		}
		return
	}
	// The page again, saying whom the proposal is for: rendered here
	// rather than redirected, so that the name is never in a URL.
	s.renderEIDAS(w, r, http.StatusOK, eidasData{Done: "eidas.done.proposed", Name: l.Target.Name()}, nil)
}

// eidasDecide approves or withdraws a waiting proposal, or undoes a link
// in force (with a reason): /staff/eidas/links/{id}/{action}.
func (s *Server) eidasDecide(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil || !s.parseForm(w, r) {
		return
	}
	a, id := actorOf(sess), r.PathValue("id")
	d := eidasData{Row: id, Text: r.PostForm.Get("reason")}
	var err error
	switch r.PathValue("action") {
	case "approve":
		_, err = s.cfg.Customers.ApproveLink(r.Context(), a, id)
		d.Done = "eidas.done.approved"
	case "withdraw":
		err = s.cfg.Customers.WithdrawLink(r.Context(), a, id)
		d.Done = "eidas.done.withdrawn"
	case "undo":
		_, err = s.cfg.Customers.UndoLink(r.Context(), a, id, d.Text)
		d.Done = "eidas.done.undone"
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		d.Done = ""
		if !s.eidasRefused(w, r, d, err) {
			s.fail(w, r, err)
		}
		return
	}
	s.renderEIDAS(w, r, http.StatusOK, eidasData{Done: d.Done}, nil)
}

// hetuErrorKey names what is wrong with an identity code in the user's words.
func hetuErrorKey(err error) string {
	for _, c := range []struct {
		reason hetu.Reason
		key    string
	}{
		{hetu.ErrLength, "hetu.error.length"},
		{hetu.ErrFormat, "hetu.error.format"},
		{hetu.ErrCentury, "hetu.error.century"},
		{hetu.ErrDate, "hetu.error.date"},
		{hetu.ErrIndividual, "hetu.error.individual"},
		{hetu.ErrCheck, "hetu.error.check"},
	} {
		if errorsIs(err, c.reason) {
			return c.key
		}
	}
	return "hetu.error.format"
}
