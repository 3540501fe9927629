// Package sink is a development and test SMTP server that keeps what it
// receives in memory, so that e-mail can be sent over real SMTP and read
// back.
//
// It speaks plain SMTP without TLS and takes any password unless told
// otherwise (StartTLS, ImplicitTLS, Auth, Scram): listen on a loopback
// address only.
package sink

import (
	"bytes"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Default bounds on what a sink keeps, so that a long-running
// development server does not grow without bound; the oldest messages go
// first.
const (
	DefaultKeep      = 10_000
	DefaultKeepBytes = 256 << 20
	// MaxMessageBytes is the largest message the sink takes.
	MaxMessageBytes = 10 << 20
)

// ErrClosed is WaitFor's answer once the sink is closed.
var ErrClosed = errors.New("sink: closed")

// Received is one message as it arrived.
type Received struct {
	// ID counts the messages the sink took, from 1.
	ID int
	// Session counts the SMTP connections, from 1: messages sent over one
	// connection share it.
	Session int
	At      time.Time
	// From and To are the envelope (MAIL FROM, RCPT TO).
	From string
	To   []string
	// Subject is decoded (RFC 2047).
	Subject string
	// Text is the decoded text/plain part, with \n line ends; HTML the
	// decoded text/html part, if any.
	Text   string
	HTML   string
	Header mail.Header
	Raw    []byte
}

func (r Received) clone() Received {
	r.To = slices.Clone(r.To)
	r.Raw = bytes.Clone(r.Raw)
	h := make(mail.Header, len(r.Header))
	for k, v := range r.Header {
		h[k] = slices.Clone(v)
	}
	r.Header = h
	return r
}

// Option changes how Start sets up a sink.
type Option func(*Sink)

// Auth makes the sink require AUTH PLAIN with this user name and
// password before MAIL FROM (530 without, 535 for a wrong one). Without
// it the sink offers AUTH but takes any credentials, and mail without.
func Auth(username, password string) Option {
	return func(s *Sink) { s.user, s.pass, s.requireAuth = username, password, true }
}

// Scram makes the sink offer SCRAM-SHA-256 before PLAIN, for the Auth
// user; without Auth it has no effect.
func Scram() Option {
	return func(s *Sink) { s.scram = true }
}

// StartTLS makes the sink offer STARTTLS with this configuration (its
// certificate).
func StartTLS(c *tls.Config) Option {
	return func(s *Sink) { s.startTLS = c }
}

// ImplicitTLS makes the sink speak TLS from the first byte, as on port 465.
func ImplicitTLS(c *tls.Config) Option {
	return func(s *Sink) { s.implicitTLS = c }
}

// FailNext makes the sink answer the next n messages, after their DATA,
// with code: 451 for a temporary failure (a client should retry), 550 for
// a permanent one. code must be 4xx or 5xx.
func FailNext(n, code int) Option {
	return func(s *Sink) { s.setFail(n, code) }
}

// RejectRecipient makes the sink answer RCPT TO addr with code (4xx or
// 5xx), as a server does for an unknown mailbox.
func RejectRecipient(addr string, code int) Option {
	return func(s *Sink) {
		checkCode(code)
		s.reject[strings.ToLower(addr)] = code
	}
}

// Keep sets how many messages the sink keeps (default DefaultKeep).
func Keep(n int) Option {
	return func(s *Sink) {
		if n < 1 {
			panic("sink: Keep needs at least 1")
		}
		s.keep = n
	}
}

// Sink is a running SMTP server. Its methods are safe for concurrent use.
type Sink struct {
	srv    *smtp.Server
	ln     net.Listener
	served chan struct{}

	user, pass  string
	requireAuth bool
	scram       bool
	startTLS    *tls.Config
	implicitTLS *tls.Config
	keep        int
	lastAuth    string // the mechanism of the last successful AUTH

	mu       sync.Mutex
	msgs     []Received // oldest first
	bytes    int        // len(Raw) summed over msgs
	total    int        // messages taken, ever
	sessions int
	failN    int
	failCode int
	reject   map[string]int
	notify   chan struct{} // closed and replaced when a message arrives
	closed   chan struct{}
	once     sync.Once
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves
// until Close.
func Start(addr string, opts ...Option) (*Sink, error) {
	s := &Sink{
		served: make(chan struct{}),
		keep:   DefaultKeep,
		reject: map[string]int{},
		notify: make(chan struct{}),
		closed: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if s.implicitTLS != nil {
		ln = tls.NewListener(ln, s.implicitTLS)
	}
	s.ln = ln
	s.srv = smtp.NewServer(backend{s})
	s.srv.TLSConfig = s.startTLS
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.MaxMessageBytes = MaxMessageBytes
	s.srv.MaxRecipients = 100
	// go-smtp logs a client that hangs up mid-session; for a sink that is
	// noise.
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the address the sink listens on, such as 127.0.0.1:41234.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Close stops the server and drops its connections; WaitFor returns
// ErrClosed. Messages stay readable.
func (s *Sink) Close() error {
	var err error
	s.once.Do(func() {
		close(s.closed)
		err = s.srv.Close()
		// go-smtp misses a listener that Serve has not registered yet.
		_ = s.ln.Close()
		<-s.served
	})
	return err
}

// FailNext makes the sink answer the next n messages with code, as the
// Option of that name; it replaces any failures still pending.
func (s *Sink) FailNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setFail(n, code)
}

func (s *Sink) setFail(n, code int) {
	checkCode(code)
	s.failN, s.failCode = n, code
}

func checkCode(code int) {
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("sink: failure code %d is not 4xx or 5xx", code))
	}
}

// Messages returns copies of the messages kept, oldest first.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copies()
}

