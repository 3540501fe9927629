package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/mail"
	"github.com/etuus/etuus/internal/mail/sink"
)

func start(t testing.TB) (*sink.Sink, *mail.SMTP) {
	t.Helper()
	s, err := sink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg, err := mail.ParseURL("smtp://" + s.Addr() + "?tls=none&from=etuus%40example.fi")
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, m
}

func TestSendOverSMTP(t *testing.T) {
	s, m := start(t)
	ctx := context.Background()
	err := m.Send(ctx, mail.Message{To: "kati@example.ee", Subject: "Suojatun viestin linkki – åäö", Text: "Hei,\n\nlinkki: https://etuus.example/x\n"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.WaitFor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := got[0]
	if r.Subject != "Suojatun viestin linkki – åäö" || len(r.To) != 1 || r.To[0] != "kati@example.ee" || r.From != "etuus@example.fi" {
		t.Errorf("received %+v", r)
	}
	if !strings.Contains(r.Text, "linkki: https://etuus.example/x") {
		t.Errorf("text = %q", r.Text)
	}
	if r.Header.Get("Auto-Submitted") != "auto-generated" || r.Header.Get("Message-Id") == "" {
		t.Errorf("headers = %v", r.Header)
	}
}

func TestTemporaryAndPermanentFailures(t *testing.T) {
	s, m := start(t)
	ctx := context.Background()
	s.FailNext(1)
	err := m.Send(ctx, mail.Message{To: "a@example.fi", Subject: "s", Text: "t"})
	if err == nil || !mail.IsTemporary(err) {
		t.Errorf("451: err = %v, temporary = %v", err, mail.IsTemporary(err))
	}
	if err := m.Send(ctx, mail.Message{To: "a@example.fi", Subject: "s", Text: "t"}); err != nil {
		t.Errorf("after the failure: %v", err)
	}
	if err := m.Send(ctx, mail.Message{To: "not an address", Subject: "s", Text: "t"}); err == nil || mail.IsTemporary(err) {
		t.Errorf("bad address: err = %v, temporary = %v", err, mail.IsTemporary(err))
	}
	s.Close()
	cfg, _ := mail.ParseURL("smtp://" + s.Addr() + "?tls=none&from=etuus%40example.fi")
	cfg.Timeout = 2 * time.Second
	down, _ := mail.NewSMTP(cfg)
	if err := down.Send(ctx, mail.Message{To: "a@example.fi", Subject: "s", Text: "t"}); err == nil || !mail.IsTemporary(err) {
		t.Errorf("server down: err = %v", err)
	}
}

func TestConcurrentSends(t *testing.T) {
	s, m := start(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if err := m.Send(ctx, mail.Message{To: "a@example.fi", Subject: fmt.Sprintf("%d-%d", g, i), Text: "t"}); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	got := s.Messages()
	seen := map[string]bool{}
	for _, r := range got {
		seen[r.Subject] = true
	}
	if len(got) != 200 || len(seen) != 200 {
		t.Errorf("received %d messages, %d distinct; want 200", len(got), len(seen))
	}
}

func TestParseURL(t *testing.T) {
	good := []struct {
		in   string
		host string
		port int
		tls  string
		user string
	}{
		{"smtp://mail.example.fi?from=etuus%40example.fi", "mail.example.fi", 587, "starttls", ""},
		{"smtps://u:p@mail.example.fi?from=e@example.fi", "mail.example.fi", 465, "tls", "u"},
		{"smtp://127.0.0.1:2525?tls=none&from=e@localhost", "127.0.0.1", 2525, "none", ""},
	}
	for _, g := range good {
		c, err := mail.ParseURL(g.in)
		if err != nil || c.Host != g.host || c.Port != g.port || c.TLS != g.tls || c.Username != g.user {
			t.Errorf("ParseURL(%q) = %+v, %v", g.in, c, err)
		}
		if strings.Contains(c.String(), "p@") && c.Password != "" {
			t.Errorf("String shows the password: %s", c)
		}
	}
	for _, bad := range []string{"", "http://x?from=a@b", "smtp://?from=a@b", "smtp://h", "smtp://h:99999?from=a@b", "smtp://h?from=a@b&tls=maybe", "::"} {
		if _, err := mail.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	f.Add("smtp://u:p@h:25?from=a@b&tls=none")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := mail.ParseURL(s)
		if err == nil && (c.Host == "" || c.Port < 1 || c.From == "") {
			t.Fatalf("accepted %q as %+v", s, c)
		}
	})
}
