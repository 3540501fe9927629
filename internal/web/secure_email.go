package web

import (
	"net/http"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/securemail"
)

type secureUnit struct {
	ID   string
	Name string
	Days int
}

type secureEmailData struct {
	Units   []secureUnit
	Email   string
	UnitID  string
	Unit    secureUnit // on the writing page
	Subject string
	Body    string
	Off     bool
	Days    int
}

// secureMail is the secure e-mail route's service.
func (s *Server) secureMail() *securemail.Service { return s.cfg.SecureEmail.Service }

func (s *Server) secureUnits(r *http.Request) ([]secureUnit, error) {
	units, _, err := s.directory(r.Context())
	if err != nil {
		return nil, err
	}
	l := s.localizer(r)
	var out []secureUnit
	for _, su := range s.secureMail().Units() {
		for _, u := range units {
			if u.ID == su.ID {
				out = append(out, secureUnit{ID: u.ID, Name: u.Name(l.Lang), Days: int(su.Validity.Hours() / 24)})
			}
		}
	}
	return out, nil
}

// secureEmailForm asks for the customer's address and the unit to write to.
func (s *Server) secureEmailForm(w http.ResponseWriter, r *http.Request) {
	s.renderSecureForm(w, r, http.StatusOK, secureEmailData{UnitID: r.URL.Query().Get("unit")}, nil)
}

// renderSecureForm shows the form that asks for a link, with the
// refusal's problems when it was refused.
func (s *Server) renderSecureForm(w http.ResponseWriter, r *http.Request, status int, d secureEmailData, refusal error) {
	units, err := s.secureUnits(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Units, d.Off = units, !s.secureMail().On()
	s.render(w, r, status, "secure_email", &page{Title: "securemail.title", Data: d, Err: refusal})
}

// secureEmailRequest sends a one-time link. The answer is the same whether
// or not the address is known or was rate limited, so it reveals nothing
// about anyone's address.
func (s *Server) secureEmailRequest(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	d := secureEmailData{Email: r.PostForm.Get("email"), UnitID: r.PostForm.Get("unit")}
	days, err := s.secureMail().RequestLink(r.Context(), securemail.LinkRequest{Email: d.Email, UnitID: d.UnitID,
		Lang: s.localizer(r).Lang, Client: clientIP(r)})
	if err != nil {
		switch k := fault.KindOf(err); {
		case k == fault.Invalid, k == fault.TooMany, k == fault.Unavailable && fault.KeyOf(err) == "securemail.error.off":
			s.renderSecureForm(w, r, k.Status(), d, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	s.render(w, r, http.StatusOK, "secure_email_sent", &page{Title: "securemail.title", Data: secureEmailData{Days: days}})
}

// secureEmailWrite is the form the link opens: to one unit, with no
// personal data on the page.
func (s *Server) secureEmailWrite(w http.ResponseWriter, r *http.Request) {
	link, err := s.secureMail().Link(r.Context(), r.PathValue("token"))
	if err != nil {
		s.linkGone(w, r, err)
		return
	}
	s.renderSecureWrite(w, r, http.StatusOK, link.UnitID, secureEmailData{}, nil)
}

// renderSecureWrite shows the writing form of a link, with the
// refusal's problems when it was refused.
func (s *Server) renderSecureWrite(w http.ResponseWriter, r *http.Request, status int, unitID string, d secureEmailData, refusal error) {
	units, err := s.secureUnits(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, u := range units {
		if u.ID == unitID {
			d.Unit = u
		}
	}
	s.render(w, r, status, "secure_email_write", &page{Title: "securemail.write_title", Data: d, Err: refusal})
}

func (s *Server) secureEmailSend(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	link, err := s.secureMail().Link(r.Context(), token)
	if err != nil {
		s.linkGone(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	d := secureEmailData{Subject: r.PostForm.Get("subject"), Body: r.PostForm.Get("body")}
	if _, err := s.secureMail().Send(r.Context(), token, d.Subject, d.Body); err != nil {
		if fault.Is(err, fault.Invalid) {
			s.renderSecureWrite(w, r, http.StatusUnprocessableEntity, link.UnitID, d, err)
			return
		}
		s.linkGone(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "secure_email_done", &page{Title: "securemail.write_title", Path: "/secure-email"})
}

// linkGone answers a link that was used, expired or never existed, the same
// way for each.
func (s *Server) linkGone(w http.ResponseWriter, r *http.Request, err error) {
	if !fault.Is(err, fault.NotFound) {
		s.fail(w, r, err)
		return
	}
	s.renderError(w, r, http.StatusGone, "securemail.error.link")
}

// secureEmailQueue is where staff once read secure e-mail: those messages
// are threads in the unit's message queue now.
func (s *Server) secureEmailQueue(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/staff/messages?topic=secure_email", http.StatusMovedPermanently)
}

// clientIP is the client's address: the connecting one, or the one a
// trusted proxy forwarded for (TrustedProxies.Resolve).
func clientIP(r *http.Request) string { return clientOf(r).IP }
