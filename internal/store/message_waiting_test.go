package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestUnitWaitingOneQuery: the queue's waiting count and oldest wait come
// from one query outside a transaction, the oldest as a time on both
// databases (SQLite types it from the subquery's column), and closed or
// answered threads are not counted.
func TestUnitWaitingOneQuery(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO units (id, kind, name_fi, name_sv, name_en) VALUES ('u', 'unit', 'U', 'U', 'U')`); err != nil {
			t.Fatal(err)
		}
		r := db.Messages()
		if n, oldest, err := r.UnitWaiting(ctx, "u"); err != nil || n != 0 || !oldest.IsZero() {
			t.Fatalf("empty unit: %d %v %v", n, oldest, err)
		}
		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		p := message.Party{Kind: message.PartyCustomer, ID: "person-1"}
		err := r.InTx(ctx, func(tx message.Tx) error {
			for i, status := range []message.Status{message.StatusOpen, message.StatusOpen, "closed", message.StatusOpen} {
				th := message.NewCustomerThread(p, "u", "s", "x", "t", "fi", t0.Add(time.Duration(3-i)*time.Hour))
				th.Status = status
				if i == 3 {
					th.WaitingSince = time.Time{} // answered
				}
				if err := tx.InsertThread(ctx, &th); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n, oldest, err := r.UnitWaiting(ctx, "u")
		if err != nil || n != 2 || !oldest.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("UnitWaiting = %d, %v, %v; want 2, %v", n, oldest, err, t0.Add(2*time.Hour))
		}
	})
}
