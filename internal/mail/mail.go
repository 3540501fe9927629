// Package mail sends etuus's e-mail notices over SMTP, and never logs or
// puts into an error an address or a message body.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Message is one e-mail to one recipient: UTF-8 plain text, optionally
// with an HTML alternative.
type Message struct {
	To      string
	Subject string
	Text    string
	// HTML, when set, is sent as an alternative to Text.
	HTML string
	// Headers are extra header fields, such as List-Id or an
	// Auto-Submitted other than the default auto-generated. Address,
	// date, identity and MIME fields cannot be set here.
	Headers map[string]string
	// MessageID, with or without the angle brackets, is generated when
	// empty. A caller that may send the same notice twice (an outbox
	// retrying after a lost answer) keeps one ID for every try, so that
	// mail software can recognise the duplicate.
	MessageID string
}

// Sender sends e-mail. Its errors answer IsTemporary.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends through one SMTP server. It is safe for concurrent use; each
// Send opens its own connection.
type SMTP struct {
	cfg       Config
	from      *mail.Address
	idDomain  string
	tlsConfig *tls.Config
	opts      []gomail.Option
	now       func() time.Time

	health health
}

// health is the outcome of the latest connection: whether the server
// could be reached and took the TLS and AUTH, since when.
type health struct {
	mu     sync.Mutex
	known  bool
	ok     bool
	since  time.Time
	reason string
}

// Health reports the latest connection's outcome: known is false before
// the first; ok whether connecting, TLS and AUTH succeeded; since when that
// has been so; reason the failure (a mail.Error's text, free of addresses
// and passwords).
func (s *SMTP) Health() (known, ok bool, since time.Time, reason string) {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	h := &s.health
	return h.known, h.ok, h.since, h.reason
}

func (s *SMTP) noteConnect(err error) {
	if errors.Is(err, context.Canceled) {
		return // stopping says nothing about the server
	}
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	ok := err == nil
	if !h.known || h.ok != ok {
		h.since = s.now()
	}
	h.known, h.ok, h.reason = true, ok, ""
	if err != nil {
		h.reason = err.Error()
	}
}

var _ Sender = (*SMTP)(nil)

// NewSMTP checks the configuration; it does not connect.
func NewSMTP(cfg Config) (*SMTP, error) {
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	from, err := parseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	s := &SMTP{cfg: cfg, from: from, now: time.Now}
	s.idDomain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	if cfg.MessageIDDomain != "" {
		s.idDomain = cfg.MessageIDDomain
	}
	if validMessageID("x@"+s.idDomain) != nil {
		s.idDomain = "etuus.invalid"
	}
	s.tlsConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w %s: %v", ErrBadCA, cfg.CAFile, errors.Unwrap(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w %s: no PEM certificate in it", ErrBadCA, cfg.CAFile)
		}
		s.tlsConfig.RootCAs = pool
	}
	helo, err := os.Hostname()
	if err != nil || helo == "" || strings.ContainsAny(helo, " \r\n") {
		helo = "localhost"
	}
	s.opts = []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithHELO(helo),
		gomail.WithTLSConfig(s.tlsConfig),
		gomail.WithDialContextFunc(s.dial),
		// A fresh connection needs no NOOP to prove it is alive, and a
		// finished DATA already ends the transaction: both would only add
		// a round trip per message.
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	switch cfg.TLS {
	case TLSStartTLS:
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSStartTLSOptional:
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSImplicit, TLSNone:
		// dial does implicit TLS itself (go-mail would skip it with our
		// dialer), so go-mail must not try STARTTLS on top.
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.Username != "" {
		// go-mail's PLAIN and LOGIN refuse to send the password over an
		// unencrypted connection except to localhost.
		auth := gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin)
		if cfg.Auth != "" && cfg.Auth != "auto" {
			auth = gomail.WithSMTPAuth(gomail.SMTPAuthType(strings.ToUpper(cfg.Auth)))
		}
		s.opts = append(s.opts, auth, gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	if _, err := gomail.NewClient(cfg.Host, s.opts...); err != nil {
		return nil, err
	}
	return s, nil
}

// Check connects, greets, upgrades to TLS and authenticates as a send
// would, and hangs up: a wrong password, an untrusted certificate or a
// server that refuses the mechanism shows at start-up instead of as
// notices that never leave.
func (s *SMTP) Check(ctx context.Context) error {
	se, err := s.open(ctx)
	if err != nil {
		return err
	}
	se.close()
	return nil
}

// Config is the configuration in use, defaults filled in.
func (s *SMTP) Config() Config { return s.cfg }

// Send delivers one message on a connection of its own. A nil error means
// the server took the message; otherwise the error is an *Error.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	se, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer se.close()
	return se.send(ctx, msg)
}

// SendBatch delivers messages over one connection, opening another only
// when one breaks. The errors are in the order of the messages, nil for a
// message the server took. When the server cannot be reached, every
// message not yet sent gets that error.
func (s *SMTP) SendBatch(ctx context.Context, ms []Message) []error {
	errs := make([]error, len(ms))
	s.SendEach(ctx, ms, func(i int, err error) bool { errs[i] = err; return true })
	return errs
}

