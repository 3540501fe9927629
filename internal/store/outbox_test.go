package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestOutboxLease(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		var items []*outbox.Item
		for i, ch := range []outbox.Channel{outbox.Email, outbox.SMS, outbox.Email} {
			it := &outbox.Item{Channel: ch, Recipient: fmt.Sprintf("r%d", i), Lang: "fi", Kind: message.NoticeVerifyCode,
				Payload: fmt.Sprintf("code%d", i), ThreadID: "th1"}
			if err := db.Enqueue(ctx, it); err != nil {
				t.Fatal(err)
			}
			if it.ID == "" || it.MessageID == "" || it.Status != outbox.Pending {
				t.Fatalf("enqueued %+v", it)
			}
			items = append(items, it)
			now = now.Add(time.Second)
		}
		ids := func(its []outbox.Item) []string {
			var out []string
			for _, it := range its {
				out = append(out, it.ID)
			}
			return out
		}
		claim := func(worker string, n int, want ...*outbox.Item) []outbox.Item {
			t.Helper()
			got, err := db.ClaimOutbox(ctx, worker, n, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs []string
			for _, it := range want {
				wantIDs = append(wantIDs, it.ID)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(wantIDs) {
				t.Fatalf("%s claimed %v; want %v", worker, ids(got), wantIDs)
			}
			return got
		}

		// The oldest first, with everything the worker needs to send.
		got := claim("w1", 2, items[0], items[1])
		if g := got[0]; g.Attempts != 1 || g.Payload != "code0" || g.Recipient != "r0" || g.MessageID != items[0].MessageID ||
			g.Channel != outbox.Email || g.Kind != message.NoticeVerifyCode || g.ThreadID != "th1" || !g.NextAt.Equal(items[0].NextAt) {
			t.Errorf("claimed %+v", g)
		}
		// A second worker gets only what the first does not hold.
		now = now.Add(30 * time.Second)
		claim("w2", 5, items[2])
		claim("w3", 5)
		// The first worker dies; once its lease runs out its notices go
		// to another, and the try is counted again.
		now = now.Add(30 * time.Second)
		got = claim("w3", 5, items[0], items[1])
		if got[0].Attempts != 2 {
			t.Errorf("attempts after a lost lease = %d; want 2", got[0].Attempts)
		}
		// The dead worker's late marks do not count.
		for _, err := range []error{
			db.MarkSent(ctx, "w1", items[0].ID),
			db.MarkRetry(ctx, "w1", items[0].ID, now, "smtp data 451"),
			db.MarkFailed(ctx, "w1", items[0].ID, "smtp data 550"),
		} {
			if !errors.Is(err, outbox.ErrNotHeld) {
				t.Errorf("mark by a worker whose lease was taken = %v; want ErrNotHeld", err)
			}
		}

		// Sent: done for good, the payload gone.
		if err := db.MarkSent(ctx, "w3", items[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkSent(ctx, "w3", items[0].ID); !errors.Is(err, outbox.ErrNotHeld) {
			t.Errorf("second MarkSent = %v; want ErrNotHeld", err)
		}
		// A retry waits for its time, and keeps why.
		if err := db.MarkRetry(ctx, "w3", items[1].ID, now.Add(5*time.Second), "sms 503"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(4 * time.Second)
		claim("w3", 5)
		now = now.Add(time.Second)
		got = claim("w4", 5, items[1])
		if got[0].LastError != "sms 503" || got[0].Attempts != 3 || got[0].Payload != "code1" {
			t.Errorf("retried notice %+v", got[0])
		}
		if err := db.MarkFailed(ctx, "w4", items[1].ID, "sms 400"); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkSent(ctx, "w2", items[2].ID); err != nil {
			t.Fatal(err)
		}
		// Sent and failed notices are never claimed again.
		now = now.Add(time.Hour)
		claim("w5", 5)

		// Staff see the thread's notices, newest first, without payloads.
		seen, err := db.OutboxOf(ctx, "th1")
		if err != nil || len(seen) != 3 {
			t.Fatalf("OutboxOf = %d items, %v", len(seen), err)
		}
		if fmt.Sprint(ids(seen)) != fmt.Sprint([]string{items[2].ID, items[1].ID, items[0].ID}) {
			t.Errorf("OutboxOf order %v", ids(seen))
		}
		for _, it := range seen {
			if it.Payload != "" {
				t.Errorf("OutboxOf shows payload %q of %s", it.Payload, it.Status)
			}
		}
		if s := seen[2]; s.Status != outbox.Sent || s.SentAt.IsZero() || s.LastError != "" {
			t.Errorf("sent notice %+v", s)
		}
		if s := seen[1]; s.Status != outbox.Failed || s.LastError != "sms 400" {
			t.Errorf("failed notice %+v", s)
		}
		// And the payload is gone from the table itself, not just hidden.
		var payloads int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM outbox WHERE payload <> ''`).Scan(&payloads); err != nil || payloads != 0 {
			t.Errorf("%d payloads left after sending and failing, %v", payloads, err)
		}
		if got, _ := db.OutboxOf(ctx, "no-such-thread"); len(got) != 0 {
			t.Errorf("OutboxOf(unknown) = %+v", got)
		}

		stats, err := db.OutboxStats(ctx)
		if err != nil || stats[outbox.Sent] != 2 || stats[outbox.Failed] != 1 || stats[outbox.Pending] != 0 {
			t.Errorf("OutboxStats = %v, %v", stats, err)
		}
	})
}

func TestOutboxConcurrentClaims(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 2000
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if err := tx.Enqueue(ctx, &outbox.Item{Channel: outbox.Email, Recipient: "a@example.fi", Lang: "fi", Kind: message.NoticeNewMessage}); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		var (
			mu     sync.Mutex
			claims = map[string]int{}
			wg     sync.WaitGroup
		)
		for w := range 4 {
			wg.Go(func() {
				for {
					got, err := db.ClaimOutbox(ctx, fmt.Sprintf("w%d", w), 37, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, it := range got {
						claims[it.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(claims) != n {
			t.Errorf("%d notices claimed; want %d", len(claims), n)
		}
		for id, c := range claims {
			if c != 1 {
				t.Errorf("notice %s claimed %d times", id, c)
			}
		}
	})
}

// A worker claims only the channels it can send on; the rest wait.
func TestClaimOutboxByChannel(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mail := &outbox.Item{Channel: outbox.Email, Recipient: "a@example.fi", Lang: "fi", Kind: message.NoticeNewMessage}
		sms := &outbox.Item{Channel: outbox.SMS, Recipient: "+358401234567", Lang: "fi", Kind: message.NoticeNewMessage}
		for _, it := range []*outbox.Item{mail, sms} {
			if err := db.Enqueue(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ClaimOutbox(ctx, "mailer", 10, time.Minute, outbox.Email)
		if err != nil || len(got) != 1 || got[0].ID != mail.ID {
			t.Fatalf("an e-mail worker claimed %+v, %v", got, err)
		}
		got, err = db.ClaimOutbox(ctx, "texter", 10, time.Minute, outbox.SMS)
		if err != nil || len(got) != 1 || got[0].ID != sms.ID {
			t.Fatalf("an SMS worker claimed %+v, %v", got, err)
		}
		// Released untried, a notice is as it was before the claim.
		if err := db.ReleaseOutbox(ctx, "mailer", mail.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.ReleaseOutbox(ctx, "mailer", mail.ID); !errors.Is(err, outbox.ErrNotHeld) {
			t.Errorf("second release: %v", err)
		}
		got, err = db.ClaimOutbox(ctx, "mailer2", 10, time.Minute, outbox.Email)
		if err != nil || len(got) != 1 || got[0].Attempts != 1 {
			t.Fatalf("after the release: %+v, %v", got, err)
		}
		if _, err := db.ClaimOutbox(ctx, "x", 10, time.Minute, outbox.Channel("pigeon")); err == nil {
			t.Error("an unknown channel was accepted")
		}
	})
}
