// Package sink is a development and test SMTP server that keeps what it
// receives in memory, so that e-mail can be sent over real SMTP and read back.
package sink

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// maxKept bounds the memory a long-running development server uses.
const maxKept = 10_000

// Received is one message as it arrived.
type Received struct {
	ID      int
	At      time.Time
	From    string
	To      []string
	Subject string
	Text    string
	Header  mail.Header
}

// Sink is a running SMTP server.
type Sink struct {
	srv *smtp.Server
	ln  net.Listener

	mu     sync.Mutex
	msgs   []Received
	next   int
	failN  int // fail this many next messages with 451
	notify chan struct{}
}

// Start listens on addr (e.g. 127.0.0.1:0) and serves until Close.
func Start(addr string) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{ln: ln, notify: make(chan struct{})}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is the address the sink listens on.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Close stops the server.
func (s *Sink) Close() error { return s.srv.Close() }

// FailNext makes the next n messages fail with a temporary error.
func (s *Sink) FailNext(n int) {
	s.mu.Lock()
	s.failN = n
	s.mu.Unlock()
}

// Messages returns copies of what arrived, oldest first.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// WaitFor waits until at least n messages have arrived.
func (s *Sink) WaitFor(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			out := append([]Received(nil), s.msgs...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.notify
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
	}
}

func (s *Sink) add(r Received) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN > 0 {
		s.failN--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.next++
	r.ID = s.next
	s.msgs = append(s.msgs, r)
	if len(s.msgs) > maxKept {
		s.msgs = s.msgs[len(s.msgs)-maxKept:]
	}
	close(s.notify)
	s.notify = make(chan struct{})
	return nil
}

type backend struct{ s *Sink }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Sink
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) AuthMechanisms() []string { return []string{"PLAIN"} }

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error { return nil }), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "not a message"}
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		subject = m.Header.Get("Subject")
	}
	text, err := plainText(m.Header, m.Body)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unreadable body"}
	}
	return x.s.add(Received{At: time.Now().UTC(), From: x.from, To: append([]string(nil), x.to...), Subject: subject, Text: text, Header: m.Header})
}

// plainText decodes the text/plain part of a message.
func plainText(h mail.Header, body io.Reader) (string, error) {
	ct, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ct = "text/plain"
	}
	if strings.HasPrefix(ct, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return "", nil
				}
				return "", err
			}
			t, err := plainText(mail.Header(p.Header), p)
			if err != nil || t != "" {
				return t, err
			}
		}
	}
	if ct != "text/plain" {
		return "", nil
	}
	var r io.Reader = body
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64Reader(body)
	}
	b, err := io.ReadAll(r)
	return strings.ReplaceAll(string(b), "\r\n", "\n"), err
}
