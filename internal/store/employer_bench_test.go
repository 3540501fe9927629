package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkEmployerApplications stores N applications of the demo employer
// (N from ETUUS_BENCH_APPS, default 2,000), one goroutine, each through
// employer.Service.Apply as a page does it: the mandate decision (read and
// audited), the organisation locked, the overlap check, the row and its
// audit entry. Then it reads the organisation's first page and staff's
// first queue page (count and 20 rows) 200 times each. On SQLite and
// PostgreSQL, with the demo mandate register (5,000 client organisations)
// loaded. Run:
//
//	go test -run '^$' -bench EmployerApplications -benchtime 1x ./internal/store/
func BenchmarkEmployerApplications(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchEmployer(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchEmployer(b, storetest.Postgres(b)) })
}

func benchEmployer(b *testing.B, db *store.DB) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("ETUUS_BENCH_APPS")); err == nil && v > 0 {
		n = v
	}
	svc, orgs, in := employerSetup(b, db, -10, -1)
	ctx := context.Background()
	teemu := access.AsCustomer("demo-person-teemu")
	anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")
	round := 0
	for b.Loop() {
		start := time.Now()
		for i := range n {
			// A new employee each time: birth day and individual number.
			k := round*n + i
			code, err := hetu.Make(civil.New(1960, 1, 1).AddDays(k/800), 2+k%800, '-')
			if err != nil {
				b.Fatal(err)
			}
			in.Employee = code.String()
			if _, err := svc.Apply(ctx, teemu, orgs.Employer, in); err != nil {
				b.Fatalf("apply %d: %v", i, err)
			}
		}
		round++
		el := time.Since(start)
		b.ReportMetric(float64(n)/el.Seconds(), "applies/s")
		b.ReportMetric(float64(el.Microseconds())/float64(n), "µs/apply")
		start = time.Now()
		for range 200 {
			if _, err := svc.List(ctx, teemu, orgs.Employer, 1); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/200, "µs/org-page")
		start = time.Now()
		for range 200 {
			if _, err := svc.Queue(ctx, anna, "", 1); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/200, "µs/queue-page")
	}
}
