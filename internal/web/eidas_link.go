package web

import (
	"net/http"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/hetu"
)

type eidasData struct {
	Persons []customer.Person
	Linked  string // name of the customer just linked
	Failed  string // the row whose form failed
	Value   string // what was typed there
}

// eidasList shows the eIDAS identities waiting to be linked to a customer
// record. Reading them is reading personal data: each is audited.
func (s *Server) eidasList(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	s.renderEIDAS(w, r, http.StatusOK, eidasData{}, "")
}

func (s *Server) renderEIDAS(w http.ResponseWriter, r *http.Request, status int, d eidasData, errKey string) {
	ps, err := s.cfg.Customers.UnlinkedEIDAS(r.Context(), actorOf(session(r)), 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Persons = ps
	p := &page{Title: "staff.eidas.title", Data: d, Error: errKey}
	if errKey != "" && d.Failed != "" {
		p.Anchor = "hetu-" + d.Failed
	}
	s.render(w, r, status, "staff_eidas", p)
}

// eidasLink links an eIDAS identity to the customer with the identity code
// the staff member typed; the code is checked before anything is written.
func (s *Server) eidasLink(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	typed := r.PostForm.Get("hetu")
	d := eidasData{Failed: id, Value: typed}
	code, err := hetu.Parse(typed)
	if err != nil {
		s.renderEIDAS(w, r, http.StatusUnprocessableEntity, d, hetuErrorKey(err))
		return
	}
	target, err := s.cfg.Customers.LinkEIDAS(r.Context(), actorOf(sess), id, code)
	switch {
	case fault.Is(err, fault.Invalid):
		s.renderEIDAS(w, r, http.StatusUnprocessableEntity, d, fault.KeyOf(err))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	// The list again, saying whom the identity now acts for: rendered
	// here rather than redirected, so that the name is never in a URL.
	s.renderEIDAS(w, r, http.StatusOK, eidasData{Linked: target.Name()}, "")
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
