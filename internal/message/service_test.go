package message_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var (
	maija = access.AsCustomer("demo-person-maija")
	matti = access.AsCustomer("demo-person-matti")
	anna  = access.AsStaff("demo-staff-anna", "recovery", "specialist")
	pekka = access.AsStaff("demo-staff-pekka", "recovery", "manager")
	kaisa = access.AsStaff("demo-staff-kaisa", "international", "specialist")
)

// seeded writes the reference and demo data: demo people have verified
// e-mail consent.
func seeded(t *testing.T, db *store.DB) context.Context {
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

func newService(t *testing.T, db *store.DB, cfg message.Config) *message.Service {
	t.Helper()
	if cfg.ReadLink == nil {
		cfg.ReadLink = func(token string) string { return "https://etuus.example/secure-email/r/" + token }
	}
	s, err := message.NewService(db.Messages(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pendingNotices(t *testing.T, db *store.DB) []outbox.Item {
	t.Helper()
	items, err := db.ClaimOutbox(context.Background(), "test-peek", 1000, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func pdf(name, content string) message.Upload {
	return message.NewUpload(name, []byte("%PDF-1.4 "+content))
}

func send(t *testing.T, s *message.Service, a access.Actor, title string, files ...message.Upload) message.Thread {
	t.Helper()
	th, _, err := s.Send(context.Background(), a, message.Draft{Lang: "fi", Subject: "recovery", Specification: "payment_plan",
		Title: title, Body: "Text of " + title, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func wantKind(t *testing.T, what string, err error, k fault.Kind) {
	t.Helper()
	if !fault.Is(err, k) {
		t.Errorf("%s: %v; want %s", what, err, k)
	}
}

// TestThreadAccess: a customer reaches only their own threads and files,
// staff only their unit's and only with the permission.
func TestThreadAccess(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		// Only specialists of the Recovery Centre work messages here.
		perms, err := access.Load(strings.NewReader(`{"messages.queue": [{"unit": "recovery", "role": "specialist"}, {"unit": "international", "role": "*"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		s := newService(t, db, message.Config{Permissions: perms})
		th := send(t, s, maija, "Plan", pdf("plan.pdf", "plan"))
		v, err := s.StaffThread(ctx, anna, th.ID)
		if err != nil || len(v.Messages) != 1 || len(v.Messages[0].Attachments) != 1 {
			t.Fatalf("staff view = %+v %v", v, err)
		}
		att := v.Messages[0].Attachments[0].ID

		// Another customer: not found, as a thread that does not exist.
		_, _, err = s.Thread(ctx, matti, th.ID)
		wantKind(t, "another customer reads", err, fault.NotFound)
		_, err = s.Reply(ctx, matti, th.ID, "hijack", nil)
		wantKind(t, "another customer replies", err, fault.NotFound)
		wantKind(t, "another customer marks read", s.MarkRead(ctx, matti, th.ID), fault.NotFound)
		_, err = s.Attachment(ctx, matti, att)
		wantKind(t, "another customer's attachment", err, fault.NotFound)
		_, _, err = s.Thread(ctx, matti, "no-such-thread")
		wantKind(t, "no such thread", err, fault.NotFound)
		if f, err := s.Attachment(ctx, maija, att); err != nil || string(f.Data) != "%PDF-1.4 plan" {
			t.Errorf("own attachment = %q %v", f.Data, err)
		}

		// Staff of another unit: not found.
		_, err = s.StaffThread(ctx, kaisa, th.ID)
		wantKind(t, "another unit reads", err, fault.NotFound)
		_, err = s.Reply(ctx, kaisa, th.ID, "answer", nil)
		wantKind(t, "another unit answers", err, fault.NotFound)
		_, err = s.AddNote(ctx, kaisa, th.ID, "note", nil)
		wantKind(t, "another unit notes", err, fault.NotFound)
		wantKind(t, "another unit assigns", s.Assign(ctx, kaisa, th.ID), fault.NotFound)
		wantKind(t, "another unit closes", s.Close(ctx, kaisa, th.ID), fault.NotFound)
		wantKind(t, "another unit moves", s.Move(ctx, kaisa, th.ID, "international"), fault.NotFound)
		wantKind(t, "another unit marks read", s.MarkRead(ctx, kaisa, th.ID), fault.NotFound)
		_, err = s.Attachment(ctx, kaisa, att)
		wantKind(t, "another unit's attachment", err, fault.NotFound)
		if q, err := s.Queue(ctx, kaisa, message.QueueFilter{UnitID: "recovery"}); err != nil || len(q.Threads) != 0 {
			t.Errorf("another unit's queue, asking for recovery's = %+v %v", q, err)
		}

		// Staff without the permission: forbidden, whatever the thread.
		for name, call := range map[string]func() error{
			"queue":      func() error { _, err := s.Queue(ctx, pekka, message.QueueFilter{}); return err },
			"read":       func() error { _, err := s.StaffThread(ctx, pekka, th.ID); return err },
			"answer":     func() error { _, err := s.Reply(ctx, pekka, th.ID, "answer", nil); return err },
			"note":       func() error { _, err := s.AddNote(ctx, pekka, th.ID, "note", nil); return err },
			"assign":     func() error { return s.Assign(ctx, pekka, th.ID) },
			"close":      func() error { return s.Close(ctx, pekka, th.ID) },
			"move":       func() error { return s.Move(ctx, pekka, th.ID, "international") },
			"mark read":  func() error { return s.MarkRead(ctx, pekka, th.ID) },
			"attachment": func() error { _, err := s.Attachment(ctx, pekka, att); return err },
			// A customer is never staff.
			"customer's queue": func() error { _, err := s.Queue(ctx, maija, message.QueueFilter{}); return err },
			"customer note":    func() error { _, err := s.AddNote(ctx, maija, th.ID, "note", nil); return err },
			"customer assigns": func() error { return s.Assign(ctx, maija, th.ID) },
			// Nor is staff a customer.
			"staff sends":   func() error { _, _, err := s.Send(ctx, anna, message.Draft{}); return err },
			"staff folder":  func() error { _, err := s.Folder(ctx, anna, message.Inbox, 1); return err },
			"staff consent": func() error { _, err := s.Consent(ctx, anna); return err },
			"system reads":  func() error { _, _, err := s.Thread(ctx, access.AsSystem("cli"), th.ID); return err },
		} {
			wantKind(t, name, call(), fault.Forbidden)
		}
		// What was refused changed nothing.
		if v, _ := s.StaffThread(ctx, anna, th.ID); len(v.Messages) != 1 || v.AssignedTo != "" || v.UnitID != "recovery" || v.Status != message.StatusOpen {
			t.Errorf("refused calls changed the thread: %+v", v)
		}
	})
}

// TestThreadConcurrency: replies, reads and moves racing on one thread
// leave the unread counts and the state as if they had come one by one.
func TestThreadConcurrency(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		s := newService(t, db, message.Config{})
		th := send(t, s, maija, "Race")
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, 3*n)
		for i := range n {
			wg.Go(func() {
				_, err := s.Reply(ctx, maija, th.ID, "customer "+string(rune('a'+i)), nil)
				errs <- err
			})
			wg.Go(func() {
				_, err := s.Reply(ctx, anna, th.ID, "staff "+string(rune('a'+i)), nil)
				errs <- err
			})
			wg.Go(func() {
				_, err := s.AddNote(ctx, anna, th.ID, "note", nil)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		v, err := s.StaffThread(ctx, pekka, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The first message and n customer replies were unread by staff
		// until this read; n answers are unread by the customer.
		if len(v.Messages) != 1+3*n || v.UnreadByCustomer != n {
			t.Errorf("%d messages, %d unread by the customer; want %d, %d", len(v.Messages), v.UnreadByCustomer, 1+3*n, n)
		}
		f, err := s.Folder(ctx, maija, message.Inbox, 1)
		if err != nil || f.Unread != n {
			t.Errorf("folder unread = %d %v; want %d", f.Unread, err, n)
		}
		// Whichever came last, the state is one the rules make: open and
		// waiting, or answered and not.
		switch {
		case v.Status == message.StatusOpen && !v.WaitingSince.IsZero():
		case v.Status == message.StatusAnswered && v.WaitingSince.IsZero():
		default:
			t.Errorf("status %s, waiting since %v", v.Status, v.WaitingSince)
		}
		if v.AssignedTo != anna.ID {
			t.Errorf("answered, but assigned to %q", v.AssignedTo)
		}
		if len(pendingNotices(t, db)) != n {
			t.Errorf("notices for %d answers", n)
		}

		// Two staff move it at once: one wins; the other finds it gone
		// from their unit.
		th2 := send(t, s, maija, "Moved")
		var moved, gone int
		var mu sync.Mutex
		for _, to := range []string{"international", "shared-services", "international", "shared-services"} {
			wg.Go(func() {
				err := s.Move(ctx, anna, th2.ID, to)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					moved++
				case fault.Is(err, fault.NotFound):
					gone++
				default:
					t.Errorf("move: %v", err)
				}
			})
		}
		wg.Wait()
		if moved != 1 || gone != 3 {
			t.Errorf("%d moves took, %d found it gone; want 1 and 3", moved, gone)
		}
		q, _ := s.Queue(ctx, kaisa, message.QueueFilter{})
		g, _ := s.Queue(ctx, access.AsStaff("demo-staff-olli", "shared-services", "operations"), message.QueueFilter{})
		all := append(q.Threads, g.Threads...)
		if len(all) != 1 || all[0].ID != th2.ID || all[0].UnreadByStaff != 2 || all[0].AssignedTo != "" {
			t.Fatalf("after the move the queues hold %+v", all)
		}
	})
}

// TestFolderCache: a folder read again shows every change at once: those
// made through the service, and a message or a read by another process
// (which changes the stamp); a close by another process shows within the
// cache's bound.
func TestFolderCache(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		s := newService(t, db, message.Config{FolderCache: time.Hour})
		other := newService(t, db, message.Config{FolderCache: time.Hour})
		th := send(t, s, maija, "Cached")
		folder := func(svc *message.Service) message.Folder {
			t.Helper()
			f, err := svc.Folder(ctx, maija, message.Inbox, 1)
			if err != nil || len(f.Threads) != 1 {
				t.Fatalf("folder = %+v %v", f, err)
			}
			return f
		}
		folder(s)
		if err := s.Close(ctx, anna, th.ID); err != nil {
			t.Fatal(err)
		}
		if f := folder(s); f.Threads[0].Status != message.StatusClosed {
			t.Errorf("after a close through the service: %s", f.Threads[0].Status)
		}
		if _, err := other.Reply(ctx, anna, th.ID, "Answer", nil); err != nil {
			t.Fatal(err)
		}
		if f := folder(s); f.Threads[0].Status != message.StatusAnswered || f.Unread != 1 || f.Threads[0].UnreadByCustomer != 1 {
			t.Errorf("after an answer by another process: %+v", f)
		}
		if _, _, err := other.Thread(ctx, maija, th.ID); err != nil {
			t.Fatal(err)
		}
		if f := folder(s); f.Unread != 0 || f.Threads[0].UnreadByCustomer != 0 {
			t.Errorf("after reading in another process: %+v", f)
		}
		// A close elsewhere keeps the stamp: it shows once the bound ran out.
		short := newService(t, db, message.Config{FolderCache: 50 * time.Millisecond})
		folder(short)
		if err := other.Close(ctx, anna, th.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(60 * time.Millisecond)
		if f := folder(short); f.Threads[0].Status != message.StatusClosed {
			t.Errorf("a close by another process after the bound: %s", f.Threads[0].Status)
		}
	})
}

// The service keeps codes and reading links as internal/auth keeps
// session tokens, so rows written before it moved still match.
func TestTokenHashUnchanged(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		s := newService(t, db, message.Config{})
		if _, err := s.SetConsent(ctx, matti, "fi", message.Consent{AllowMessages: true, Channel: message.ChannelEmail, Address: "m@example.fi"}); err != nil {
			t.Fatal(err)
		}
		var code string
		for _, it := range pendingNotices(t, db) {
			code = it.Payload
		}
		var hash string
		if err := db.SQL().QueryRow(`SELECT code_hash FROM consent_codes WHERE person_id = $1`, matti.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if hash != auth.HashToken(matti.ID+":"+code) {
			t.Errorf("the code is kept as %s", hash)
		}
	})
}

func TestThreads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		s := newService(t, db, message.Config{})
		file := pdf("plan.pdf", "plan")
		th, _, err := s.Send(ctx, maija, message.Draft{Lang: "fi", Subject: "recovery", Specification: "payment_plan",
			Title: "Plan", Body: "<b>50</b> a month?", Files: []message.Upload{file}})
		if err != nil {
			t.Fatal(err)
		}
		// The same content again is stored once.
		if _, _, err := s.Send(ctx, maija, message.Draft{Lang: "fi", Subject: "international", Specification: "moving_abroad",
			Title: "Moving", Body: "Hi", Files: []message.Upload{file}}); err != nil {
			t.Fatal(err)
		}
		var blobs int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM attachment_blobs`).Scan(&blobs); err != nil || blobs != 1 {
			t.Errorf("blobs = %d %v; want one per content", blobs, err)
		}
		if f, err := s.Folder(ctx, maija, message.Inbox, 1); err != nil || f.Total != 2 || f.Unread != 0 {
			t.Errorf("counts = %d %d %v", f.Total, f.Unread, err)
		}
		// Only the unit it was routed to sees it.
		q, err := s.Queue(ctx, anna, message.QueueFilter{})
		if err != nil || len(q.Threads) != 1 || q.Threads[0].ID != th.ID || q.Threads[0].PartyName != "Maija Meikäläinen" || q.Threads[0].UnreadByStaff != 1 {
			t.Fatalf("recovery queue = %+v %v", q, err)
		}
		if _, err := s.StaffThread(ctx, kaisa, th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another unit opens the thread: %v", err)
		}
		// Another customer cannot read, reply or fetch the attachment.
		if _, _, err := s.Thread(ctx, matti, th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another customer reads: %v", err)
		}
		if _, err := s.Reply(ctx, matti, th.ID, "hi", nil); !fault.Is(err, fault.NotFound) {
			t.Errorf("another customer replies: %v", err)
		}
		v, err := s.StaffThread(ctx, anna, th.ID)
		if err != nil || len(v.Messages) != 1 || len(v.Messages[0].Attachments) != 1 || v.Messages[0].Body != "<b>50</b> a month?" {
			t.Fatalf("staff view = %+v %v", v, err)
		}
		att := v.Messages[0].Attachments[0]
		if _, err := s.Attachment(ctx, matti, att.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another customer's attachment: %v", err)
		}
		if f, err := s.Attachment(ctx, maija, att.ID); err != nil || string(f.Data) != "%PDF-1.4 plan" {
			t.Errorf("own attachment = %q %v", f.Data, err)
		}
		if _, err := s.Attachment(ctx, kaisa, att.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another unit's attachment: %v", err)
		}
		if f, err := s.Attachment(ctx, anna, att.ID); err != nil || len(f.Data) == 0 {
			t.Errorf("the unit's attachment: %v", err)
		}

		// A note is not a reply: no notice, not shown to the customer.
		if _, err := s.AddNote(ctx, anna, th.ID, "note", nil); err != nil {
			t.Fatal(err)
		}
		if n := len(pendingNotices(t, db)); n != 0 {
			t.Errorf("a note queued %d notices", n)
		}
		if _, err := s.Reply(ctx, anna, th.ID, "Yes.", nil); err != nil {
			t.Fatal(err)
		}
		notices := pendingNotices(t, db)
		if len(notices) != 1 || notices[0].Kind != message.NoticeNewMessage || notices[0].Recipient != "maija.meikalainen@example.fi" ||
			notices[0].ThreadID != th.ID || notices[0].Payload != "" {
			t.Fatalf("notices = %+v", notices)
		}
		if f, _ := s.Folder(ctx, maija, message.Inbox, 1); f.Unread != 1 {
			t.Errorf("unread after the answer = %d", f.Unread)
		}
		got, msgs, err := s.Thread(ctx, maija, th.ID)
		if err != nil || got.Status != message.StatusAnswered || len(msgs) != 2 || msgs[1].Body != "Yes." {
			t.Fatalf("customer view = %+v %+v %v", got, msgs, err)
		}
		if f, _ := s.Folder(ctx, maija, message.Inbox, 1); f.Unread != 0 {
			t.Errorf("unread after reading = %d", f.Unread)
		}
		// The customer's reply puts it back in the service-level view.
		if _, err := s.Reply(ctx, maija, th.ID, "Thanks", nil); err != nil {
			t.Fatal(err)
		}
		w, err := s.Queue(ctx, anna, message.QueueFilter{Waiting: true})
		if err != nil || len(w.Threads) != 1 || w.Threads[0].WaitingSince.IsZero() || w.Waiting != 1 {
			t.Errorf("waiting = %+v %v", w, err)
		}
		if mine, _ := s.Queue(ctx, anna, message.QueueFilter{Assigned: "me"}); len(mine.Threads) != 1 {
			t.Errorf("answering did not assign the thread: %+v", mine)
		}

		// Moving is audited and takes the thread out of the queue.
		if err := s.Move(ctx, anna, th.ID, "recovery"); !fault.Is(err, fault.Invalid) {
			t.Errorf("move to the same unit: %v", err)
		}
		if err := s.Move(ctx, anna, th.ID, "nowhere"); !fault.Is(err, fault.Invalid) {
			t.Errorf("move to no unit: %v", err)
		}
		if err := s.Move(ctx, anna, th.ID, "international"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StaffThread(ctx, anna, th.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the moved thread is still the old unit's: %v", err)
		}
		es, _ := db.AuditForSubject(ctx, maija.ID, 100)
		var acts []string
		for _, e := range es {
			acts = append(acts, e.Action)
		}
		for _, want := range []string{"thread.started", "thread.read", "thread.staff_reply", "thread.internal_note", "thread.moved",
			"thread.attachment_read", "thread.queue_read", "thread.customer_reply"} {
			if !strings.Contains(strings.Join(acts, ","), want) {
				t.Errorf("audit lacks %s: %v", want, acts)
			}
		}
	})
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

func TestConsentVerification(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		s := newService(t, db, message.Config{SMS: true})
		johan, sanna, mattiC := access.AsCustomer("demo-person-johan"), access.AsCustomer("demo-person-sanna"), matti
		c, err := s.Consent(ctx, johan)
		if err != nil || !c.Verified || c.Address != "johan.korhonen@example.fi" {
			t.Fatalf("demo consent = %+v %v", c, err)
		}
		// A new number needs a code; until then nothing is noticed to it.
		sent, err := s.SetConsent(ctx, johan, "en", message.Consent{AllowMessages: true, Channel: message.ChannelSMS, Address: "+358401234567"})
		if err != nil || !sent {
			t.Fatalf("SetConsent = %v %v", sent, err)
		}
		ns := pendingNotices(t, db)
		if len(ns) != 1 || ns[0].Kind != message.NoticeVerifyCode || ns[0].Channel != outbox.SMS || len(ns[0].Payload) != 6 {
			t.Fatalf("code notice = %+v", ns)
		}
		code := ns[0].Payload
		if c, _ := s.Consent(ctx, johan); c.Verified || c.Notifies() {
			t.Errorf("unverified consent notifies: %+v", c)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if err := s.VerifyConsent(ctx, johan, wrong); fault.KeyOf(err) != "message.error.code_wrong" {
			t.Errorf("wrong code: %v", err)
		}
		if err := s.VerifyConsent(ctx, johan, code); err != nil {
			t.Fatalf("right code: %v", err)
		}
		if c, _ := s.Consent(ctx, johan); !c.Notifies() || c.Address != "+358401234567" {
			t.Errorf("verified consent = %+v", c)
		}
		if err := s.VerifyConsent(ctx, johan, code); !fault.Is(err, fault.Conflict) {
			t.Errorf("code used twice: %v", err)
		}
		// SMS is refused where no gateway sends it.
		noSMS := newService(t, db, message.Config{})
		if _, err := noSMS.SetConsent(ctx, johan, "en", message.Consent{AllowMessages: true, Channel: message.ChannelSMS, Address: "+358401234568"}); fault.FieldOf(err) != "channel" {
			t.Errorf("SMS without a gateway: %v", err)
		}
		// A code older than a quarter of an hour is refused.
		s.SetConsent(ctx, maija, "fi", message.Consent{AllowMessages: true, Channel: message.ChannelEmail, Address: "maija@example.org"})
		late := codeFor(t, db, maija.ID)
		db.Now = func() time.Time { return time.Now().Add(16 * time.Minute) }
		if err := s.VerifyConsent(ctx, maija, late); fault.KeyOf(err) != "message.error.code_expired" {
			t.Errorf("a code 16 minutes old: %v", err)
		}
		db.Now = time.Now
		// Five wrong tries spend a code.
		s.SetConsent(ctx, sanna, "sv", message.Consent{AllowMessages: true, Channel: message.ChannelEmail, Address: "sanna@example.se"})
		code = codeFor(t, db, sanna.ID)
		for range 5 {
			s.VerifyConsent(ctx, sanna, "x")
		}
		if err := s.VerifyConsent(ctx, sanna, code); fault.KeyOf(err) != "message.error.code_tries" {
			t.Errorf("after five wrong tries: %v", err)
		}
		// Guesses racing each other still count to five.
		s.SetConsent(ctx, mattiC, "fi", message.Consent{AllowMessages: true, Channel: message.ChannelEmail, Address: "matti@example.fi"})
		var mu sync.Mutex
		wrongs := 0
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if fault.KeyOf(s.VerifyConsent(ctx, mattiC, "x")) == "message.error.code_wrong" {
					mu.Lock()
					wrongs++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wrongs > 5 {
			t.Errorf("%d wrong guesses were weighed; at most 5 may be", wrongs)
		}
		// At most five codes an hour.
		for range 4 {
			if err := s.ResendCode(ctx, sanna, "sv"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ResendCode(ctx, sanna, "sv"); !fault.Is(err, fault.TooMany) {
			t.Errorf("sixth code in an hour: %v", err)
		}
	})
}

// A unit's queue is read a page at a time after a cursor: the pages
// together list every thread once, in the view's order, also when threads
// share their sort time.
func TestQueuePagesFollowTheCursor(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := seeded(t, db)
		s := newService(t, db, message.Config{})
		start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		var sent []string
		for i := range 7 {
			// Threads 2 and 3 arrive at the same instant: the ID orders them.
			// Fractions of a second of different lengths (SQLite compares
			// the times as text).
			at := start.Add(time.Duration(i)*time.Second + time.Duration(i*i*i)*7*time.Microsecond)
			if i == 3 {
				at = start.Add(2*time.Second + 56*time.Microsecond)
			}
			db.SetClock(func() time.Time { return at })
			th, _, err := s.Send(ctx, maija, message.Draft{Lang: "fi", Subject: "recovery", Specification: "payment_plan",
				Title: "Thread " + string(rune('A'+i)), Body: "hello"})
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, th.ID)
		}
		db.SetClock(func() time.Time { return start.Add(time.Hour) })
		for _, view := range []message.QueueFilter{{}, {Waiting: true}} {
			f := view
			f.Limit = 3
			var seen []message.StaffThread
			for page := 0; ; page++ {
				if page > 5 {
					t.Fatal("the cursor does not move on")
				}
				q, err := s.Queue(ctx, anna, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(q.Threads) > 3 {
					t.Fatalf("a page of %d threads, limit 3", len(q.Threads))
				}
				seen = append(seen, q.Threads...)
				if q.Next.IsZero() {
					break
				}
				c, ok := message.ParseQueueCursor(q.Next.String())
				if !ok || c != q.Next {
					t.Fatalf("cursor %q reads back as %+v %v", q.Next, c, ok)
				}
				f.After = c
			}
			if len(seen) != len(sent) {
				t.Fatalf("waiting=%v: the pages listed %d threads, want %d", view.Waiting, len(seen), len(sent))
			}
			ids := map[string]bool{}
			for i, th := range seen {
				if ids[th.ID] {
					t.Fatalf("thread %s listed twice", th.ID)
				}
				ids[th.ID] = true
				if i == 0 {
					continue
				}
				a, b := seen[i-1], th
				inOrder := a.LastMessageAt.After(b.LastMessageAt) || a.LastMessageAt.Equal(b.LastMessageAt) && a.ID > b.ID
				if view.Waiting {
					inOrder = a.WaitingSince.Before(b.WaitingSince) || a.WaitingSince.Equal(b.WaitingSince) && a.ID < b.ID
				}
				if !inOrder {
					t.Fatalf("waiting=%v: %s listed before %s", view.Waiting, a.Title, b.Title)
				}
			}
		}
	})
}

func FuzzParseQueueCursor(f *testing.F) {
	for _, s := range []string{"", "1764666000000000000.01900000-0000-7000-8000-000000000000", "1.a", "x.y", "-1.a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := message.ParseQueueCursor(s)
		if !ok {
			return
		}
		// What it reads, it writes back the same.
		if back, ok := message.ParseQueueCursor(c.String()); !ok || back != c {
			t.Fatalf("%q -> %+v -> %q -> %+v %v", s, c, c.String(), back, ok)
		}
	})
}

func TestParseQueueCursor(t *testing.T) {
	for _, bad := range []string{"x", "1", ".id", "0.id", "-5.id", "12.a.b", "12.a b", "12." + strings.Repeat("x", 65)} {
		if _, ok := message.ParseQueueCursor(bad); ok {
			t.Errorf("%q read as a cursor", bad)
		}
	}
	if c, ok := message.ParseQueueCursor(""); !ok || !c.IsZero() {
		t.Errorf(`"" = %+v %v, want the start`, c, ok)
	}
}