func (s *Sink) copies() []Received {
	out := make([]Received, len(s.msgs))
	for i, r := range s.msgs {
		out[i] = r.clone()
	}
	return out
}

// WaitFor waits until at least n messages have arrived since Start (kept
// or already dropped) and returns copies of those kept, as Messages.
func (s *Sink) WaitFor(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		if s.total >= n {
			out := s.copies()
			s.mu.Unlock()
			return out, nil
		}
		ch := s.notify
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.closed:
			return nil, ErrClosed
		case <-ch:
		}
	}
}

// takeFailure says whether to fail the message now in DATA, and how.
func (s *Sink) takeFailure() *smtp.SMTPError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN <= 0 {
		return nil
	}
	s.failN--
	if s.failCode < 500 {
		return &smtp.SMTPError{Code: s.failCode, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Sink told to fail: try again later"}
	}
	return &smtp.SMTPError{Code: s.failCode, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sink told to fail: message refused"}
}

func (s *Sink) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	r.ID = s.total
	s.msgs = append(s.msgs, r)
	s.bytes += len(r.Raw)
	drop := 0
	for len(s.msgs)-drop > s.keep || (s.bytes > DefaultKeepBytes && len(s.msgs)-drop > 1) {
		s.bytes -= len(s.msgs[drop].Raw)
		s.msgs[drop] = Received{} // let the collector have it
		drop++
	}
	s.msgs = s.msgs[drop:]
	close(s.notify)
	s.notify = make(chan struct{})
}

func (s *Sink) newSession() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions++
	return s.sessions
}

func (s *Sink) rejected(rcpt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reject[strings.ToLower(rcpt)]
}

type backend struct{ s *Sink }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, id: b.s.newSession()}, nil
}

// session is one SMTP connection; go-smtp calls it from one goroutine.
type session struct {
	s      *Sink
	id     int
	authOK bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) AuthMechanisms() []string {
	if x.s.scram && x.s.requireAuth {
		return []string{ScramSHA256, sasl.Plain}
	}
	return []string{sasl.Plain}
}

// LastAuth is the SASL mechanism of the last successful AUTH, "" before
// any.
func (s *Sink) LastAuth() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAuth
}

func (x *session) authed(mech string) {
	x.authOK = true
	x.s.mu.Lock()
	x.s.lastAuth = mech
	x.s.mu.Unlock()
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	if mech == ScramSHA256 && x.s.scram && x.s.requireAuth {
		return &scramServer{user: x.s.user, pass: x.s.pass, ok: func() { x.authed(ScramSHA256) }}, nil
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		if x.s.requireAuth {
			u := subtle.ConstantTimeCompare([]byte(username), []byte(x.s.user))
			p := subtle.ConstantTimeCompare([]byte(password), []byte(x.s.pass))
			if u&p != 1 {
				return smtp.ErrAuthFailed
			}
		}
		x.authed(sasl.Plain)
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.requireAuth && !x.authOK {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if code := x.s.rejected(to); code != 0 {
		ec := smtp.EnhancedCode{5, 1, 1}
		if code < 500 {
			ec = smtp.EnhancedCode{4, 2, 1}
		}
		return &smtp.SMTPError{Code: code, EnhancedCode: ec, Message: "Sink told to reject <" + to + ">"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if f := x.s.takeFailure(); f != nil {
		return f
	}
	p := parse(raw)
	x.s.add(Received{
		Session: x.id,
		At:      time.Now().UTC(),
		From:    x.from,
		To:      slices.Clone(x.to),
		Subject: p.subject,
		Text:    p.text,
		HTML:    p.html,
		Header:  p.header,
		Raw:     raw,
	})
	return nil
}
