package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkCollectLetters runs the daily collection over 2,000 overdue
// claims of one customer with a verified e-mail notice choice, on the day
// each gets its first reminder: transactions of recovery.CollectBatch
// claims that charge, remind, and write the letters and the notices. One goroutine; the
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

// BenchmarkCollectDue runs the daily collection over N claims in payment
// plans (ETUUS_BENCH_COLLECT_N, default 20,000), their due dates spread
// over the year before day D, each with interest charged up to D-1 and the
// instalments paid whose grace has run out before D (as if the old daily
// run had kept up): first on D, the first run after migration 00034, when
// no claim has a collection day and every one is looked at; then on D+1,
// when only the claims due are (an instalment's grace ends, the monthly
// interest day: a few percent). Each run logs the claims looked at,
// those changed, its wall time and claims looked at per second. Seeding is
// untimed; one goroutine.
//
//	go test -run '^$' -bench CollectDue -benchtime 1x ./internal/store/
//	ETUUS_BENCH_COLLECT_N=1000000 go test -run '^$' -bench 'CollectDue/postgres' -benchtime 1x -timeout 3h ./internal/store/
func BenchmarkCollectDue(b *testing.B) {
	n := 20000
	if s := os.Getenv("ETUUS_BENCH_COLLECT_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			ctx := context.Background()
			for range b.N {
				b.StopTimer()
				db := engine.open(b)
				day := civil.New(2026, 11, 16)
				seedPlans(b, db, n, day)
				svc := recoveryOn(db)
				b.StartTimer()
				for i, d := range []civil.Date{day, day.AddDays(1)} {
					db.Now = func() time.Time { return d.Time().Add(2 * time.Hour) }
					start := time.Now()
					rep, err := svc.Collect(ctx, collector, d)
					took := time.Since(start)
					if err != nil {
						b.Fatal(err)
					}
					name := []string{"D", "D+1"}[i]
					b.Logf("%s n=%d %s: looked at %d, changed %d (%d reminders, interest on %d), %.2f s, %.0f claims/s",
						engine.name, n, name, rep.Claims, rep.Acted, rep.Reminders, rep.InterestRuns, took.Seconds(), float64(rep.Claims)/took.Seconds())
					b.ReportMetric(float64(rep.Claims), name+"-looked")
					b.ReportMetric(float64(rep.Acted), name+"-changed")
					b.ReportMetric(took.Seconds(), name+"-s")
				}
			}
		})
	}
}

// seedPlans writes n student loans in 36-month plans, many rows an INSERT.
func seedPlans(b *testing.B, db *store.DB, n int, day civil.Date) {
	b.Helper()
	ctx := context.Background()
	p := customer.Person{HETU: "010403A998U", GivenName: "Bench", FamilyName: "Mark"}
	if err := db.CreatePerson(ctx, &p); err != nil {
		b.Fatal(err)
	}
	rules := recovery.DefaultRules()
	const per = 400
	now := time.Now().UTC()
	for first := 0; first < n; first += per {
		var q strings.Builder
		q.WriteString(`INSERT INTO claims (id, person_id, kind, number, reference, principal, paid_principal, due_date, status, interest_to, plan, created_at, updated_at) VALUES `)
		var args []any
		for i := first; i < min(first+per, n); i++ {
			due := day.AddDays(-1 - i%365)
			plan, err := recovery.ProposePlan(360000, recovery.PlanRequest{Months: 36, FirstDue: due.AddDays(30)}, due, rules)
			if err != nil {
				b.Fatal(err)
			}
			var paid int64
			for _, in := range plan.Instalments {
				if in.Due.AddDays(14).Before(day) {
					paid = in.Cumulative
				}
			}
			pj, err := json.Marshal(plan)
			if err != nil {
				b.Fatal(err)
			}
			ref, err := recovery.ClaimReference(recovery.StudentLoan, int64(i+1))
			if err != nil {
				b.Fatal(err)
			}
			if i > first {
				q.WriteString(", ")
			}
			k := len(args)
			fmt.Fprintf(&q, "($%d, $%d, 'student_loan', $%d, $%d, 360000, $%d, $%d, 'in_plan', $%d, $%d, $%d, $%d)",
				k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+9)
			args = append(args, fmt.Sprintf("bench-%07d", i), p.ID, i+1, ref.String(), paid, due, day.AddDays(-1), string(pj), now)
		}
		if _, err := db.SQL().ExecContext(ctx, q.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
}
