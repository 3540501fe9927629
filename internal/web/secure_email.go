package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/auth"
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
	Field   string
	Off     bool
	Days    int
}

func (s *Server) secureUnits(r *http.Request) ([]secureUnit, error) {
	units, _, err := s.directory(r.Context())
	if err != nil {
		return nil, err
	}
	l := s.localizer(r)
	var out []secureUnit
	for _, su := range s.cfg.SecureEmail.Units {
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
	s.renderSecureForm(w, r, http.StatusOK, secureEmailData{UnitID: r.URL.Query().Get("unit")}, "")
}

func (s *Server) renderSecureForm(w http.ResponseWriter, r *http.Request, status int, d secureEmailData, errKey string) {
	units, err := s.secureUnits(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Units, d.Off = units, !s.cfg.SecureEmail.On
	s.render(w, r, status, "secure_email", &page{Title: "securemail.title", Data: d, Error: errKey, Field: d.Field})
}

// secureEmailRequest sends a one-time link. The answer is the same whether
// or not the address is known or was rate limited, so it reveals nothing
// about anyone's address.
func (s *Server) secureEmailRequest(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.SecureEmail
	if !s.parseForm(w, r) {
		return
	}
	d := secureEmailData{Email: r.PostForm.Get("email"), UnitID: r.PostForm.Get("unit")}
	if !cfg.On {
		s.renderSecureForm(w, r, http.StatusServiceUnavailable, d, "securemail.error.off")
		return
	}
	email, err := securemail.NormalizeEmail(d.Email)
	if err != nil {
		d.Field = "email"
		s.renderSecureForm(w, r, http.StatusUnprocessableEntity, d, fault.KeyOf(err))
		return
	}
	var unit securemail.Unit
	for _, u := range cfg.Units {
		if u.ID == d.UnitID {
			unit = u
		}
	}
	if unit.ID == "" {
		d.Field = "unit"
		s.renderSecureForm(w, r, http.StatusUnprocessableEntity, d, "securemail.error.unit")
		return
	}
	emailHash, clientHash := hashOf("email:"+email), hashOf("client:"+clientIP(r))
	now := s.now()
	byEmail, byClient, err := s.store.RecentLinks(r.Context(), emailHash, clientHash, now.Add(-cfg.Limits.Window))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if byClient >= cfg.Limits.PerClient {
		s.renderSecureForm(w, r, http.StatusTooManyRequests, d, "error.too_many")
		return
	}
	days := int(unit.Validity.Hours() / 24)
	if byEmail < cfg.Limits.PerAddress {
		l := s.localizer(r)
		token := auth.RandomToken()
		link := securemail.Link{Email: email, UnitID: unit.ID, Lang: l.Lang, ExpiresAt: now.Add(unit.Validity)}
		units, _ := s.secureUnits(r)
		name := unit.ID
		for _, u := range units {
			if u.ID == unit.ID {
				name = u.Name
			}
		}
		text := l.T("securemail.mail.body", "Unit", name, "Link", s.cfg.BaseURL+"/secure-email/t/"+token, "Days", days)
		// The e-mail is queued with the link in one transaction and sent
		// by the outbox worker, retried while the SMTP server is down.
		if err := s.store.CreateLink(r.Context(), &link, auth.HashToken(token), emailHash, clientHash, text); err != nil {
			s.fail(w, r, err)
			return
		}
		s.wake()
	} else {
		s.log.Info("secure e-mail link rate limited by address")
	}
	s.render(w, r, http.StatusOK, "secure_email_sent", &page{Title: "securemail.title", Data: secureEmailData{Days: days}})
}

// secureEmailWrite is the form the link opens: to one unit, with no
// personal data on the page.
func (s *Server) secureEmailWrite(w http.ResponseWriter, r *http.Request) {
	link, err := s.store.LinkByToken(r.Context(), auth.HashToken(r.PathValue("token")))
	if err != nil {
		s.linkGone(w, r, err)
		return
	}
	s.renderSecureWrite(w, r, http.StatusOK, link.UnitID, secureEmailData{}, "")
}

func (s *Server) renderSecureWrite(w http.ResponseWriter, r *http.Request, status int, unitID string, d secureEmailData, errKey string) {
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
	s.render(w, r, status, "secure_email_write", &page{Title: "securemail.write_title", Data: d, Error: errKey, Field: d.Field})
}

func (s *Server) secureEmailSend(w http.ResponseWriter, r *http.Request) {
	hash := auth.HashToken(r.PathValue("token"))
	link, err := s.store.LinkByToken(r.Context(), hash)
	if err != nil {
		s.linkGone(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	d := secureEmailData{Subject: r.PostForm.Get("subject"), Body: r.PostForm.Get("body")}
	if err := securemail.CheckMessage(d.Subject, d.Body); err != nil {
		d.Field = fault.FieldOf(err)
		s.renderSecureWrite(w, r, http.StatusUnprocessableEntity, link.UnitID, d, fault.KeyOf(err))
		return
	}
	m := securemail.Message{Subject: strings.TrimSpace(d.Subject), Body: strings.TrimSpace(d.Body)}
	if err := s.store.UseLink(r.Context(), hash, &m); err != nil {
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

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// clientIP is the connecting address, without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
