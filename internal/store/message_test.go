package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

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

// codeFor is the newest verification code queued for a person.
func codeFor(t *testing.T, db *store.DB, personID string) string {
	t.Helper()
	code := ""
	for _, it := range pendingNotices(t, db) {
		if it.Kind == message.NoticeVerifyCode && it.PersonID == personID {
			code = it.Payload
		}
	}
	if code == "" {
		t.Fatalf("no code queued for %s", personID)
	}
	return code
}

var (
	maija = message.Party{Kind: message.PartyCustomer, ID: "demo-person-maija"}
	matti = message.Party{Kind: message.PartyCustomer, ID: "demo-person-matti"}
)

func TestThreads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := messageDB(t, db)
		file := message.NewFile("plan.pdf", message.TypePDF, []byte("%PDF-1.4 plan"))
		th, _, err := db.StartThread(ctx, store.NewThread{Party: maija, AuthorID: maija.ID, Lang: "fi", UnitID: "recovery",
			Subject: "recovery", Specification: "payment_plan", Title: "Plan", Body: "<b>50</b> a month?", Files: []message.File{file}})
		if err != nil {
			t.Fatal(err)
		}
		// The same content again is stored once.
		if _, _, err := db.StartThread(ctx, store.NewThread{Party: maija, AuthorID: maija.ID, Lang: "fi", UnitID: "international",
			Subject: "international", Specification: "moving_abroad", Title: "Moving", Body: "Hi", Files: []message.File{file}}); err != nil {
			t.Fatal(err)
		}
		var blobs int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM attachment_blobs`).Scan(&blobs); err != nil || blobs != 1 {
			t.Errorf("blobs = %d %v; want one per content", blobs, err)
		}
		if n, unread, err := db.PartyCounts(ctx, maija); err != nil || n != 2 || unread != 0 {
			t.Errorf("counts = %d %d %v", n, unread, err)
		}
		// Only the unit it was routed to sees it.
		q, err := db.UnitThreads(ctx, message.QueueFilter{UnitID: "recovery"})
		if err != nil || len(q) != 1 || q[0].ID != th.ID || q[0].PartyName != "Maija Meikäläinen" || q[0].UnreadByStaff != 1 {
			t.Fatalf("recovery queue = %+v %v", q, err)
		}
		if _, err := db.UnitThread(ctx, "demo-staff-kaisa", "international", th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another unit opens the thread: %v", err)
		}
		// Another customer cannot read, reply or fetch the attachment.
		if _, _, err := db.PartyThread(ctx, matti, th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another customer reads: %v", err)
		}
		if _, err := db.PartyReply(ctx, matti, matti.ID, th.ID, "hi", nil); !fault.Is(err, fault.NotFound) {
			t.Errorf("another customer replies: %v", err)
		}
		v, err := db.UnitThread(ctx, "demo-staff-anna", "recovery", th.ID)
		if err != nil || len(v.Messages) != 1 || len(v.Messages[0].Attachments) != 1 || v.Messages[0].Body != "<b>50</b> a month?" {
			t.Fatalf("staff view = %+v %v", v, err)
		}
		att := v.Messages[0].Attachments[0]
		if _, _, err := db.PartyAttachment(ctx, matti, att.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another customer's attachment: %v", err)
		}
		if _, data, err := db.PartyAttachment(ctx, maija, att.ID); err != nil || string(data) != "%PDF-1.4 plan" {
			t.Errorf("own attachment = %q %v", data, err)
		}
		if _, _, err := db.UnitAttachment(ctx, "demo-staff-kaisa", "international", att.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another unit's attachment: %v", err)
		}
		if _, data, err := db.UnitAttachment(ctx, "demo-staff-anna", "recovery", att.ID); err != nil || len(data) == 0 {
			t.Errorf("the unit's attachment: %v", err)
		}

		// A note is not a reply: no notice, not shown to the customer.
		if _, err := db.Reply(ctx, store.StaffReply{StaffID: "demo-staff-anna", UnitID: "recovery", ThreadID: th.ID, Body: "note", Internal: true}); err != nil {
			t.Fatal(err)
		}
		if n := len(pendingNotices(t, db)); n != 0 {
			t.Errorf("a note queued %d notices", n)
		}
		if _, err := db.Reply(ctx, store.StaffReply{StaffID: "demo-staff-anna", UnitID: "recovery", ThreadID: th.ID, Body: "Yes."}); err != nil {
			t.Fatal(err)
		}
		notices := pendingNotices(t, db)
		if len(notices) != 1 || notices[0].Kind != message.NoticeNewMessage || notices[0].Recipient != "maija.meikalainen@example.fi" ||
			notices[0].ThreadID != th.ID || notices[0].Payload != "" {
			t.Fatalf("notices = %+v", notices)
		}
		if _, unread, _ := db.PartyCounts(ctx, maija); unread != 1 {
			t.Errorf("unread after the answer = %d", unread)
		}
		got, msgs, err := db.PartyThread(ctx, maija, th.ID)
		if err != nil || got.Status != message.StatusAnswered || len(msgs) != 2 || msgs[1].Body != "Yes." {
			t.Fatalf("customer view = %+v %+v %v", got, msgs, err)
		}
		if _, unread, _ := db.PartyCounts(ctx, maija); unread != 0 {
			t.Errorf("unread after reading = %d", unread)
		}
		// The customer's reply puts it back in the service-level view.
		if _, err := db.PartyReply(ctx, maija, maija.ID, th.ID, "Thanks", nil); err != nil {
			t.Fatal(err)
		}
		w, err := db.UnitThreads(ctx, message.QueueFilter{UnitID: "recovery", Waiting: true})
		if err != nil || len(w) != 1 || w[0].WaitingSince.IsZero() {
			t.Errorf("waiting = %+v %v", w, err)
		}
		if mine, _ := db.UnitThreads(ctx, message.QueueFilter{UnitID: "recovery", Assigned: "me", StaffID: "demo-staff-anna"}); len(mine) != 1 {
			t.Errorf("answering did not assign the thread: %+v", mine)
		}

		// Moving is audited and takes the thread out of the queue.
		if err := db.MoveThread(ctx, "demo-staff-anna", "recovery", th.ID, "recovery"); !fault.Is(err, fault.Invalid) {
			t.Errorf("move to the same unit: %v", err)
		}
		if err := db.MoveThread(ctx, "demo-staff-anna", "recovery", th.ID, "nowhere"); !fault.Is(err, fault.Invalid) {
			t.Errorf("move to no unit: %v", err)
		}
		if err := db.MoveThread(ctx, "demo-staff-anna", "recovery", th.ID, "international"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UnitThread(ctx, "demo-staff-anna", "recovery", th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the moved thread is still the old unit's: %v", err)
		}
		es, _ := db.AuditForSubject(ctx, maija.ID, 100)
		var acts []string
		for _, e := range es {
			acts = append(acts, e.Action)
		}
		for _, want := range []string{"thread.started", "thread.read", "thread.staff_reply", "thread.internal_note", "thread.moved", "thread.attachment_read"} {
			if !strings.Contains(strings.Join(acts, ","), want) {
				t.Errorf("audit lacks %s: %v", want, acts)
			}
		}
	})
}

func TestConsentVerification(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := messageDB(t, db)
		c, err := db.Consent(ctx, "demo-person-johan")
		if err != nil || !c.Verified || c.Address != "johan.korhonen@example.fi" {
			t.Fatalf("demo consent = %+v %v", c, err)
		}
		// A new number needs a code; until then nothing is noticed to it.
		sent, err := db.SetConsent(ctx, "demo-person-johan", "en", message.Consent{AllowMessages: true, Channel: message.ChannelSMS, Address: "+358401234567"})
		if err != nil || !sent {
			t.Fatalf("SetConsent = %v %v", sent, err)
		}
		ns := pendingNotices(t, db)
		if len(ns) != 1 || ns[0].Kind != message.NoticeVerifyCode || ns[0].Channel != outbox.SMS || len(ns[0].Payload) != 6 {
			t.Fatalf("code notice = %+v", ns)
		}
		code := ns[0].Payload
		if c, _ := db.Consent(ctx, "demo-person-johan"); c.Verified || c.Notifies() {
			t.Errorf("unverified consent notifies: %+v", c)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if err := db.VerifyConsent(ctx, "demo-person-johan", wrong); fault.KeyOf(err) != "message.error.code_wrong" {
			t.Errorf("wrong code: %v", err)
		}
		if err := db.VerifyConsent(ctx, "demo-person-johan", code); err != nil {
			t.Fatalf("right code: %v", err)
		}
		if c, _ := db.Consent(ctx, "demo-person-johan"); !c.Notifies() || c.Address != "+358401234567" {
			t.Errorf("verified consent = %+v", c)
		}
		if err := db.VerifyConsent(ctx, "demo-person-johan", code); !fault.Is(err, fault.Conflict) {
			t.Errorf("code used twice: %v", err)
		}
		// A code older than a quarter of an hour is refused.
		db.SetConsent(ctx, "demo-person-maija", "fi", message.Consent{AllowMessages: true, Channel: message.ChannelEmail, Address: "maija@example.org"})
		late := codeFor(t, db, "demo-person-maija")
		db.Now = func() time.Time { return time.Now().Add(16 * time.Minute) }
		if err := db.VerifyConsent(ctx, "demo-person-maija", late); fault.KeyOf(err) != "message.error.code_expired" {
			t.Errorf("a code 16 minutes old: %v", err)
		}
		db.Now = time.Now
		// Five wrong tries spend a code.
		db.SetConsent(ctx, "demo-person-sanna", "sv", message.Consent{AllowMessages: true, Channel: message.ChannelEmail, Address: "sanna@example.se"})
		code = codeFor(t, db, "demo-person-sanna")
		for range 5 {
			db.VerifyConsent(ctx, "demo-person-sanna", "x")
		}
		if err := db.VerifyConsent(ctx, "demo-person-sanna", code); fault.KeyOf(err) != "message.error.code_tries" {
			t.Errorf("after five wrong tries: %v", err)
		}
		// Guesses racing each other still count to five.
		db.SetConsent(ctx, "demo-person-matti", "fi", message.Consent{AllowMessages: true, Channel: message.ChannelEmail, Address: "matti@example.fi"})
		var mu sync.Mutex
		wrongs := 0
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if fault.KeyOf(db.VerifyConsent(ctx, "demo-person-matti", "x")) == "message.error.code_wrong" {
					mu.Lock()
					wrongs++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wrongs > 5 {
			t.Errorf("%d wrong guesses were weighed; at most 5 may be", wrongs)
		}
		// At most five codes an hour.
		for range 4 {
			if err := db.ResendCode(ctx, "demo-person-sanna", "sv"); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.ResendCode(ctx, "demo-person-sanna", "sv"); !fault.Is(err, fault.TooMany) {
			t.Errorf("sixth code in an hour: %v", err)
		}
	})
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
		q, err := db.UnitThreads(ctx, message.QueueFilter{UnitID: "recovery", Subject: "secure_email"})
		if err != nil || len(q) != 1 || q[0].PartyName != "kati@example.ee" || q[0].Title != "Plan" {
			t.Fatalf("queue = %+v %v", q, err)
		}
		// A note's file never reaches the sender.
		note, err := db.Reply(ctx, store.StaffReply{StaffID: "demo-staff-anna", UnitID: "recovery", ThreadID: q[0].ID, Body: "note", Internal: true,
			Files: []message.File{message.NewFile("memo.pdf", message.TypePDF, []byte("%PDF-1.4 memo"))}})
		if err != nil {
			t.Fatal(err)
		}
		var token string
		reply, err := db.Reply(ctx, store.StaffReply{StaffID: "demo-staff-anna", UnitID: "recovery", ThreadID: q[0].ID, Body: "Fine.",
			Files:    []message.File{message.NewFile("decision.pdf", message.TypePDF, []byte("%PDF-1.4 decision"))},
			ReadLink: func(tok string) string { token = tok; return "https://etuus.example/secure-email/r/" + tok }})
		if err != nil {
			t.Fatal(err)
		}
		ns := pendingNotices(t, db)
		if len(ns) != 1 || ns[0].Kind != message.NoticeSecureReply || ns[0].Recipient != "kati@example.ee" || !strings.HasSuffix(ns[0].Payload, token) {
			t.Fatalf("notice = %+v", ns)
		}
		_, msgs, err := db.SecureThread(ctx, token)
		if err != nil || len(msgs) != 2 || msgs[1].Body != "Fine." {
			t.Errorf("reading = %+v %v", msgs, err)
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
