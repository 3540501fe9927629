package mail_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/mail"
	"github.com/etuus/etuus/internal/mail/sink"
)

// start runs a sink and a sender pointed at it.
func start(t testing.TB, opts ...sink.Option) (*sink.Sink, *mail.SMTP) {
	t.Helper()
	s, err := sink.Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, sender(t, "smtp://"+s.Addr()+"?tls=none&from=etuus%40example.fi")
}

func sender(t testing.TB, rawURL string) *mail.SMTP {
	t.Helper()
	cfg, err := mail.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func waitOne(t *testing.T, s *sink.Sink) sink.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := s.WaitFor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	return got[len(got)-1]
}

func TestSendArrives(t *testing.T) {
	s, m := start(t)
	const subject = "Päätös on valmis – äöå ÄÖÅ"
	text := "Hei,\n\nsinulle on uusi viesti asiointipalvelussa: https://etuus.example/viestit\n\nÄlä vastaa tähän viestiin. Ystävällisin terveisin, Kela-åäö\n" +
		strings.Repeat("pitkä rivi ", 20) + "\n"
	err := m.Send(context.Background(), mail.Message{To: "kati@example.ee", Subject: subject, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	r := waitOne(t, s)
	if r.From != "etuus@example.fi" || len(r.To) != 1 || r.To[0] != "kati@example.ee" {
		t.Errorf("envelope %s → %v", r.From, r.To)
	}
	if r.Subject != subject {
		t.Errorf("subject %q, want %q", r.Subject, subject)
	}
	if r.Text != text {
		t.Errorf("text\n%q, want\n%q", r.Text, text)
	}
	if r.HTML != "" {
		t.Errorf("an HTML part nobody asked for: %q", r.HTML)
	}
	h := r.Header
	if got := h.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted: %q", got)
	}
	if got := h.Get("Message-Id"); !strings.HasPrefix(got, "<") || !strings.HasSuffix(got, "@example.fi>") {
		t.Errorf("Message-Id: %q", got)
	}
	if d, err := h.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date: %q (%v)", h.Get("Date"), err)
	}
	if ct := h.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
		t.Errorf("Content-Type: %q", ct)
	}
	if from := h.Get("From"); !strings.Contains(from, "etuus@example.fi") {
		t.Errorf("From: %q", from)
	}
}

