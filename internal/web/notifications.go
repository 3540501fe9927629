package web

import (
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
)

type notificationsData struct {
	Consent message.Consent // the choice in the form's inputs
	// Stored is the choice as saved, which decides whether a code is
	// awaited.
	Stored message.Consent
	SMS    bool
	Email  string
	Phone  string
	Saved  bool
	Code   string // "sent" after a code went out
	// MessageSent: the person came here from a message they sent with a
	// new address, which is sent; the code is asked for next.
	MessageSent bool
}

// notificationsShow is the customer's notification choice and, while the
// address is unverified, the form for the code sent to it.
func (s *Server) notificationsShow(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	q := r.URL.Query()
	s.renderNotifications(w, r, actorOf(sess), http.StatusOK, notificationsData{Saved: q.Get("saved") == "1", Code: q.Get("code"), MessageSent: q.Get("sent") == "1"}, "", "")
}

func (s *Server) renderNotifications(w http.ResponseWriter, r *http.Request, a access.Actor, status int, d notificationsData, msg, field string) {
	c, err := s.messages().Consent(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Stored, d.SMS = c, s.messages().SMS()
	if msg == "" || field == "code" {
		d.Consent = c
		switch c.Channel {
		case message.ChannelEmail:
			d.Email = c.Address
		case message.ChannelSMS:
			d.Phone = c.Address
		}
	}
	s.render(w, r, status, "notifications", &page{Title: "message.notify.title", Data: d, Message: msg, Field: field, Anchor: addressAnchor(field, d.Consent)})
}

// notificationsSave stores a new choice; a new address gets a code.
func (s *Server) notificationsSave(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	d := notificationsData{Email: strings.TrimSpace(f.Get("email")), Phone: strings.TrimSpace(f.Get("phone"))}
	d.Consent = consentFromForm(f.Get("allow"), f.Get("channel"), d.Email, d.Phone)
	sent, err := s.messages().SetConsent(r.Context(), actorOf(sess), s.localizer(r).Lang, d.Consent)
	if err != nil {
		s.refuseNotifications(w, r, actorOf(sess), d, err)
		return
	}
	if sent {
		http.Redirect(w, r, "/my/notifications?code=sent", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/my/notifications?saved=1", http.StatusSeeOther)
}

func (s *Server) refuseNotifications(w http.ResponseWriter, r *http.Request, a access.Actor, d notificationsData, err error) {
	status := fault.KindOf(err).Status()
	switch fault.KindOf(err) {
	case fault.Invalid, fault.Conflict, fault.TooMany:
		field := fault.FieldOf(err)
		if field == "" {
			field = "code"
		}
		s.renderNotifications(w, r, a, status, d, s.message(r, err), field)
	default:
		s.fail(w, r, err)
	}
}

// notificationsVerify checks the code the customer typed.
func (s *Server) notificationsVerify(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	code := strings.Join(strings.Fields(r.PostForm.Get("code")), "")
	if err := s.messages().VerifyConsent(r.Context(), actorOf(sess), code); err != nil {
		s.refuseNotifications(w, r, actorOf(sess), notificationsData{Code: "sent"}, err)
		return
	}
	http.Redirect(w, r, "/my/messages?verified=1", http.StatusSeeOther)
}

// notificationsResend sends a new code to the unverified address.
func (s *Server) notificationsResend(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	if err := s.messages().ResendCode(r.Context(), actorOf(sess), s.localizer(r).Lang); err != nil {
		s.refuseNotifications(w, r, actorOf(sess), notificationsData{Code: "sent"}, err)
		return
	}
	http.Redirect(w, r, "/my/notifications?code=sent", http.StatusSeeOther)
}

// addressAnchor is the control an error about the notice address is
// about: the phone number's when text messages were chosen, else the
// e-mail address's; "" for an error about another field.
func addressAnchor(field string, c message.Consent) string {
	switch {
	case field != "address":
		return ""
	case c.Channel == message.ChannelSMS:
		return "phone"
	}
	return "email"
}
