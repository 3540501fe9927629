package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/pharmacy"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// WriteCalls (on PostgreSQL two pipelined round trips, insertAudited)
// interleaved with other appends to the audit chain keeps the chain whole,
// and a batch the database refuses (PostgreSQL refuses text that is not
// UTF-8, in the call rows or in the entries) writes nothing and leaves its
// connection fit for the next.
func TestPharmacyWriteCalls(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		repo := db.Pharmacy()
		call := func(op string) *pharmacy.Call {
			return &pharmacy.Call{PharmacyID: "ph-1", ClientID: "cl-1", At: time.Now(), Op: op, Outcome: "ok"}
		}
		entry := func(detail string) audit.Entry {
			return audit.Entry{ActorKind: audit.ActorSystem, ActorID: "api-client:cl-1", Action: "pharmacy.check", Object: "pharmacy:ph-1", Detail: detail}
		}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					var err error
					if w == 0 {
						err = db.Append(ctx, entry("other"))
					} else {
						err = repo.WriteCalls(ctx, []*pharmacy.Call{call("check"), call("check")},
							[]audit.Entry{entry(fmt.Sprint(w, i, "a")), entry(fmt.Sprint(w, i, "b"))})
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if n, err := audit.Verify(ctx, db); err != nil || n != 175 {
			t.Fatalf("Verify = %d, %v; want 175 entries, nil", n, err)
		}
		calls, err := repo.Calls(ctx, "ph-1", 1000)
		if err != nil || len(calls) != 150 || calls[0].ID == "" {
			t.Fatalf("%d calls (%v); want 150 with IDs", len(calls), err)
		}
		if db.Dialect() != "postgres" {
			return
		}
		bad := call("check")
		bad.Outcome = "\xff"
		if err := repo.WriteCalls(ctx, []*pharmacy.Call{call("check"), bad}, []audit.Entry{entry("x"), entry("y")}); err == nil {
			t.Error("a call row that is not UTF-8 was written")
		}
		if err := repo.WriteCalls(ctx, []*pharmacy.Call{call("check")}, []audit.Entry{entry("\xff")}); err == nil {
			t.Error("an audit entry that is not UTF-8 was written")
		}
		// Every pooled connection is tried again.
		for range 30 {
			if err := repo.WriteCalls(ctx, []*pharmacy.Call{call("cancel")}, []audit.Entry{entry("after")}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := audit.Verify(ctx, db); err != nil || n != 205 {
			t.Fatalf("Verify = %d, %v; want 205 entries, nil", n, err)
		}
		if calls, err := repo.Calls(ctx, "ph-1", 1000); err != nil || len(calls) != 180 {
			t.Fatalf("%d calls (%v); want 180: the refused batches' rows rolled back", len(calls), err)
		}
	})
}
