package securemail_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/securemail"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var anna = access.AsStaff("demo-staff-anna", "recovery", "specialist")

// env is a seeded database with both services over it; tokens collects
// the writing links' tokens in the order they were made.
type env struct {
	db     *store.DB
	mail   *securemail.Service
	msgs   *message.Service
	now    time.Time
	mu     sync.Mutex
	tokens []string
	read   string // the newest reading link's token
}

func newEnv(t *testing.T, db *store.DB, units ...securemail.Unit) (*env, context.Context) {
	t.Helper()
	ctx := context.Background()
	ref, contacts, _ := org.Reference()
	if err := db.SeedReference(ctx, ref, contacts); err != nil {
		t.Fatal(err)
	}
	d, err := demo.Set()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	e.mail, err = securemail.NewService(db.SecureMail(), securemail.Config{On: true, Units: units,
		LinkURL: func(token string) string {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.tokens = append(e.tokens, token)
			return "https://etuus.example/secure-email/t/" + token
		},
		Texts: func(lang, key string, args ...any) string { return lang + ":" + key + ":" + fmt.Sprint(args...) }})
	if err != nil {
		t.Fatal(err)
	}
	e.msgs, err = message.NewService(db.Messages(), message.Config{
		ReadLink: func(token string) string { e.read = token; return "https://etuus.example/secure-email/r/" + token }})
	if err != nil {
		t.Fatal(err)
	}
	return e, ctx
}

