package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkAuditAppend appends audit entries to the chain, each in its own
// transaction (DB.Append: lock the chain, read its head, insert, commit),
// from 1 and 8 goroutines, and the staff reads' group commit
// (DB.RecordViews) from 8: what every audited write and every staff page
// adds. Reported as entries a second; on the throwaway PostgreSQL cluster
// the tests start (fsync off) and a temporary SQLite file.
//
//	go test -run '^$' -bench AuditAppend -benchtime 2000x ./internal/store/
func BenchmarkAuditAppend(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			ctx := context.Background()
			entry := audit.Entry{ActorKind: "staff", ActorID: "bench", Action: "bench.write", Object: "thread:bench"}
			run := func(b *testing.B, goroutines int, write func() error) {
				var wg sync.WaitGroup
				errs := make(chan error, goroutines)
				b.ResetTimer()
				t0 := time.Now()
				for g := range goroutines {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := g; i < b.N; i += goroutines {
							if err := write(); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "entries/s")
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
			}
			for _, goroutines := range []int{1, 8} {
				b.Run(fmt.Sprint("append/goroutines=", goroutines), func(b *testing.B) {
					run(b, goroutines, func() error { return db.Append(ctx, entry) })
				})
			}
			b.Run("views/goroutines=8", func(b *testing.B) {
				view := audit.View("staff", "bench", "staff.view_queue", []string{"person-1", "person-2"})
				run(b, 8, func() error { return db.RecordViews(ctx, view) })
			})
			if _, err := audit.Verify(ctx, db); err != nil {
				b.Fatal(err)
			}
		})
	}
}
