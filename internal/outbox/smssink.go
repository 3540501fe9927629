package outbox

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// SMSText is a text message an SMSSink received.
type SMSText struct {
	At   time.Time
	From string
	To   string
	Text string
}

// SMSSink is a development and test SMS gateway: an HTTP server that
// speaks HTTPSMS's protocol and keeps what it receives in memory, so that
// text messages can be followed end to end without an operator. Listen on
// a loopback address only.
type SMSSink struct {
	srv  *http.Server
	ln   net.Listener
	keep int

	mu    sync.Mutex
	texts []SMSText
	total int
	more  chan struct{} // closed and replaced on each arrival
}

// StartSMSSink listens on addr ("127.0.0.1:0" picks a free port) and keeps
// the newest keep texts (1,000 when keep is 0).
func StartSMSSink(addr string, keep int) (*SMSSink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if keep <= 0 {
		keep = 1000
	}
	s := &SMSSink{ln: ln, keep: keep, more: make(chan struct{})}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.receive), ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// URL is the gateway address to give HTTPSMS.
func (s *SMSSink) URL() string { return "http://" + s.ln.Addr().String() + "/sms" }

func (s *SMSSink) receive(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/sms" {
		http.NotFound(w, r)
		return
	}
	var m struct{ From, To, Text string }
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&m); err != nil || m.To == "" || m.Text == "" {
		http.Error(w, "want JSON {from, to, text}", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.texts = append(s.texts, SMSText{At: time.Now().UTC(), From: m.From, To: m.To, Text: m.Text})
	if len(s.texts) > s.keep {
		s.texts = s.texts[len(s.texts)-s.keep:]
	}
	s.total++
	close(s.more)
	s.more = make(chan struct{})
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// Texts returns copies of the texts kept, oldest first.
func (s *SMSSink) Texts() []SMSText {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMSText(nil), s.texts...)
}

// WaitFor waits until at least n texts have arrived since the start and
// returns those kept.
func (s *SMSSink) WaitFor(ctx context.Context, n int) ([]SMSText, error) {
	for {
		s.mu.Lock()
		total, more := s.total, s.more
		s.mu.Unlock()
		if total >= n {
			return s.Texts(), nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-more:
		}
	}
}

// Close stops the server; the texts stay readable.
func (s *SMSSink) Close() error { return s.srv.Close() }
