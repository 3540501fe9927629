package outbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/mail"
	"github.com/etuus/etuus/internal/mail/sink"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// render is the test's Renderer: the payload goes into the text, as a
// one-time code does.
func render(it outbox.Item) (string, string, error) {
	if it.Kind == "unknown" {
		return "", "", fmt.Errorf("no text for kind %q", it.Kind)
	}
	return "Etuus: " + string(it.Kind), "Hei! Koodisi on " + it.Payload + ".", nil
}

// startSink starts an SMTP sink and a real SMTP client for it.
func startSink(t testing.TB, opts ...sink.Option) (*sink.Sink, *mail.SMTP) {
	t.Helper()
	s, err := sink.Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, smtpFor(t, s.Addr())
}

func smtpFor(t testing.TB, addr string) *mail.SMTP {
	t.Helper()
	cfg, err := mail.ParseURL("smtp://" + addr + "?tls=none&from=etuus%40example.fi")
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// run starts w and stops it, waiting for it, when the test ends or when
// the returned function is called.
func run(t testing.TB, w *outbox.Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually waits for cond; the limit only keeps a broken test from
// hanging, it is not a claim about speed.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(60 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// timeout is a context that keeps a broken test from hanging.
func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func enqueue(t testing.TB, db *store.DB, it outbox.Item) outbox.Item {
	t.Helper()
	if err := db.Enqueue(context.Background(), &it); err != nil {
		t.Fatal(err)
	}
	return it
}

func stats(t testing.TB, db *store.DB) map[outbox.Status]int {
	t.Helper()
	s, err := db.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// logBuffer collects a worker's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func fast(attempt int) time.Duration { return 10 * time.Millisecond }

func TestWorkerDelivers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s, smtp := startSink(t, sink.FailNext(1, 451))
		logs := &logBuffer{}
		w := &outbox.Worker{Store: db, Email: smtp, Render: render, Poll: time.Hour, Backoff: func(int) time.Duration { return 0 },
			Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		first := enqueue(t, db, outbox.Item{Channel: outbox.Email, Recipient: "kati.korhonen@example.fi", Lang: "fi",
			Kind: message.NoticeVerifyCode, Payload: "731946", ThreadID: "th1"})
		run(t, w)
		// The first try meets a 451 and the retry, due at once, goes
		// through.
		if _, err := s.WaitFor(timeout(t), 1); err != nil {
			t.Fatal(err)
		}
		// A second notice, woken for: Poll is an hour.
		second := enqueue(t, db, outbox.Item{Channel: outbox.Email, Recipient: "matti.m@example.fi", Lang: "sv",
			Kind: message.NoticeSecureReply, Payload: "https://etuus.example.fi/l/Zx81"})
		w.Wake()
		msgs, err := s.WaitFor(timeout(t), 2)
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "both marked sent", func() bool { return stats(t, db)[outbox.Sent] == 2 })

		for i, want := range []outbox.Item{first, second} {
			m := msgs[i]
			if got := m.Header.Get("Message-Id"); got != "<"+want.MessageID+">" {
				t.Errorf("Message-Id %q; want <%s>", got, want.MessageID)
			}
			if len(m.To) != 1 || m.To[0] != want.Recipient || !strings.Contains(m.Text, want.Payload) {
				t.Errorf("message %d went to %v with text %q", i, m.To, m.Text)
			}
			if got := m.Header.Get("Auto-Submitted"); got != "auto-generated" {
				t.Errorf("Auto-Submitted %q", got)
			}
		}
		seen, _ := db.OutboxOf(context.Background(), "th1")
		if len(seen) != 1 || seen[0].Status != outbox.Sent || seen[0].Attempts != 2 {
			t.Errorf("OutboxOf = %+v", seen)
		}

		// The log names the notice that was retried and why, and never
		// an address, a code, a link or a text.
		out := logs.String()
		if !strings.Contains(out, first.ID) || !strings.Contains(out, "smtp data 451") {
			t.Errorf("the log does not say which notice was retried and why:\n%s", out)
		}
		for _, secret := range []string{"kati.korhonen", "matti.m", "@example.fi", "731946", "Zx81", "Koodisi", first.MessageID} {
			if strings.Contains(out, secret) {
				t.Errorf("the log holds %q:\n%s", secret, out)
			}
		}
	})
}

