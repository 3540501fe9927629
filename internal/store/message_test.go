package store_test

import (
	"context"
	"strings"
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

// messageDB is a database with the reference and demo data, whose demo
// people have verified e-mail consent.
func messageDB(t *testing.T, db *store.DB) context.Context {
	t.Helper()
	ctx := context.Background()
	units, contacts, _ := org.Reference()
	if err := db.SeedReference(ctx, units, contacts); err != nil {
		t.Fatal(err)
	}
	d, err := demo.Set()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func pendingNotices(t *testing.T, db *store.DB) []outbox.Item {
	t.Helper()
	items, err := db.ClaimOutbox(context.Background(), "test-peek", 1000, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestSecureEmailBecomesThread(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := messageDB(t, db)
		l := securemail.Link{Email: "kati@example.ee", UnitID: "recovery", Lang: "en", ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.CreateLink(ctx, &l, "tok", "e", "c", ""); err != nil {
			t.Fatal(err)
		}
		m := securemail.Message{Subject: "Plan", Body: "50 a month"}
		if err := db.UseLink(ctx, "tok", &m); err != nil {
			t.Fatal(err)
		}
		var token string
		msgs, err := message.NewService(db.Messages(), message.Config{
			ReadLink: func(tok string) string { token = tok; return "https://etuus.example/secure-email/r/" + tok }})
		if err != nil {
			t.Fatal(err)
		}
		anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")
		queue, err := msgs.Queue(ctx, anna, message.QueueFilter{Subject: "secure_email"})
		q := queue.Threads
		if err != nil || len(q) != 1 || q[0].PartyName != "kati@example.ee" || q[0].Title != "Plan" {
			t.Fatalf("queue = %+v %v", q, err)
		}
		// A note's file never reaches the sender.
		note, err := msgs.AddNote(ctx, anna, q[0].ID, "note", []message.Upload{message.NewUpload("memo.pdf", []byte("%PDF-1.4 memo"))})
		if err != nil {
			t.Fatal(err)
		}
		reply, err := msgs.Reply(ctx, anna, q[0].ID, "Fine.", []message.Upload{message.NewUpload("decision.pdf", []byte("%PDF-1.4 decision"))})
		if err != nil {
			t.Fatal(err)
		}
		ns := pendingNotices(t, db)
		if len(ns) != 1 || ns[0].Kind != message.NoticeSecureReply || ns[0].Recipient != "kati@example.ee" || !strings.HasSuffix(ns[0].Payload, token) {
			t.Fatalf("notice = %+v", ns)
		}
		_, read, err := db.SecureThread(ctx, token)
		if err != nil || len(read) != 2 || read[1].Body != "Fine." {
			t.Errorf("reading = %+v %v", read, err)
		}
		if _, _, err := db.SecureThread(ctx, token+"x"); !fault.Is(err, fault.NotFound) {
			t.Errorf("wrong token: %v", err)
		}
		att := reply.Attachments[0].ID
		if _, data, err := db.SecureAttachment(ctx, token, att); err != nil || string(data) != "%PDF-1.4 decision" {
			t.Errorf("the answer's file = %q, %v", data, err)
		}
		for name, tok := range map[string]string{"a wrong token": token + "x", "the note's file": token} {
			id := att
			if name == "the note's file" {
				id = note.Attachments[0].ID
			}
			if _, _, err := db.SecureAttachment(ctx, tok, id); !fault.Is(err, fault.NotFound) {
				t.Errorf("%s: %v", name, err)
			}
		}
		// After 14 days the link reads nothing.
		db.Now = func() time.Time { return time.Now().Add(15 * 24 * time.Hour) }
		if _, _, err := db.SecureThread(ctx, token); !fault.Is(err, fault.NotFound) {
			t.Errorf("an expired reading link: %v", err)
		}
		if _, _, err := db.SecureAttachment(ctx, token, att); !fault.Is(err, fault.NotFound) {
			t.Errorf("an expired link's file: %v", err)
		}
	})
}
