package web

import (
	"net"
	"net/http"
	"slices"
)

// testMail shows what the development SMTP sink received, newest first,
// so that e-mail can be followed end to end without a real mailbox. It
// exists only when the sink runs (never in production), and says TEST.
//
// It answers only requests from this machine: the mail holds working links.
func (s *Server) testMail(w http.ResponseWriter, r *http.Request) {
	if ip := net.ParseIP(clientIP(r)); ip == nil || !ip.IsLoopback() {
		s.notFound(w, r)
		return
	}
	ms := s.cfg.TestMail.Messages()
	slices.Reverse(ms)
	s.render(w, r, http.StatusOK, "test_mail", &page{Title: "testmail.title", Data: ms})
}