func (e *env) later(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func (e *env) token(t *testing.T, i int) string {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if i >= len(e.tokens) {
		t.Fatalf("no link %d made", i)
	}
	return e.tokens[i]
}

// notices are the notices ever queued of a kind.
func notices(t *testing.T, db *store.DB, kind outbox.Kind) []outbox.Item {
	t.Helper()
	var out []outbox.Item
	items, err := db.ClaimOutbox(context.Background(), "test-peek", 1000, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

func TestSecureLinks(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db, securemail.Unit{ID: "recovery", Validity: 10 * 24 * time.Hour},
			securemail.Unit{ID: "international", Validity: time.Hour})
		req := securemail.LinkRequest{Email: " Kati@Example.ee", UnitID: "recovery", Lang: "en", Client: "c1"}
		days, err := e.mail.RequestLink(ctx, req)
		if err != nil || days != 10 {
			t.Fatalf("RequestLink = %d %v", days, err)
		}
		ns := notices(t, db, securemail.NoticeLink)
		tok1 := e.token(t, 0)
		if len(ns) != 1 || ns[0].Recipient != "kati@example.ee" || ns[0].Channel != outbox.Email || !strings.Contains(ns[0].Payload, tok1) ||
			!strings.Contains(ns[0].Payload, "Overpayment Recovery Centre") || strings.Contains(ns[0].Payload, "Kati") {
			t.Fatalf("link notice = %+v", ns)
		}
		if _, err := e.mail.Link(ctx, "nope"); !fault.Is(err, fault.NotFound) {
			t.Errorf("unknown token: %v", err)
		}
		// Two sends race on one link: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = e.mail.Send(ctx, tok1, "s", "b") })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !fault.Is(err, fault.NotFound) {
				t.Errorf("losing send: %v; want NotFound", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d sends succeeded on one link; want 1", ok)
		}
		if _, err := e.mail.Link(ctx, tok1); !fault.Is(err, fault.NotFound) {
			t.Errorf("a spent link opens: %v", err)
		}
		q, err := e.msgs.Queue(ctx, anna, message.QueueFilter{Subject: "secure_email"})
		if err != nil || len(q.Threads) != 1 || q.Threads[0].PartyName != "kati@example.ee" {
			t.Fatalf("the message in the queue = %+v %v", q, err)
		}
		// An expired link is gone.
		if _, err := e.mail.RequestLink(ctx, securemail.LinkRequest{Email: "x@example.ee", UnitID: "international", Lang: "fi", Client: "c1"}); err != nil {
			t.Fatal(err)
		}
		tok2 := e.token(t, 1)
		if _, err := e.mail.Link(ctx, tok2); err != nil {
			t.Errorf("a fresh link: %v", err)
		}
		e.later(2 * time.Hour)
		if _, err := e.mail.Link(ctx, tok2); !fault.Is(err, fault.NotFound) {
			t.Errorf("expired link: %v", err)
		}
		if _, err := e.mail.Send(ctx, tok2, "s", "b"); !fault.Is(err, fault.NotFound) {
			t.Errorf("send on expired link: %v", err)
		}
		// Bad input is refused before anything is stored.
		for name, r := range map[string]securemail.LinkRequest{
			"bad address":  {Email: "nope", UnitID: "recovery", Client: "c2"},
			"unknown unit": {Email: "a@example.ee", UnitID: "customer-relations", Client: "c2"},
		} {
			if _, err := e.mail.RequestLink(ctx, r); !fault.Is(err, fault.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		off, _ := securemail.NewService(db.SecureMail(), securemail.Config{})
		if _, err := off.RequestLink(ctx, req); !fault.Is(err, fault.Unavailable) {
			t.Errorf("a route that is off: %v", err)
		}
	})
}

// TestLinkRateLimits: three links an hour to an address (the fourth asks
// silently for nothing), ten from one client.
func TestSecureLinkRateLimits(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		for i := range 4 {
			if _, err := e.mail.RequestLink(ctx, securemail.LinkRequest{Email: "kati@example.ee", UnitID: "recovery", Lang: "en", Client: fmt.Sprint("c", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(notices(t, db, securemail.NoticeLink)); n != 3 {
			t.Errorf("%d links to one address in an hour; want 3", n)
		}
		for i := range 10 {
			_, err := e.mail.RequestLink(ctx, securemail.LinkRequest{Email: fmt.Sprintf("p%d@example.ee", i), UnitID: "recovery", Lang: "en", Client: "busy"})
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.mail.RequestLink(ctx, securemail.LinkRequest{Email: "q@example.ee", UnitID: "recovery", Lang: "en", Client: "busy"}); !fault.Is(err, fault.TooMany) {
			t.Errorf("an eleventh link from one client: %v", err)
		}
		e.later(61 * time.Minute)
		if _, err := e.mail.RequestLink(ctx, securemail.LinkRequest{Email: "q@example.ee", UnitID: "recovery", Lang: "en", Client: "busy"}); err != nil {
			t.Errorf("an hour later: %v", err)
		}
	})
}

func TestSecureEmailBecomesThread(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		if _, err := e.mail.RequestLink(ctx, securemail.LinkRequest{Email: "kati@example.ee", UnitID: "recovery", Lang: "en", Client: "c"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.mail.Send(ctx, e.token(t, 0), " Plan ", "50 a month"); err != nil {
			t.Fatal(err)
		}
		queue, err := e.msgs.Queue(ctx, anna, message.QueueFilter{Subject: "secure_email"})
		q := queue.Threads
		if err != nil || len(q) != 1 || q[0].PartyName != "kati@example.ee" || q[0].Title != "Plan" {
			t.Fatalf("queue = %+v %v", q, err)
		}
		// A note's file never reaches the sender.
		note, err := e.msgs.AddNote(ctx, anna, q[0].ID, "note", []message.Upload{message.NewUpload("memo.pdf", []byte("%PDF-1.4 memo"))})
		if err != nil {
			t.Fatal(err)
		}
		reply, err := e.msgs.Reply(ctx, anna, q[0].ID, "Fine.", []message.Upload{message.NewUpload("decision.pdf", []byte("%PDF-1.4 decision"))})
		if err != nil {
			t.Fatal(err)
		}
		token := e.read
		ns := notices(t, db, message.NoticeSecureReply)
		if len(ns) != 1 || ns[0].Recipient != "kati@example.ee" || ns[0].Lang != "en" || !strings.HasSuffix(ns[0].Payload, token) {
			t.Fatalf("notice = %+v", ns)
		}
		_, msgs, err := e.mail.Answer(ctx, token)
		if err != nil || len(msgs) != 2 || msgs[1].Body != "Fine." {
			t.Errorf("reading = %+v %v", msgs, err)
		}
		if _, _, err := e.mail.Answer(ctx, token+"x"); !fault.Is(err, fault.NotFound) {
			t.Errorf("wrong token: %v", err)
		}
		att := reply.Attachments[0].ID
		if f, err := e.mail.AnswerAttachment(ctx, token, att); err != nil || string(f.Data) != "%PDF-1.4 decision" {
			t.Errorf("the answer's file = %q, %v", f.Data, err)
		}
		for name, tok := range map[string]string{"a wrong token": token + "x", "the note's file": token} {
			id := att
			if name == "the note's file" {
				id = note.Attachments[0].ID
			}
			if _, err := e.mail.AnswerAttachment(ctx, tok, id); !fault.Is(err, fault.NotFound) {
				t.Errorf("%s: %v", name, err)
			}
		}
		// The sender replies from the reading link: the same thread, back
		// in the unit's queue; an empty reply is refused.
		if _, err := e.mail.Reply(ctx, token, "  "); !fault.Is(err, fault.Invalid) {
			t.Errorf("an empty reply: %v", err)
		}
		if _, err := e.mail.Reply(ctx, token+"x", "Thanks"); !fault.Is(err, fault.NotFound) {
			t.Errorf("a reply with a wrong token: %v", err)
		}
		if _, err := e.mail.Reply(ctx, token, "Thanks, one more question."); err != nil {
			t.Fatal(err)
		}
		v, err := e.msgs.StaffThread(ctx, anna, q[0].ID)
		if err != nil || len(v.Messages) != 4 || v.Messages[3].Body != "Thanks, one more question." || v.Messages[3].Author != message.AuthorCustomer {
			t.Errorf("the thread after the reply: %+v, %v", v, err)
		}
		// A day's replies through the link are bounded (the first message
		// and the reply above count).
		for i := 3; i <= securemail.MaxRepliesPerDay; i++ {
			if _, err := e.mail.Reply(ctx, token, "More."); err != nil {
				t.Fatalf("reply %d: %v", i, err)
			}
		}
		if _, err := e.mail.Reply(ctx, token, "Too many."); fault.KeyOf(err) != "securemail.error.too_many_replies" {
			t.Errorf("reply over the day's limit: %v", err)
		}
		// After 14 days the link reads nothing.
		e.later(15 * 24 * time.Hour)
		if _, err := e.mail.Reply(ctx, token, "Late"); !fault.Is(err, fault.NotFound) {
			t.Errorf("a reply through an expired link: %v", err)
		}
		if _, _, err := e.mail.Answer(ctx, token); !fault.Is(err, fault.NotFound) {
			t.Errorf("an expired reading link: %v", err)
		}
		if _, err := e.mail.AnswerAttachment(ctx, token, att); !fault.Is(err, fault.NotFound) {
			t.Errorf("an expired link's file: %v", err)
		}
	})
}