// SendEach is SendBatch that reports each message as soon as its fate is
// known: done(i, nil) right after the server took ms[i], so that a caller
// can record it before the next message is offered. done is called in
// order from the calling goroutine, once for every message until it
// returns false: then SendEach offers no more and returns, and the
// messages after i are left unreported (and unsent).
func (s *SMTP) SendEach(ctx context.Context, ms []Message, done func(i int, err error) bool) {
	var se *session
	defer func() {
		if se != nil {
			se.close()
		}
	}()
	for i, m := range ms {
		msg, err := s.build(m)
		if err != nil {
			if !done(i, err) {
				return
			}
			continue
		}
		if se == nil {
			if se, err = s.open(ctx); err != nil {
				// The server cannot be reached: every message left gets
				// that error, except those that could never be sent.
				if !done(i, err) {
					return
				}
				for j := i + 1; j < len(ms); j++ {
					e := err
					if _, berr := s.build(ms[j]); berr != nil {
						e = berr
					}
					if !done(j, e) {
						return
					}
				}
				return
			}
		}
		err = se.send(ctx, msg)
		if err != nil {
			if e := err.(*Error); e.Code == 0 || e.Code == 421 {
				// No answer, or 421 "closing the connection": this
				// connection is of no further use.
				se.close()
				se = nil
			}
		}
		if !done(i, err) {
			return
		}
	}
}

// build turns m into a go-mail message, or says why it cannot be sent.
func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil || strings.ContainsAny(m.To, "\r\n") {
		// The parser's error quotes the address.
		return nil, invalid("the recipient address does not parse")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, invalid("the subject has a line break")
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, invalid("the text is empty")
	}
	id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
	if id == "" {
		id = rand.Text() + "@" + s.idDomain
	} else if err := validMessageID(id); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.now())
	msg.SetMessageIDWithValue(id)
	// RFC 3834: no out-of-office replies to notices.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	for k, v := range m.Headers {
		ck, err := headerName(k)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, invalid("header %s has a line break", ck)
		}
		msg.SetGenHeader(gomail.Header(ck), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// reserved are the header fields Send writes itself.
var reserved = map[string]bool{
	"From": true, "Sender": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true,
	"Subject": true, "Date": true, "Message-Id": true, "Return-Path": true, "Received": true,
	"Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
}

func headerName(k string) (string, error) {
	if k == "" || len(k) > 76 {
		return "", invalid("a header name is empty or too long")
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c > '~' || c == ':' {
			return "", invalid("header name %q has a character a header name cannot have", clip(k))
		}
	}
	ck := textproto.CanonicalMIMEHeaderKey(k)
	if reserved[ck] {
		return "", invalid("header %s is set by the mail package", ck)
	}
	return ck, nil
}

// validMessageID accepts a dot-atom-ish id-left@id-right (RFC 5322 3.6.4)
// without the angle brackets.
func validMessageID(id string) error {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") || len(id) > 250 {
		return invalid("the Message-ID is not of the form left-part at right-part")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c > '~' || strings.IndexByte(`<>()[]\,;:"`, c) >= 0 {
			return invalid("the Message-ID has a character it cannot have")
		}
	}
	return nil
}

// session is one open SMTP connection.
type session struct {
	c  *gomail.Client
	sc *gosmtp.Client
	w  *watch
}

func (s *SMTP) open(ctx context.Context) (*session, error) {
	if err := ctx.Err(); err != nil {
		return nil, connectError(ctx, err)
	}
	// A client per session: go-mail's Client keeps per-connection state
	// (its chosen AUTH mechanism), so sessions must not share one.
	c, err := gomail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return nil, connectError(ctx, err)
	}
	w := &watch{ctx: ctx}
	sc, err := c.DialToSMTPClientWithContext(context.WithValue(ctx, watchKey{}, w))
	if err != nil {
		w.close() // go-mail leaves the connection open after some failures
		err = connectError(ctx, err)
		s.noteConnect(err)
		return nil, err
	}
	s.noteConnect(nil)
	return &session{c: c, sc: sc, w: w}, nil
}

func (se *session) send(ctx context.Context, msg *gomail.Msg) error {
	err := se.c.SendWithSMTPClient(se.sc, msg)
	if err == nil || msg.IsDelivered() {
		return nil
	}
	return sendError(ctx, err)
}

func (se *session) close() {
	// The messages are sent or not by now; a failed QUIT changes nothing.
	_ = se.c.CloseWithSMTPClient(se.sc)
	se.w.close()
}

// go-mail honours the context only while dialling. dial therefore wraps
// the connection so that cancelling the caller's context ends any read or
// write at once, for the whole session.

type watchKey struct{}

// watch ties one connection to the context of the Send that opened it.
type watch struct {
	ctx  context.Context
	raw  net.Conn
	stop func() bool
}

func (w *watch) close() {
	if w.stop != nil {
		w.stop()
	}
	if w.raw != nil {
		_ = w.raw.Close()
	}
}

// dial is go-mail's DialContextFunc. dctx is go-mail's own context, which
// ends when dialling does; the watch it carries has the caller's.
func (s *SMTP) dial(dctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	raw, err := d.DialContext(dctx, network, addr)
	if err != nil {
		return nil, err
	}
	conn := raw
	if w, ok := dctx.Value(watchKey{}).(*watch); ok {
		w.raw = raw
		// A deadline in the past unblocks a read or write in progress;
		// ctxConn refuses the ones after it, whatever deadline go-mail
		// sets next.
		w.stop = context.AfterFunc(w.ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
		conn = &ctxConn{Conn: raw, ctx: w.ctx}
	}
	if s.cfg.TLS == TLSImplicit {
		// A *tls.Conn on top, so that go-mail sees the session is
		// encrypted and lets PLAIN authentication through.
		tc := tls.Client(conn, s.tlsConfig)
		if err := tc.HandshakeContext(dctx); err != nil {
			_ = raw.Close()
			return nil, err
		}
		conn = tc
	}
	return conn, nil
}

type ctxConn struct {
	net.Conn
	ctx context.Context
}

func (c *ctxConn) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *ctxConn) Write(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}