func TestSendHTMLHeadersAndMessageID(t *testing.T) {
	s, m := start(t)
	err := m.Send(context.Background(), mail.Message{
		To: "matti@example.fi", Subject: "Muistutus", Text: "Eräpäivä lähestyy.\n",
		HTML:      "<p>Eräpäivä lähestyy.</p>",
		Headers:   map[string]string{"x-etuus-notice": "reminder", "Auto-Submitted": "auto-replied"},
		MessageID: "<notice-42@etuus.example>",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := waitOne(t, s)
	if r.Text != "Eräpäivä lähestyy.\n" || r.HTML != "<p>Eräpäivä lähestyy.</p>" {
		t.Errorf("text %q, html %q", r.Text, r.HTML)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type: %q", ct)
	}
	for k, want := range map[string]string{"X-Etuus-Notice": "reminder", "Auto-Submitted": "auto-replied", "Message-Id": "<notice-42@etuus.example>"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

func TestRefusesBadMessage(t *testing.T) {
	s, m := start(t)
	ok := mail.Message{To: "kati@example.ee", Subject: "s", Text: "t"}
	for name, change := range map[string]func(*mail.Message){
		"no address":           func(m *mail.Message) { m.To = "" },
		"not an address":       func(m *mail.Message) { m.To = "kati.example.ee" },
		"two addresses":        func(m *mail.Message) { m.To = "kati@example.ee, matti@example.fi" },
		"line break in to":     func(m *mail.Message) { m.To = "kati@example.ee\r\nBcc: x@example.com" },
		"line break in subj":   func(m *mail.Message) { m.Subject = "s\r\nBcc: x@example.com" },
		"empty text":           func(m *mail.Message) { m.Text = " \n" },
		"colon in header name": func(m *mail.Message) { m.Headers = map[string]string{"X-A: b\r\nBcc": "x@example.com"} },
		"reserved header":      func(m *mail.Message) { m.Headers = map[string]string{"bcc": "x@example.com"} },
		"line break in header": func(m *mail.Message) { m.Headers = map[string]string{"X-A": "b\nBcc: x@example.com"} },
		"message id no @":      func(m *mail.Message) { m.MessageID = "notice-42" },
		"message id space":     func(m *mail.Message) { m.MessageID = "a b@example.fi" },
	} {
		t.Run(name, func(t *testing.T) {
			msg := ok
			change(&msg)
			err := m.Send(context.Background(), msg)
			var e *mail.Error
			if !errors.As(err, &e) || e.Op != mail.OpMessage || mail.IsTemporary(err) {
				t.Fatalf("err = %v, want a permanent message error", err)
			}
			if strings.Contains(err.Error(), "@") {
				t.Errorf("the error shows an address: %v", err)
			}
		})
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("the sink got %d messages", n)
	}
}

func TestAuth(t *testing.T) {
	s, err := sink.Start("127.0.0.1:0", sink.Auth("etuus", "salainen"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	msg := mail.Message{To: "kati@example.ee", Subject: "s", Text: "t"}
	ctx := context.Background()

	good := sender(t, "smtp://etuus:salainen@"+s.Addr()+"?tls=none&from=etuus%40example.fi")
	if err := good.Send(ctx, msg); err != nil {
		t.Fatalf("right password: %v", err)
	}
	// A wrong password or none is the operator's to fix; the message
	// itself is fine, so it waits in the outbox (temporary).
	for name, u := range map[string]string{
		"wrong password": "smtp://etuus:arvaus@" + s.Addr() + "?tls=none&from=etuus%40example.fi",
		"no credentials": "smtp://" + s.Addr() + "?tls=none&from=etuus%40example.fi",
	} {
		t.Run(name, func(t *testing.T) {
			err := sender(t, u).Send(ctx, msg)
			var e *mail.Error
			if !errors.As(err, &e) || !mail.IsTemporary(err) {
				t.Fatalf("err = %v, want a temporary *mail.Error", err)
			}
			if name == "wrong password" && (e.Op != mail.OpConnect || e.Code != 535) {
				t.Errorf("op %q code %d, want connect 535: %v", e.Op, e.Code, err)
			}
			if name == "no credentials" && e.Code != 530 {
				t.Errorf("code %d, want 530: %v", e.Code, err)
			}
			if strings.Contains(err.Error(), "arvaus") || strings.Contains(err.Error(), "kati@") {
				t.Errorf("the error shows a secret: %v", err)
			}
		})
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("the sink got %d messages, want 1", n)
	}
}

func TestServerFailures(t *testing.T) {
	msg := mail.Message{To: "kati@example.ee", Subject: "s", Text: "t"}
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		opt       sink.Option
		op        string
		code      int
		temporary bool
	}{
		{"451 after data", sink.FailNext(1, 451), mail.OpData, 451, true},
		{"550 after data", sink.FailNext(1, 550), mail.OpData, 550, false},
		{"554 after data", sink.FailNext(1, 554), mail.OpData, 554, false},
		{"421 after data", sink.FailNext(1, 421), mail.OpData, 421, true},
		{"550 unknown mailbox", sink.RejectRecipient("kati@example.ee", 550), mail.OpRcptTo, 550, false},
		{"450 mailbox busy", sink.RejectRecipient("kati@example.ee", 450), mail.OpRcptTo, 450, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, m := start(t, c.opt)
			err := m.Send(ctx, msg)
			var e *mail.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *mail.Error", err, err)
			}
			if e.Op != c.op || e.Code != c.code || e.Temporary != c.temporary || mail.IsTemporary(err) != c.temporary {
				t.Errorf("op %q code %d temporary %v, want %q %d %v: %v", e.Op, e.Code, e.Temporary, c.op, c.code, c.temporary, err)
			}
			if e.Enhanced == "" || e.Enhanced[0] != byte('0'+c.code/100) {
				t.Errorf("enhanced code %q", e.Enhanced)
			}
			// The sink's RCPT answer and go-mail's error both name the
			// recipient.
			if strings.Contains(err.Error(), "kati") {
				t.Errorf("the error shows the address: %v", err)
			}
			if n := len(s.Messages()); n != 0 {
				t.Errorf("the sink kept %d messages", n)
			}
			if c.op == mail.OpData {
				if err := m.Send(ctx, msg); err != nil {
					t.Errorf("the retry: %v", err)
				}
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	err = sender(t, "smtp://"+addr+"?tls=none&from=etuus%40example.fi").Send(context.Background(), mail.Message{To: "kati@example.ee", Subject: "s", Text: "t"})
	var e *mail.Error
	if !errors.As(err, &e) || e.Op != mail.OpConnect || !mail.IsTemporary(err) {
		t.Fatalf("err = %v, want a temporary connect error", err)
	}
}

// stalled accepts connections and never says a word.
func stalled(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestTimeoutIsTemporary(t *testing.T) {
	m := sender(t, "smtp://"+stalled(t)+"?tls=none&timeout=200ms&from=etuus%40example.fi")
	err := m.Send(context.Background(), mail.Message{To: "kati@example.ee", Subject: "s", Text: "t"})
	var ne net.Error
	if err == nil || !mail.IsTemporary(err) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a temporary timeout", err)
	}
}

// go-mail itself honours the context only while dialling; the greeting
// is read after that.
func TestContextEndsAStalledSend(t *testing.T) {
	m := sender(t, "smtp://"+stalled(t)+"?tls=none&timeout=10m&from=etuus%40example.fi")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Send(ctx, mail.Message{To: "kati@example.ee", Subject: "s", Text: "t"}) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) || !mail.IsTemporary(err) {
			t.Fatalf("err = %v, want a temporary context.DeadlineExceeded", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Send ignored its context")
	}
}

func TestConcurrentSends(t *testing.T) {
	s, m := start(t)
	const goroutines, each = 8, 25
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				err := m.Send(context.Background(), mail.Message{To: fmt.Sprintf("u%d@example.fi", g), Subject: fmt.Sprintf("%d-%d", g, i), Text: "t"})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := s.WaitFor(ctx, goroutines*each)
	if err != nil {
		t.Fatal(err)
	}
	subjects, ids := map[string]bool{}, map[string]bool{}
	for _, r := range got {
		subjects[r.Subject] = true
		ids[r.Header.Get("Message-Id")] = true
		if want := "u" + strings.SplitN(r.Subject, "-", 2)[0] + "@example.fi"; len(r.To) != 1 || r.To[0] != want {
			t.Errorf("%s went to %v, want %s", r.Subject, r.To, want)
		}
	}
	if len(got) != goroutines*each || len(subjects) != goroutines*each || len(ids) != goroutines*each {
		t.Errorf("received %d messages, %d subjects, %d Message-IDs; want %d of each", len(got), len(subjects), len(ids), goroutines*each)
	}
}

func TestSendBatch(t *testing.T) {
	s, m := start(t, sink.RejectRecipient("gone@example.fi", 550))
	var ms []mail.Message
	for i := range 20 {
		ms = append(ms, mail.Message{To: fmt.Sprintf("u%d@example.fi", i), Subject: fmt.Sprint(i), Text: "t"})
	}
	ms[3].To = "not an address"
	ms[7].To = "gone@example.fi"
	s.FailNext(1, 451) // the first message offered, ms[0]
	errs := m.SendBatch(context.Background(), ms)
	if len(errs) != len(ms) {
		t.Fatalf("%d errors for %d messages", len(errs), len(ms))
	}
	for i, err := range errs {
		switch i {
		case 0:
			if !mail.IsTemporary(err) {
				t.Errorf("0: %v, want temporary", err)
			}
		case 3, 7:
			if err == nil || mail.IsTemporary(err) {
				t.Errorf("%d: %v, want permanent", i, err)
			}
		default:
			if err != nil {
				t.Errorf("%d: %v", i, err)
			}
		}
	}
	got := s.Messages()
	if len(got) != 17 {
		t.Fatalf("received %d, want 17", len(got))
	}
	for _, r := range got {
		if r.Session != got[0].Session {
			t.Fatalf("sessions %d and %d: the batch used more than one connection", got[0].Session, r.Session)
		}
	}
}

// SendEach reports each message in order and offers no more once told to
// stop.
func TestSendEachStops(t *testing.T) {
	s, m := start(t)
	var ms []mail.Message
	for i := range 5 {
		ms = append(ms, mail.Message{To: fmt.Sprintf("u%d@example.fi", i), Subject: fmt.Sprint(i), Text: "t"})
	}
	var seen []int
	m.SendEach(context.Background(), ms, func(i int, err error) bool {
		if err != nil {
			t.Errorf("%d: %v", i, err)
		}
		seen = append(seen, i)
		return i < 1
	})
	if fmt.Sprint(seen) != "[0 1]" {
		t.Errorf("reported %v; want [0 1]", seen)
	}
	if got := s.Messages(); len(got) != 2 {
		t.Errorf("the server took %d; want 2", len(got))
	}
}

func TestSendBatchServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	m := sender(t, "smtp://"+addr+"?tls=none&from=etuus%40example.fi")
	errs := m.SendBatch(context.Background(), []mail.Message{
		{To: "a@example.fi", Subject: "s", Text: "t"}, {To: "bad", Subject: "s", Text: "t"}, {To: "c@example.fi", Subject: "s", Text: "t"},
	})
	if !mail.IsTemporary(errs[0]) || errs[1] == nil || mail.IsTemporary(errs[1]) || !mail.IsTemporary(errs[2]) {
		t.Errorf("errs = %v", errs)
	}
}

func TestConfigHidesPassword(t *testing.T) {
	cfg, err := mail.ParseURL("smtp://etuus:" + url.QueryEscape("s@lainen:/?") + "@mail.example.fi:587?from=etuus%40example.fi")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != "s@lainen:/?" {
		t.Fatalf("password %q", cfg.Password)
	}
	for _, s := range []string{cfg.String(), cfg.Redacted(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		if strings.Contains(s, "lainen") {
			t.Errorf("shows the password: %s", s)
		}
	}
	if got, want := cfg.Redacted(), "smtp://etuus:xxxxx@mail.example.fi:587?from=etuus%40example.fi&tls=starttls"; got != want {
		t.Errorf("Redacted() = %s, want %s", got, want)
	}
}
