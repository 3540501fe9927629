// Package mail sends etuus's e-mail over SMTP. It never logs addresses or
// bodies: e-mail addresses are personal data.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is a plain-text e-mail.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Sender sends e-mail.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Config is an SMTP server and how to talk to it.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// TLS is "starttls" (required), "starttls-optional", "tls" (implicit,
	// usually port 465) or "none" (only for a local development server).
	TLS     string
	Timeout time.Duration
}

// ParseURL reads smtp://user:pass@host:587?from=etuus%40example.fi&tls=starttls
// or smtps://user:pass@host:465?from=…; from is required.
func ParseURL(s string) (Config, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Config{}, errors.New("mail: the SMTP URL does not parse")
	}
	c := Config{Host: u.Hostname(), TLS: "starttls", Timeout: 15 * time.Second}
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.TLS = 465, "tls"
	default:
		return Config{}, fmt.Errorf("mail: the SMTP URL must start smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	if c.Host == "" {
		return Config{}, errors.New("mail: the SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Config{}, fmt.Errorf("mail: bad port %q", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	c.From = q.Get("from")
	if c.From == "" || !strings.Contains(c.From, "@") {
		return Config{}, errors.New("mail: the SMTP URL needs from=address")
	}
	if t := q.Get("tls"); t != "" {
		switch t {
		case "starttls", "starttls-optional", "tls", "none":
			c.TLS = t
		default:
			return Config{}, fmt.Errorf("mail: tls must be starttls, starttls-optional, tls or none, not %q", t)
		}
	}
	return c, nil
}

// String describes the server without the password.
func (c Config) String() string {
	user := ""
	if c.Username != "" {
		user = c.Username + ":***@"
	}
	return fmt.Sprintf("smtp://%s%s (tls=%s)", user, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.TLS)
}

// SMTP sends through one SMTP server, a connection per message.
type SMTP struct {
	cfg Config
}

var _ Sender = (*SMTP)(nil)

// NewSMTP checks the configuration; it does not connect.
func NewSMTP(cfg Config) (*SMTP, error) {
	if _, err := cfg.client(); err != nil {
		return nil, err
	}
	return &SMTP{cfg: cfg}, nil
}

func (c Config) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(c.Timeout)}
	switch c.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "starttls-optional":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	return gomail.NewClient(c.Host, opts...)
}

// Send delivers one message. The error says whether trying again may help
// (IsTemporary).
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return permanent{fmt.Errorf("mail: bad recipient address")}
	}
	msg.Subject(m.Subject)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	c, err := s.cfg.client()
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// IsTemporary reports whether a send failed in a way that may pass on a
// later try: a 4xx answer, a refused or timed-out connection.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var p permanent
	if errors.As(err, &p) {
		return false
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			return false
		}
		return true
	}
	return true
}
