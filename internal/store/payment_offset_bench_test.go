package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkPaymentRunOffsets records one payment run of N people (each
// with a housing allowance due; N from ETUUS_BENCH_PEOPLE, default 20,000)
// of whom one in ten has an overdue overpayment claim, so that the run
// locks those claims and offsets from their payments; on SQLite and
// PostgreSQL, one goroutine. It reports payments and offsets per second.
// Run:
//
//	ETUUS_BENCH_PEOPLE=20000 go test -run '^$' -bench PaymentRunOffsets -benchtime 1x -timeout 30m ./internal/store/
func BenchmarkPaymentRunOffsets(b *testing.B) {
	n := 20_000
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
				seedUnits(db) // the offset notices' threads are routed to a unit
				seedBenefits(b, db, n)
				rows, err := db.SQL().Query(`SELECT person_id FROM benefits ORDER BY id`)
				if err != nil {
					b.Fatal(err)
				}
				var people []string
				for rows.Next() {
					var id string
					rows.Scan(&id)
					people = append(people, id)
				}
				rows.Close()
				claims := 0
				for i := 0; i < len(people); i += 10 {
					c := recovery.Claim{PersonID: people[i], Kind: recovery.Overpayment, Principal: 100000, DueDate: civil.New(2024, 2, 1)}
					if err := db.CreateClaim(context.Background(), &c); err != nil {
						b.Fatal(err)
					}
					claims++
				}
				rec := recovery.NewService(db.Recovery(), recovery.Config{Creditor: creditor})
				svc := offsettingOn(db, rec)
				b.StartTimer()
				start := time.Now()
				rep, err := svc.Run(context.Background(), payer, civil.New(2024, 4, 2), payment.RunOptions{Publish: payment.Discard{}})
				if err != nil || rep.Payments != n || rep.Offsets != claims {
					b.Fatalf("run = %d payments, %d offsets of %d claims, %v", rep.Payments, rep.Offsets, claims, err)
				}
				took := time.Since(start).Seconds()
				b.ReportMetric(float64(n)/took, "payments/s")
				b.ReportMetric(float64(rep.Offsets)/took, "offsets/s")
			}
		})
	}
}
