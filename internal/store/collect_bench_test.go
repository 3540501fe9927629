package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkCollectLetters runs the daily collection over 2,000 overdue
// claims of one customer with a verified e-mail notice choice, on the day
// each gets its first reminder: per claim one transaction that charges,
// reminds, and writes the letter and the notice. One goroutine; the
// database is fresh and seeded (untimed) for each run; a dry run (each
// transaction rolled back) beside it.
//
//	go test -run '^$' -bench CollectLetters -benchtime 3x ./internal/store/
func BenchmarkCollectLetters(b *testing.B) {
	const n = 2000
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		for _, dry := range []bool{false, true} {
			name := engine.name
			if dry {
				name += "/dry-run"
			}
			b.Run(name, func(b *testing.B) {
				ctx := context.Background()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					db := engine.open(b)
					storetest.SeedClaims(b, db, n)
					var person string
					if err := db.SQL().QueryRow(`SELECT id FROM persons`).Scan(&person); err != nil {
						b.Fatal(err)
					}
					if _, err := db.SQL().Exec(`INSERT INTO notification_consents (person_id, allow_messages, channel, address, verified, updated_at)
						VALUES ($1, TRUE, 'email', 'bench@example.fi', TRUE, $2)`, person, time.Now()); err != nil {
						b.Fatal(err)
					}
					svc := recoveryOn(db)
					day := civil.Of(time.Now()).AddDays(30 + 14)
					collect := svc.Collect
					if dry {
						collect = svc.CollectDryRun
					}
					b.StartTimer()
					start := time.Now()
					rep, err := collect(ctx, collector, day)
					d := time.Since(start)
					if err != nil || rep.Reminders != n {
						b.Fatalf("%+v %v", rep, err)
					}
					b.ReportMetric(float64(n)/d.Seconds(), "claims/s")
				}
			})
		}
	}
}
