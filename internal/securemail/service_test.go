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
	"github.com/etuus/etuus/internal/message/clamdtest"
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
	return newEnvWith(t, db, message.Attachments{}, units...)
}

// newEnvWith is newEnv whose reading links take files by att.
func newEnvWith(t *testing.T, db *store.DB, att message.Attachments, units ...securemail.Unit) (*env, context.Context) {
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
		Texts:       func(lang, key string, args ...any) string { return lang + ":" + key + ":" + fmt.Sprint(args...) },
		Attachments: att})
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
		if _, err := e.mail.Reply(ctx, token, "  ", nil); !fault.Is(err, fault.Invalid) {
			t.Errorf("an empty reply: %v", err)
		}
		if _, err := e.mail.Reply(ctx, token+"x", "Thanks", nil); !fault.Is(err, fault.NotFound) {
			t.Errorf("a reply with a wrong token: %v", err)
		}
		if _, err := e.mail.Reply(ctx, token, "Thanks, one more question.", nil); err != nil {
			t.Fatal(err)
		}
		v, err := e.msgs.StaffThread(ctx, anna, q[0].ID)
		if err != nil || len(v.Messages) != 4 || v.Messages[3].Body != "Thanks, one more question." || v.Messages[3].Author != message.AuthorCustomer {
			t.Errorf("the thread after the reply: %+v, %v", v, err)
		}
		// A day's replies through the link are bounded (the first message
		// and the reply above count).
		for i := 3; i <= securemail.MaxRepliesPerDay; i++ {
			if _, err := e.mail.Reply(ctx, token, "More.", nil); err != nil {
				t.Fatalf("reply %d: %v", i, err)
			}
		}
		if _, err := e.mail.Reply(ctx, token, "Too many.", nil); fault.KeyOf(err) != "securemail.error.too_many_replies" {
			t.Errorf("reply over the day's limit: %v", err)
		}
		// After 14 days the link reads nothing.
		e.later(15 * 24 * time.Hour)
		if _, err := e.mail.Reply(ctx, token, "Late", nil); !fault.Is(err, fault.NotFound) {
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

// rows counts what a refused reply must leave as it was: messages, their
// files, and the files' contents and chunks.
func rows(t *testing.T, db *store.DB) [4]int {
	t.Helper()
	var c [4]int
	for i, table := range []string{"thread_messages", "attachments", "attachment_blobs", "attachment_chunks"} {
		if err := db.SQL().QueryRow(`SELECT count(*) FROM ` + table).Scan(&c[i]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// pdfOf is a PDF of n bytes whose filler is fill.
func pdfOf(fill string, n int) []byte {
	b := []byte("%PDF-1.4\n")
	for len(b) < n {
		b = append(b, fill...)
	}
	return b[:n]
}

// answered is a secure e-mail thread from addr that the Centre has
// answered, and the token of its reading link.
func (e *env) answered(t *testing.T, ctx context.Context, addr string) (threadID, token string) {
	t.Helper()
	e.mu.Lock()
	n := len(e.tokens)
	e.mu.Unlock()
	if _, err := e.mail.RequestLink(ctx, securemail.LinkRequest{Email: addr, UnitID: "recovery", Lang: "en", Client: "c"}); err != nil {
		t.Fatal(err)
	}
	m, err := e.mail.Send(ctx, e.token(t, n), "Payslips", "I will send my payslips.")
	if err != nil {
		t.Fatal(err)
	}
	queue, err := e.msgs.Queue(ctx, anna, message.QueueFilter{Subject: "secure_email"})
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range queue.Threads {
		if th.PartyName == m.Email {
			threadID = th.ID
		}
	}
	if _, err := e.msgs.Reply(ctx, anna, threadID, "Send them through this link.", nil); err != nil {
		t.Fatal(err)
	}
	return threadID, e.read
}

// TestReplyWithAttachments: a reply from a reading link takes files as a
// signed-in customer's message does — checked, scanned by the real clamd,
// stored in chunks with the message — and staff read the same bytes; each
// refusal (too large, too many, wrong type, malware, the thread's quota,
// the scanner down) stores nothing at all; the quota is the thread's.
func TestReplyWithAttachments(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		clamd := clamdtest.Start(t)
		att := message.Attachments{Limits: message.Limits{MaxFileBytes: 200, MaxFiles: 2, QuotaBytes: 300},
			Scanner: message.ClamAV{Network: "unix", Address: clamd.Socket, Timeout: 10 * time.Second}}
		e, ctx := newEnvWith(t, db, att)
		threadID, token := e.answered(t, ctx, "kati@example.ee")
		if id, left, err := e.mail.UploadAllowance(ctx, token); err != nil || id != threadID || left != 300 {
			t.Fatalf("allowance = %s %d %v; want the thread and 300", id, left, err)
		}
		payslip := pdfOf("payslip ", 150)
		m, err := e.mail.Reply(ctx, token, "Here is the payslip.", []message.Upload{message.NewUpload("payslip.pdf", payslip)})
		if err != nil || len(m.Attachments) != 1 || m.Attachments[0].Name != "payslip.pdf" || m.Attachments[0].ContentType != message.TypePDF {
			t.Fatalf("reply with a file = %+v, %v", m, err)
		}
		// Staff see it in the thread as a customer's file, and download
		// the same bytes; the sender reads it back through the link.
		v, err := e.msgs.StaffThread(ctx, anna, threadID)
		if err != nil {
			t.Fatal(err)
		}
		last := v.Messages[len(v.Messages)-1]
		if last.Author != message.AuthorCustomer || len(last.Attachments) != 1 || last.Attachments[0].ID != m.Attachments[0].ID {
			t.Fatalf("staff's thread ends with %+v", last)
		}
		if f, err := e.msgs.Attachment(ctx, anna, m.Attachments[0].ID); err != nil || string(f.Data) != string(payslip) {
			t.Errorf("staff's download = %d bytes, %v", len(f.Data), err)
		}
		if f, err := e.mail.AnswerAttachment(ctx, token, m.Attachments[0].ID); err != nil || string(f.Data) != string(payslip) {
			t.Errorf("the sender's download = %d bytes, %v", len(f.Data), err)
		}
		if _, left, _ := e.mail.UploadAllowance(ctx, token); left != 150 {
			t.Errorf("allowance after 150 bytes = %d", left)
		}
		// Staff's files are not the sender's.
		if _, err := e.msgs.Reply(ctx, anna, threadID, "Thanks; here is ours.", []message.Upload{message.NewUpload("decision.pdf", pdfOf("decision ", 190))}); err != nil {
			t.Fatal(err)
		}
		token = e.read // the answer replaced the link
		if _, left, _ := e.mail.UploadAllowance(ctx, token); left != 150 {
			t.Errorf("allowance after staff's file = %d", left)
		}

		for _, tc := range []struct {
			name  string
			body  string
			files []message.Upload
			kind  fault.Kind
			key   string
		}{
			{"too large", "Big", []message.Upload{message.NewUpload("big.pdf", pdfOf("b", 201))}, fault.TooLarge, "message.error.attachment_too_large"},
			{"too many", "Many", []message.Upload{message.NewUpload("a.pdf", pdfOf("a", 20)), message.NewUpload("b.pdf", pdfOf("b", 20)),
				message.NewUpload("c.pdf", pdfOf("c", 20))}, fault.Invalid, "message.error.attachment_too_many"},
			{"a path for a name", "Path", []message.Upload{message.NewUpload("../payslip.pdf", pdfOf("n", 30))}, fault.Invalid, "message.error.attachment_name"},
			{"wrong type", "Text", []message.Upload{message.NewUpload("notes.txt", []byte("plain text"))}, fault.Invalid, "message.error.attachment_type"},
			{"name not saying the type", "Named", []message.Upload{message.NewUpload("scan.png", pdfOf("p", 30))}, fault.Invalid, "message.error.attachment_mislabelled"},
			{"malware", "Scan", []message.Upload{message.NewUpload("invoice.pdf", append(pdfOf("i", 20), clamdtest.Malware...))}, fault.Invalid, "message.error.attachment_infected"},
			{"over the thread's quota", "Quota", []message.Upload{message.NewUpload("q1.pdf", pdfOf("q1", 100)), message.NewUpload("q2.pdf", pdfOf("q2", 60))},
				fault.TooLarge, "upload.error.thread_quota"},
		} {
			before := rows(t, db)
			_, err := e.mail.Reply(ctx, token, tc.body, tc.files)
			if !fault.Is(err, tc.kind) || fault.KeyOf(err) != tc.key || fault.FieldOf(err) != "attachments" {
				t.Errorf("%s: %v (key %q, field %q); want %s %s on attachments", tc.name, err, fault.KeyOf(err), fault.FieldOf(err), tc.kind, tc.key)
			}
			if after := rows(t, db); after != before {
				t.Errorf("%s: a refused reply wrote rows: %v → %v", tc.name, before, after)
			}
		}
		// The text's and the files' problems are told together.
		if err := fault.All(func() error {
			_, err := e.mail.Reply(ctx, token, " ", []message.Upload{message.NewUpload("notes.txt", []byte("x"))})
			return err
		}()); len(err) != 2 || err[0].Field != "body" || err[1].Field != "attachments" {
			t.Errorf("an empty reply with a wrong file: %v", err)
		}

		// Two replies racing for the 150 bytes left: one fits.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.mail.Reply(ctx, token, "Race", []message.Upload{message.NewUpload("r.pdf", pdfOf(fmt.Sprint(i), 100))})
			}()
		}
		wg.Wait()
		if ok := (errs[0] == nil) != (errs[1] == nil); !ok {
			t.Errorf("two replies for one thread's room: %v; want one stored", errs)
		}
		for _, err := range errs {
			if err != nil && fault.KeyOf(err) != "upload.error.thread_quota" {
				t.Errorf("the race's loser: %v", err)
			}
		}
		if _, left, _ := e.mail.UploadAllowance(ctx, token); left != 50 {
			t.Errorf("allowance after the race = %d; want 50", left)
		}

		// Another thread has a quota of its own.
		_, other := e.answered(t, ctx, "lucia@example.es")
		if _, left, err := e.mail.UploadAllowance(ctx, other); err != nil || left != 300 {
			t.Errorf("another thread's allowance = %d %v; want 300", left, err)
		}

		// A scanner that cannot tell refuses the file, never passes it.
		clamd.Stop(t)
		before := rows(t, db)
		if _, err := e.mail.Reply(ctx, other, "Scan", []message.Upload{message.NewUpload("s.pdf", pdfOf("s", 40))}); !fault.Is(err, fault.Unavailable) ||
			fault.KeyOf(err) != "message.error.scan_unavailable" {
			t.Errorf("scanner down: %v", err)
		}
		if after := rows(t, db); after != before {
			t.Errorf("scanner down: rows %v → %v", before, after)
		}
		if _, _, err := e.mail.UploadAllowance(ctx, token+"x"); !fault.Is(err, fault.NotFound) {
			t.Errorf("allowance of a wrong link: %v", err)
		}
	})
}
