package mail_test

import (
	"errors"
	"net/mail"
	"testing"
	"time"

	etuusmail "github.com/etuus/etuus/internal/mail"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want etuusmail.Config
	}{
		{"smtp://mail.example.fi?from=etuus%40example.fi",
			etuusmail.Config{Host: "mail.example.fi", Port: 587, TLS: "starttls", From: "etuus@example.fi"}},
		{"smtp://user:pass@mail.example.fi:587?from=etuus%40example.fi&tls=starttls",
			etuusmail.Config{Host: "mail.example.fi", Port: 587, Username: "user", Password: "pass", TLS: "starttls", From: "etuus@example.fi"}},
		{"smtps://u:p@mail.example.fi?from=e@example.fi",
			etuusmail.Config{Host: "mail.example.fi", Port: 465, Username: "u", Password: "p", TLS: "tls", From: "e@example.fi"}},
		{"SMTPS://mail.example.fi:2465/?from=e@example.fi&tls=tls",
			etuusmail.Config{Host: "mail.example.fi", Port: 2465, TLS: "tls", From: "e@example.fi"}},
		{"smtp://127.0.0.1:2525?tls=none&from=e@localhost",
			etuusmail.Config{Host: "127.0.0.1", Port: 2525, TLS: "none", From: "e@localhost"}},
		{"smtp://[::1]:25?tls=starttls-optional&from=e@localhost&timeout=3s&insecure-skip-verify=true",
			etuusmail.Config{Host: "::1", Port: 25, TLS: "starttls-optional", From: "e@localhost", Timeout: 3 * time.Second, InsecureSkipVerify: true}},
		{"smtp://relay.example.fi:25?tls=tls&from=" + "Etuus%20%3Cetuus%40example.fi%3E",
			etuusmail.Config{Host: "relay.example.fi", Port: 25, TLS: "tls", From: "Etuus <etuus@example.fi>"}},
		{"smtp://apikey@smtp.example.com?from=e@example.fi",
			etuusmail.Config{Host: "smtp.example.com", Port: 587, Username: "apikey", TLS: "starttls", From: "e@example.fi"}},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := etuusmail.ParseURL(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got  %#v\nwant %#v", got, c.want)
			}
			if _, err := etuusmail.NewSMTP(got); err != nil {
				t.Errorf("NewSMTP: %v", err)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, c := range []struct {
		in   string
		want error
	}{
		{"", etuusmail.ErrBadScheme},
		{"mail.example.fi:587", etuusmail.ErrBadScheme},
		{"http://mail.example.fi?from=e@example.fi", etuusmail.ErrBadScheme},
		{"smtp:mail.example.fi?from=e@example.fi", etuusmail.ErrBadURL},
		{"::", etuusmail.ErrBadURL},
		{"smtp://u:p w@h st?from=e@example.fi", etuusmail.ErrBadURL},
		{"smtp://mail.example.fi/inbox?from=e@example.fi", etuusmail.ErrBadURL},
		{"smtp://mail.example.fi?from=e@example.fi#x", etuusmail.ErrBadURL},
		{"smtp://:secret@mail.example.fi?from=e@example.fi", etuusmail.ErrBadURL},
		{"smtp://mail.example.fi?from=e@example.fi;tls=none", etuusmail.ErrBadURL},
		{"smtp://?from=e@example.fi", etuusmail.ErrNoHost},
		{"smtp://u:p@:25?from=e@example.fi", etuusmail.ErrNoHost},
		{"smtp://mäil.example.fi?from=e@example.fi", etuusmail.ErrBadHost},
		{"smtp://mail.example.fi:0?from=e@example.fi", etuusmail.ErrBadPort},
		{"smtp://mail.example.fi:99999?from=e@example.fi", etuusmail.ErrBadPort},
		{"smtp://mail.example.fi:?from=e@example.fi", etuusmail.ErrBadPort},
		{"smtp://mail.example.fi", etuusmail.ErrNoFrom},
		{"smtp://mail.example.fi?from=", etuusmail.ErrNoFrom},
		{"smtp://mail.example.fi?from=etuus", etuusmail.ErrBadFrom},
		{"smtp://mail.example.fi?from=a@b,c@d", etuusmail.ErrBadFrom},
		{"smtp://mail.example.fi?from=e@example.fi&tls=maybe", etuusmail.ErrBadTLS},
		{"smtp://mail.example.fi?from=e@example.fi&tls=STARTTLS", etuusmail.ErrBadTLS},
		{"smtps://mail.example.fi?from=e@example.fi&tls=none", etuusmail.ErrBadTLS},
		{"smtp://mail.example.fi?from=e@example.fi&tsl=none", etuusmail.ErrBadParam},
		{"smtp://mail.example.fi?from=e@example.fi&from=f@example.fi", etuusmail.ErrBadParam},
		{"smtp://mail.example.fi?from=e@example.fi&timeout=10", etuusmail.ErrBadParam},
		{"smtp://mail.example.fi?from=e@example.fi&timeout=-1s", etuusmail.ErrBadParam},
		{"smtp://mail.example.fi?from=e@example.fi&insecure-skip-verify=ok", etuusmail.ErrBadParam},
	} {
		t.Run(c.in, func(t *testing.T) {
			_, err := etuusmail.ParseURL(c.in)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestNewSMTPChecksAHandMadeConfig(t *testing.T) {
	ok := etuusmail.Config{Host: "mail.example.fi", Port: 587, From: "e@example.fi"}
	for _, c := range []struct {
		name   string
		change func(*etuusmail.Config)
		want   error
	}{
		{"no host", func(c *etuusmail.Config) { c.Host = "" }, etuusmail.ErrNoHost},
		{"no port", func(c *etuusmail.Config) { c.Port = 0 }, etuusmail.ErrBadPort},
		{"no from", func(c *etuusmail.Config) { c.From = "" }, etuusmail.ErrNoFrom},
		{"bad from", func(c *etuusmail.Config) { c.From = "e@example.fi\r\nBcc: x@example.com" }, etuusmail.ErrBadFrom},
		{"bad tls", func(c *etuusmail.Config) { c.TLS = "ssl" }, etuusmail.ErrBadTLS},
		{"negative timeout", func(c *etuusmail.Config) { c.Timeout = -time.Second }, etuusmail.ErrBadParam},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.change(&cfg)
			if _, err := etuusmail.NewSMTP(cfg); !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}
	s, err := etuusmail.NewSMTP(ok)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Config(); got.TLS != "starttls" || got.Timeout != etuusmail.DefaultTimeout {
		t.Errorf("defaults: %v", got)
	}
}

// FuzzParseURL: ParseURL never panics; what it accepts is a usable
// configuration, whose Redacted form reads back the same but for the
// password.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"smtp://u:p@h:25?from=a@b&tls=none",
		"smtps://user:pa%40ss@mail.example.fi:465?from=etuus%40example.fi&timeout=10s",
		"smtp://[::1]:2525?from=Etuus%20%3Ce%40localhost%3E&tls=starttls-optional&insecure-skip-verify=1",
		"smtp://h?from=a@b&from=c@d",
		"smtp://%zz",
		"smtp://h:65536?from=a@b",
		"smtp://u:p@h?from=a@b&auth=scram-sha-256&ca-file=%2Fetc%2Fca.pem&message-id-domain=x.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := etuusmail.ParseURL(s)
		if err != nil {
			return
		}
		if c.Host == "" || c.Port < 1 || c.Port > 65535 || c.Timeout < 0 {
			t.Fatalf("accepted %q as %#v", s, c)
		}
		if _, err := mail.ParseAddress(c.From); err != nil {
			t.Fatalf("accepted %q with from %q", s, c.From)
		}
		// NewSMTP reads ca-file, which a fuzzed name does not name.
		if _, err := etuusmail.NewSMTP(c); err != nil && c.CAFile == "" {
			t.Fatalf("ParseURL accepted %q, NewSMTP refused: %v", s, err)
		}
		back, err := etuusmail.ParseURL(c.Redacted())
		if err != nil {
			t.Fatalf("Redacted %q does not parse: %v", c.Redacted(), err)
		}
		if c.Password != "" {
			if back.Password != "xxxxx" {
				t.Fatalf("Redacted %q keeps password %q", c.Redacted(), back.Password)
			}
			back.Password = c.Password
		}
		if back != c {
			t.Fatalf("round trip of %q:\n got %#v\nwant %#v", s, back, c)
		}
	})
}