func TestWorkerRetriesTemporaryFailures(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s, smtp := startSink(t, sink.FailNext(3, 451))
		it := enqueue(t, db, outbox.Item{Channel: outbox.Email, Recipient: "a@example.fi", Lang: "fi", Kind: message.NoticeNewMessage, ThreadID: "th"})
		run(t, &outbox.Worker{Store: db, Email: smtp, Render: render, Poll: 5 * time.Millisecond, Backoff: fast})
		msgs, err := s.WaitFor(timeout(t), 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := msgs[0].Header.Get("Message-Id"); got != "<"+it.MessageID+">" {
			t.Errorf("Message-Id %q; want <%s>", got, it.MessageID)
		}
		eventually(t, "the notice marked sent", func() bool { return stats(t, db)[outbox.Sent] == 1 })
		seen, _ := db.OutboxOf(context.Background(), "th")
		if seen[0].Attempts != 4 {
			t.Errorf("sent after %d tries; want 4", seen[0].Attempts)
		}
		if n := len(s.Messages()); n != 1 {
			t.Errorf("the sink holds %d messages; want 1", n)
		}
	})
}

func TestWorkerGivesUp(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		for _, tc := range []struct {
			name        string
			fail        int
			kind        outbox.Kind
			maxAttempts int
			wantError   string
			wantTries   int
		}{
			{"permanent refusal", 1, message.NoticeNewMessage, 0, "smtp data 550 5.7.1", 1},
			{"too many tries", 5, message.NoticeNewMessage, 3, "smtp data 451 4.3.0", 3},
			{"no text", 0, "unknown", 0, "render", 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code := 451
				if tc.wantTries == 1 {
					code = 550
				}
				s, smtp := startSink(t)
				if tc.fail > 0 {
					s.FailNext(tc.fail, code)
				}
				thread := tc.name
				enqueue(t, db, outbox.Item{Channel: outbox.Email, Recipient: "a@example.fi", Lang: "fi", Kind: tc.kind, ThreadID: thread})
				stop := run(t, &outbox.Worker{Store: db, Email: smtp, Render: render, Poll: 5 * time.Millisecond,
					Backoff: fast, MaxAttempts: tc.maxAttempts})
				var seen []outbox.Item
				eventually(t, "the notice given up", func() bool {
					seen, _ = db.OutboxOf(context.Background(), thread)
					return seen[0].Status == outbox.Failed
				})
				stop()
				if seen[0].LastError != tc.wantError || seen[0].Attempts != tc.wantTries {
					t.Errorf("failed after %d tries with %q; want %d, %q", seen[0].Attempts, seen[0].LastError, tc.wantTries, tc.wantError)
				}
				if n := len(s.Messages()); n != 0 {
					t.Errorf("the sink took %d messages", n)
				}
			})
		}
	})
}

func TestTwoWorkersSendEachNoticeOnce(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		const n = 500
		s, smtp := startSink(t)
		want := map[string]bool{}
		for i := range n {
			it := enqueue(t, db, outbox.Item{Channel: outbox.Email, Recipient: fmt.Sprintf("a%d@example.fi", i), Lang: "fi", Kind: message.NoticeNewMessage})
			want["<"+it.MessageID+">"] = true
		}
		for _, name := range []string{"w1", "w2"} {
			run(t, &outbox.Worker{Store: db, Email: smtp, Render: render, Name: name, Batch: 20, Poll: 5 * time.Millisecond})
		}
		eventually(t, "every notice marked sent", func() bool { return stats(t, db)[outbox.Sent] == n })
		got := map[string]int{}
		for _, m := range s.Messages() {
			got[m.Header.Get("Message-Id")]++
		}
		for id := range want {
			if got[id] != 1 {
				t.Errorf("%s arrived %d times", id, got[id])
			}
		}
		if len(got) != n {
			t.Errorf("%d distinct Message-IDs arrived; want %d", len(got), n)
		}
	})
}

// gateway is an SMS gateway: it answers with the statuses in answers, in
// turn, then 200, and keeps what it was sent.
type gateway struct {
	mu      sync.Mutex
	answers []int
	got     []map[string]string
	auth    []string
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]string
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.got = append(g.got, body)
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	code := http.StatusOK
	if len(g.answers) > 0 {
		code, g.answers = g.answers[0], g.answers[1:]
	}
	w.WriteHeader(code)
	fmt.Fprint(w, `{"id":"gw-1"}`)
}

