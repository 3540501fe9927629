package mail

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TLS modes of Config.TLS.
const (
	// TLSStartTLS upgrades a plain connection with STARTTLS and refuses a
	// server that does not offer it (the default for smtp://).
	TLSStartTLS = "starttls"
	// TLSStartTLSOptional uses STARTTLS when the server offers it.
	TLSStartTLSOptional = "starttls-optional"
	// TLSImplicit speaks TLS from the first byte, usually on port 465 (the
	// default for smtps://).
	TLSImplicit = "tls"
	// TLSNone never encrypts: only for a local development server.
	TLSNone = "none"
)

// DefaultTimeout bounds connecting and each SMTP command when
// Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// Errors of ParseURL and NewSMTP; test with errors.Is. Their text never
// repeats the password.
var (
	ErrBadURL    = errors.New("mail: bad SMTP URL")
	ErrBadScheme = errors.New("mail: the SMTP URL must start smtp:// or smtps://")
	ErrNoHost    = errors.New("mail: the SMTP URL has no host")
	ErrBadHost   = errors.New("mail: bad SMTP host")
	ErrBadPort   = errors.New("mail: bad SMTP port")
	ErrNoFrom    = errors.New("mail: the SMTP configuration needs from=address")
	ErrBadFrom   = errors.New("mail: the from address does not parse")
	ErrBadTLS    = errors.New("mail: tls must be starttls, starttls-optional, tls or none")
	ErrBadParam  = errors.New("mail: bad SMTP URL parameter")
	ErrBadAuth   = errors.New("mail: auth must be auto, scram-sha-256, scram-sha-1, plain, login or cram-md5")
	ErrBadCA     = errors.New("mail: ca-file")
)

// AuthMechanisms are the values of Config.Auth besides "auto" (and "",
// which means auto): the SASL mechanisms go-mail speaks.
var AuthMechanisms = []string{"scram-sha-256", "scram-sha-1", "plain", "login", "cram-md5"}

// Config is an SMTP server and how to talk to it. Print it with String or
// Redacted: both hide the password.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the sender, "etuus@example.fi" or "Etuus <etuus@example.fi>".
	From string
	// TLS is one of TLSStartTLS (also when empty), TLSStartTLSOptional,
	// TLSImplicit or TLSNone.
	TLS string
	// Timeout bounds connecting and each SMTP command; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// InsecureSkipVerify accepts any server certificate: only for a test
	// server with a self-signed certificate.
	InsecureSkipVerify bool
	// Auth is the SASL mechanism: "auto" (also when empty) takes the
	// strongest the server offers of SCRAM-SHA-256, SCRAM-SHA-1, PLAIN and
	// LOGIN; any of AuthMechanisms insists on that one.
	Auth string
	// CAFile is a PEM file of the certificate authorities to trust for
	// the server's certificate, instead of the system's: an
	// organisation's own CA.
	CAFile string
	// MessageIDDomain is the right-hand side of generated Message-IDs;
	// empty means the domain of From.
	MessageIDDomain string
}

