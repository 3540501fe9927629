package web

import (
	"net"
	"net/http"
	"slices"

	"github.com/etuus/etuus/internal/mail/sink"
	"github.com/etuus/etuus/internal/outbox"
)

// testMail shows what the development SMTP sink and SMS gateway received,
// newest first,
// so that e-mail can be followed end to end without a real mailbox. It
// exists only when the sink runs (never in production), and says TEST.
//
// It answers only requests from this machine: the mail holds working links.
func (s *Server) testMail(w http.ResponseWriter, r *http.Request) {
	if ip := net.ParseIP(clientIP(r)); ip == nil || !ip.IsLoopback() {
		s.notFound(w, r)
		return
	}
	var d testMailData
	if s.cfg.TestMail != nil {
		d.Mail = s.cfg.TestMail.Messages()
		slices.Reverse(d.Mail)
	}
	if s.cfg.TestSMS != nil {
		d.SMS = s.cfg.TestSMS.Texts()
		slices.Reverse(d.SMS)
	}
	s.render(w, r, http.StatusOK, "test_mail", &page{Title: "testmail.title", Data: d})
}

type testMailData struct {
	Mail []sink.Received
	SMS  []outbox.SMSText
}
