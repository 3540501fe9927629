package store_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkPaymentRun records and writes one payment run of N people, each
// with one housing allowance due (N from ETUUS_BENCH_PEOPLE, default
// 100,000), on SQLite and PostgreSQL, one goroutine. It reports the
// payments per second and the heap in use after the run (the file goes to
// payment.Discard: hashed, not stored), and the CPU the run took (this
// process's, cpu-s, and on PostgreSQL the server's, server-cpu-s: steadier
// than the wall clock on a shared machine). Run:
//
//	ETUUS_BENCH_PEOPLE=100000 go test -run '^$' -bench PaymentRun -benchtime 1x -timeout 30m ./internal/store/
func BenchmarkPaymentRun(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ETUUS_BENCH_PEOPLE")); err == nil && v > 0 {
		n = v
	}
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := engine.open(b)
				seedBenefits(b, db, n)
				svc := paymentOn(db)
				runtime.GC()
				b.StartTimer()
				start, cpu, server := time.Now(), storetest.ProcessCPU(), storetest.ServerCPU(db)
				rep, err := svc.Run(context.Background(), payer, civil.New(2024, 4, 2), payment.RunOptions{Publish: payment.Discard{}})
				if err != nil || rep.Payments != n {
					b.Fatalf("run = %d payments, %v", rep.Payments, err)
				}
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "payments/s")
				b.ReportMetric((storetest.ProcessCPU() - cpu).Seconds(), "cpu-s")
				if engine.name == "postgres" {
					b.ReportMetric((storetest.ServerCPU(db) - server).Seconds(), "server-cpu-s")
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
			}
		})
	}
}

// seedBenefits writes n people with a housing allowance each, straight
// through SQL in one transaction.
func seedBenefits(b testing.TB, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	for i := range n {
		id := store.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO persons (id, given_name, family_name, lang, created_at) VALUES ($1, 'Bench', 'Mark', 'fi', $2)`, id, now); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO benefits (id, person_id, kind, amount_cents, iban, starts, created_at)
			VALUES ($1, $2, 'housing-allowance', $3, 'FI4950009420028730', '2024-01-01', $4)`, store.NewID(), id, 30000+i%1000, now); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
