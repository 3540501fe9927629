package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/securemail"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestSecureLinks(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		units, contacts, _ := org.Reference()
		if err := db.SeedReference(ctx, units, contacts); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		l := securemail.Link{Email: "kati@example.ee", UnitID: "recovery", Lang: "en", ExpiresAt: now.Add(10 * 24 * time.Hour)}
		if err := db.CreateLink(ctx, &l, "tok1", "e1", "c1", ""); err != nil {
			t.Fatal(err)
		}
		byEmail, byClient, err := db.RecentLinks(ctx, "e1", "c1", now.Add(-time.Hour))
		if err != nil || byEmail != 1 || byClient != 1 {
			t.Fatalf("RecentLinks = %d %d %v", byEmail, byClient, err)
		}
		if _, err := db.LinkByToken(ctx, "nope"); !fault.Is(err, fault.NotFound) {
			t.Errorf("unknown token: %v", err)
		}
		// Two sends race on one link: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = db.UseLink(ctx, "tok1", &securemail.Message{Subject: "s", Body: "b"})
			}(i)
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
		ms, err := db.UnitMessages(ctx, "recovery", 10)
		if err != nil || len(ms) != 1 || ms[0].Email != "kati@example.ee" {
			t.Fatalf("UnitMessages = %+v %v", ms, err)
		}
		// An expired link is gone.
		l2 := securemail.Link{Email: "x@example.ee", UnitID: "international", Lang: "fi", ExpiresAt: now.Add(time.Hour)}
		db.CreateLink(ctx, &l2, "tok2", "e2", "c1", "")
		now = now.Add(2 * time.Hour)
		if _, err := db.LinkByToken(ctx, "tok2"); !fault.Is(err, fault.NotFound) {
			t.Errorf("expired link: %v", err)
		}
		if err := db.UseLink(ctx, "tok2", &securemail.Message{Subject: "s", Body: "b"}); !fault.Is(err, fault.NotFound) {
			t.Errorf("send on expired link: %v", err)
		}
	})
}