func TestHTTPSMS(t *testing.T) {
	for _, tc := range []struct {
		code      int
		token     string
		wantErr   bool
		temporary bool
	}{
		{200, "s3cret", false, false},
		{202, "", false, false},
		{400, "", true, false},
		{401, "s3cret", true, true},
		{403, "", true, true},
		{404, "", true, true},
		{422, "", true, false},
		{408, "", true, true},
		{429, "", true, true},
		{500, "", true, true},
		{503, "", true, true},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			g := &gateway{answers: []int{tc.code}}
			srv := httptest.NewServer(g)
			defer srv.Close()
			sms := &outbox.HTTPSMS{URL: srv.URL, Token: tc.token, From: "Etuus"}
			err := sms.SendSMS(context.Background(), "+358401234567", "Koodisi on 123456")
			if (err != nil) != tc.wantErr || outbox.IsTemporary(err) != tc.temporary {
				t.Fatalf("SendSMS = %v (temporary %v); want error %v, temporary %v", err, outbox.IsTemporary(err), tc.wantErr, tc.temporary)
			}
			if err != nil && (strings.Contains(err.Error(), "358401234567") || strings.Contains(err.Error(), "123456") || strings.Contains(err.Error(), srv.URL)) {
				t.Errorf("the error %q tells too much", err)
			}
			want := map[string]string{"from": "Etuus", "to": "+358401234567", "text": "Koodisi on 123456"}
			if len(g.got) != 1 || fmt.Sprint(g.got[0]) != fmt.Sprint(want) {
				t.Errorf("the gateway got %v; want %v", g.got, want)
			}
			wantAuth := ""
			if tc.token != "" {
				wantAuth = "Bearer " + tc.token
			}
			if g.auth[0] != wantAuth {
				t.Errorf("Authorization %q; want %q", g.auth[0], wantAuth)
			}
		})
	}
	t.Run("gateway down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		err := (&outbox.HTTPSMS{URL: srv.URL}).SendSMS(context.Background(), "+358401234567", "x")
		if err == nil || !outbox.IsTemporary(err) || outbox.Classify(err) != "sms network" {
			t.Fatalf("SendSMS to a closed server = %v; want a temporary network error", err)
		}
	})
}

func TestIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&mail.Error{Op: mail.OpData, Code: 451, Temporary: true}, true},
		{&mail.Error{Op: mail.OpRcptTo, Code: 550}, false},
		{fmt.Errorf("wrapped: %w", &outbox.SMSError{Status: 503, Temporary: true}), true},
		{&outbox.SMSError{Status: 400}, false},
		{fmt.Errorf("something else"), true},
	} {
		if got := outbox.IsTemporary(tc.err); got != tc.want {
			t.Errorf("IsTemporary(%v) = %v; want %v", tc.err, got, tc.want)
		}
	}
}

func TestWorkerSendsSMS(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		g := &gateway{answers: []int{503, 429, 200, 400}}
		srv := httptest.NewServer(g)
		defer srv.Close()
		retried := enqueue(t, db, outbox.Item{Channel: outbox.SMS, Recipient: "+358401234567", Lang: "fi", Kind: message.NoticeVerifyCode, Payload: "482913", ThreadID: "a"})
		run(t, &outbox.Worker{Store: db, SMS: &outbox.HTTPSMS{URL: srv.URL, Token: "t0k", From: "Etuus"},
			Render: render, Poll: 5 * time.Millisecond, Backoff: fast, Conns: 1})
		eventually(t, "the SMS sent", func() bool { return stats(t, db)[outbox.Sent] == 1 })
		refused := enqueue(t, db, outbox.Item{Channel: outbox.SMS, Recipient: "+358401234568", Lang: "fi", Kind: message.NoticeVerifyCode, Payload: "1", ThreadID: "b"})
		eventually(t, "the refused SMS given up", func() bool { return stats(t, db)[outbox.Failed] == 1 })
		seen, _ := db.OutboxOf(context.Background(), "a")
		if seen[0].Attempts != 3 || seen[0].ID != retried.ID {
			t.Errorf("SMS sent after %d tries; want 3", seen[0].Attempts)
		}
		if seen, _ = db.OutboxOf(context.Background(), "b"); seen[0].LastError != "sms 400" || seen[0].ID != refused.ID {
			t.Errorf("refused SMS: %+v", seen[0])
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.got) != 4 || g.got[2]["text"] != "Hei! Koodisi on 482913." || g.got[2]["to"] != "+358401234567" {
			t.Errorf("the gateway got %v", g.got)
		}
	})
}

func TestWorkerNeedsItsParts(t *testing.T) {
	for _, w := range []*outbox.Worker{
		{Email: &mail.SMTP{}, Render: render},
		{Store: &store.DB{}, Email: &mail.SMTP{}},
		{Store: &store.DB{}, Render: render},
	} {
		if err := w.Run(context.Background()); err == nil {
			t.Errorf("Run of %+v started", w)
		}
	}
}
