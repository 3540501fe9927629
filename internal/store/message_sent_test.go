package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestSentFolderOrder: the sent folder holds the threads the customer has
// written in, newest customer message first, whatever staff wrote since.
func TestSentFolderOrder(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO units (id, kind, name_fi, name_sv, name_en) VALUES ('u', 'unit', 'U', 'U', 'U')`); err != nil {
			t.Fatal(err)
		}
		p := message.Party{Kind: message.PartyCustomer, ID: "person-1"}
		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		ids := make([]string, 3)
		err := db.Messages().InTx(ctx, func(tx message.Tx) error {
			// a: customer at t0+1h; b: customer at t0, staff at t0+2h;
			// c: staff only.
			for i, msgs := range [][]struct {
				author message.AuthorKind
				at     time.Duration
			}{{{message.AuthorCustomer, time.Hour}}, {{message.AuthorCustomer, 0}, {message.AuthorStaff, 2 * time.Hour}}, {{message.AuthorStaff, 3 * time.Hour}}} {
				th := message.Thread{PartyKind: p.Kind, PartyID: p.ID, Lang: "fi", UnitID: "u", Subject: "s", Specification: "x",
					Title: "t", Status: message.Status("open"), CreatedAt: t0, LastMessageAt: t0.Add(msgs[len(msgs)-1].at)}
				if err := tx.InsertThread(ctx, &th); err != nil {
					return err
				}
				ids[i] = th.ID
				for _, m := range msgs {
					if err := tx.AddMessage(ctx, &message.Message{ThreadID: th.ID, Author: m.author, Body: "b", CreatedAt: t0.Add(m.at)}, nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sent, err := db.Messages().PartyThreads(ctx, p, message.Sent, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) != 2 || sent[0].ID != ids[0] || sent[1].ID != ids[1] {
			t.Fatalf("sent folder %+v, want threads %s then %s", sent, ids[0], ids[1])
		}
	})
}