// ParseURL reads an SMTP URL:
//
//	smtp://user:pass@mail.example.fi:587?from=etuus%40example.fi&tls=starttls
//	smtps://user:pass@mail.example.fi:465?from=etuus%40example.fi
//	smtp://127.0.0.1:2525?tls=none&from=etuus%40localhost
//
// from is required. Other parameters: tls (starttls, the default for smtp;
// starttls-optional; tls, the default for smtps; none), auth (auto, the
// default, or one of AuthMechanisms), timeout (a Go duration such as 10s),
// ca-file (a PEM file of CAs to trust), message-id-domain and
// insecure-skip-verify (true or false). The default port is 587 for smtp
// and 465 for smtps.
func ParseURL(s string) (Config, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Error repeats the whole URL, password and all.
		return Config{}, ErrBadURL
	}
	var c Config
	switch u.Scheme {
	case "smtp":
		c.Port, c.TLS = 587, TLSStartTLS
	case "smtps":
		c.Port, c.TLS = 465, TLSImplicit
	case "":
		return Config{}, ErrBadScheme
	default:
		return Config{}, fmt.Errorf("%w, not %q", ErrBadScheme, clip(u.Scheme)+"://")
	}
	if u.Opaque != "" {
		return Config{}, fmt.Errorf("%w: write %s://host", ErrBadURL, u.Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return Config{}, fmt.Errorf("%w: an SMTP URL has no path", ErrBadURL)
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return Config{}, fmt.Errorf("%w: an SMTP URL has no #fragment", ErrBadURL)
	}
	c.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Config{}, fmt.Errorf("%w %q", ErrBadPort, clip(p))
		}
		c.Port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return Config{}, fmt.Errorf("%w: empty port", ErrBadPort)
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("%w: the query does not parse", ErrBadURL)
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return Config{}, fmt.Errorf("%w: %q given %d times", ErrBadParam, clip(k), len(vs))
		}
		v := vs[0]
		switch k {
		case "from":
			c.From = v
		case "tls":
			if !validTLS(v) {
				return Config{}, fmt.Errorf("%w, not %q", ErrBadTLS, clip(v))
			}
			if u.Scheme == "smtps" && v != TLSImplicit {
				return Config{}, fmt.Errorf("%w: smtps:// is always tls, not %q", ErrBadTLS, v)
			}
			c.TLS = v
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return Config{}, fmt.Errorf("%w: timeout %q is not a positive duration such as 10s", ErrBadParam, clip(v))
			}
			c.Timeout = d
		case "auth":
			if !validAuth(v) {
				return Config{}, fmt.Errorf("%w, not %q", ErrBadAuth, clip(v))
			}
			c.Auth = v
		case "ca-file":
			if v == "" {
				return Config{}, fmt.Errorf("%w: empty", ErrBadCA)
			}
			c.CAFile = v
		case "message-id-domain":
			c.MessageIDDomain = v
		case "insecure-skip-verify":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return Config{}, fmt.Errorf("%w: insecure-skip-verify must be true or false", ErrBadParam)
			}
			c.InsecureSkipVerify = b
		default:
			return Config{}, fmt.Errorf("%w %q: known are from, tls, auth, timeout, ca-file, message-id-domain and insecure-skip-verify", ErrBadParam, clip(k))
		}
	}
	if err := c.check(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// check validates a Config, from ParseURL or built by hand.
func (c Config) check() error {
	if c.Host == "" {
		return ErrNoHost
	}
	if !validHost(c.Host) {
		return fmt.Errorf("%w %q", ErrBadHost, clip(c.Host))
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("%w %d", ErrBadPort, c.Port)
	}
	if c.TLS != "" && !validTLS(c.TLS) {
		return fmt.Errorf("%w, not %q", ErrBadTLS, clip(c.TLS))
	}
	if c.Password != "" && c.Username == "" {
		return fmt.Errorf("%w: a password without a user name", ErrBadURL)
	}
	if c.Auth != "" && !validAuth(c.Auth) {
		return fmt.Errorf("%w, not %q", ErrBadAuth, clip(c.Auth))
	}
	if c.Auth != "" && c.Auth != "auto" && c.Username == "" {
		return fmt.Errorf("%w: auth=%s needs a user name in the URL (smtp://user:password@host)", ErrBadAuth, c.Auth)
	}
	if c.MessageIDDomain != "" && (validMessageID("x@"+c.MessageIDDomain) != nil || !validHost(c.MessageIDDomain)) {
		return fmt.Errorf("%w: message-id-domain %q is not a domain", ErrBadParam, clip(c.MessageIDDomain))
	}
	if c.Timeout < 0 {
		return fmt.Errorf("%w: negative timeout", ErrBadParam)
	}
	if c.From == "" {
		return ErrNoFrom
	}
	if _, err := parseFrom(c.From); err != nil {
		return err
	}
	return nil
}

func parseFrom(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || strings.ContainsAny(s, "\r\n") {
		return nil, ErrBadFrom
	}
	return a, nil
}

func validAuth(s string) bool {
	return s == "auto" || slices.Contains(AuthMechanisms, s)
}

func validTLS(s string) bool {
	switch s {
	case TLSStartTLS, TLSStartTLSOptional, TLSImplicit, TLSNone:
		return true
	}
	return false
}

// validHost accepts an IP address or an ASCII host name; a host name
// with other characters is more likely a typo than an IDN.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// clip keeps a quoted bad value short in an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Redacted gives the configuration as an SMTP URL whose password is
// replaced by xxxxx; ParseURL reads it back.
func (c Config) Redacted() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	tlsMode := c.TLS
	if tlsMode == "" {
		tlsMode = TLSStartTLS
	}
	if tlsMode == TLSImplicit {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.User(c.Username)
		if c.Password != "" {
			u.User = url.UserPassword(c.Username, "xxxxx")
		}
	}
	q := url.Values{"from": {c.From}}
	if u.Scheme == "smtp" {
		q.Set("tls", tlsMode)
	}
	if c.Timeout != 0 {
		q.Set("timeout", c.Timeout.String())
	}
	if c.InsecureSkipVerify {
		q.Set("insecure-skip-verify", "true")
	}
	if c.Auth != "" {
		q.Set("auth", c.Auth)
	}
	if c.CAFile != "" {
		q.Set("ca-file", c.CAFile)
	}
	if c.MessageIDDomain != "" {
		q.Set("message-id-domain", c.MessageIDDomain)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// String is Redacted, so that logging a Config never shows the password.
func (c Config) String() string { return c.Redacted() }

// GoString keeps %#v from printing the password too.
func (c Config) GoString() string { return "mail.Config(" + c.Redacted() + ")" }
