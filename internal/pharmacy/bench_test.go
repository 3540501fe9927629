package pharmacy_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/pharmacy"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func benchPeople() int {
	if n, err := strconv.Atoi(os.Getenv("ETUUS_BENCH_PEOPLE")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// processCPU is the CPU time this process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// postgresCPU is the CPU time the PostgreSQL server of db has used so far:
// its postmaster's and that of the processes it started, those that run
// (the pool's backends, the background workers: /proc/PID/schedstat) and
// those it has reaped (the postmaster's cutime and cstime, to the clock
// tick); zero where Linux's /proc does not tell.
func postgresCPU(b *testing.B, db *store.DB) time.Duration {
	var backend int
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatal(err)
	}
	postmaster := procParent(backend)
	dirs, _ := os.ReadDir("/proc")
	var total time.Duration
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || (pid != postmaster && procParent(pid) != postmaster) {
			continue
		}
		f, err := os.ReadFile("/proc/" + d.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if ns, err := strconv.ParseInt(strings.Fields(string(f))[0], 10, 64); err == nil {
			total += time.Duration(ns)
		}
	}
	if f, err := os.ReadFile("/proc/" + strconv.Itoa(postmaster) + "/stat"); err == nil {
		// Fields 16 and 17 (cutime, cstime), counted after the ")".
		fs := strings.Fields(string(f[strings.LastIndexByte(string(f), ')')+1:]))
		for _, i := range []int{13, 14} {
			if len(fs) > i {
				if ticks, err := strconv.ParseInt(fs[i], 10, 64); err == nil {
					total += time.Duration(ticks) * time.Second / 100
				}
			}
		}
	}
	return total
}

// procParent is the parent process of pid, or -1.
func procParent(pid int) int {
	f, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// pid (comm) state ppid …: comm may hold spaces, so count from the ")".
	fs := strings.Fields(string(f[strings.LastIndexByte(string(f), ')')+1:]))
	if len(fs) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(fs[1])
	if err != nil {
		return -1
	}
	return ppid
}

// loadAverage is the machine's load average over the last minute.
func loadAverage() string {
	f, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(f))[0]
}

func pct(lat []time.Duration, p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }

// BenchmarkCounterCheck offers checks at each rate of ETUUS_BENCH_RATES
// (default 1000 a second) for five seconds against PostgreSQL with
// 1,000,000 people (ETUUS_BENCH_PEOPLE), one goroutine per check, and
// prints the latency percentiles and the share answered (a check not
// answered within the service's 300 ms is "unavailable"), and the CPU time
// a check took in this process and in PostgreSQL's (Linux only).
//
//	ETUUS_BENCH_RATES=200,500,1000 go test ./internal/pharmacy/ -run '^$' -bench CounterCheck -benchtime 1x
func BenchmarkCounterCheck(b *testing.B) {
	db := storetest.Postgres(b)
	n := benchPeople()
	t0 := time.Now()
	codes := storetest.SeedPharmacyPeople(b, db, n)
	b.Logf("seeded %d people in %v", n, time.Since(t0).Round(time.Second))
	// ETUUS_BENCH_TIMEOUT (a duration) replaces the counter's 300 ms, to
	// see how slow checks get instead of how many miss the deadline.
	timeout, _ := time.ParseDuration(os.Getenv("ETUUS_BENCH_TIMEOUT"))
	svc, err := pharmacy.NewService(db.Pharmacy(), pharmacy.Config{Access: access.Default(), Timeout: timeout})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	caller := pharmacy.Caller{PharmacyID: "bench-pharmacy", ClientID: "bench"}
	lines := []pharmacy.LineIn{{VNR: "990011", PackagePriceCents: 4590, Packages: 2}, {VNR: "990061", PackagePriceCents: 1250, Packages: 1}}
	// Warm up: one pass over the sample, one check at a time.
	t0 = time.Now()
	for _, code := range codes[:2000] {
		svc.Check(context.Background(), caller, pharmacy.CheckRequest{IdentityCode: code, Lines: lines})
	}
	b.Logf("2,000 checks one at a time: %v each", time.Since(t0)/2000)
	// The warm-up wrote 2,000 audit entries and call rows to tables the
	// seed's VACUUM ANALYZE found empty, and the pool's connections have
	// cached their plans for an empty audit log (a sequential scan for its
	// newest entry, read by every batch, which grows with each round).
	// Analysed again, they are planned for a log with rows, as autovacuum
	// has them within a minute on a running server (and as a server with
	// a year's audit log has them from the start).
	if _, err := db.SQL().ExecContext(context.Background(), `ANALYZE audit_log, pharmacy_calls`); err != nil {
		b.Fatal(err)
	}
	// One check at a time again, each its own group-commit batch: the
	// cost of a check without the sharing that load brings.
	t0 = time.Now()
	goCPU0, pgCPU0 := processCPU(), postgresCPU(b, db)
	for _, code := range codes[2000:3000] {
		svc.Check(context.Background(), caller, pharmacy.CheckRequest{IdentityCode: code, Lines: lines})
	}
	fmt.Printf("1,000 checks one at a time: %v each; cpu a check: this process %v, postgres %v\n", (time.Since(t0) / 1000).Round(time.Microsecond),
		((processCPU() - goCPU0) / 1000).Round(time.Microsecond), ((postgresCPU(b, db) - pgCPU0) / 1000).Round(time.Microsecond))
	rates := []int{1000}
	if env := os.Getenv("ETUUS_BENCH_RATES"); env != "" {
		rates = nil
		for _, f := range strings.Split(env, ",") {
			if r, err := strconv.Atoi(f); err == nil && r > 0 {
				rates = append(rates, r)
			}
		}
	}
	b.ResetTimer()
	for _, rate := range rates {
		var failed atomic.Int64
		goCPU0, pgCPU0 := processCPU(), postgresCPU(b, db)
		lat := storetest.OpenLoop(5*rate, rate, func(i int) {
			_, err := svc.Check(context.Background(), caller, pharmacy.CheckRequest{IdentityCode: codes[i%len(codes)], Lines: lines})
			if err != nil {
				failed.Add(1)
			}
		})
		fmt.Printf("checks %d at %d/s on %d people: answered %.1f %%, p50 %v p99 %v max %v\n", len(lat), rate, n,
			100-100*float64(failed.Load())/float64(len(lat)), pct(lat, 0.5).Round(time.Microsecond*100),
			pct(lat, 0.99).Round(time.Microsecond*100), lat[len(lat)-1].Round(time.Millisecond))
		if err := svc.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		goCPU, pgCPU := processCPU()-goCPU0, postgresCPU(b, db)-pgCPU0
		fmt.Printf("  cpu a check: this process %v, postgres %v (load average %s)\n", (goCPU / time.Duration(len(lat))).Round(time.Microsecond),
			(pgCPU / time.Duration(len(lat))).Round(time.Microsecond), loadAverage())
	}
}

// BenchmarkCounterOutage offers 1,000 checks a second to a service whose
// PostgreSQL has been stopped, and reports the share answered
// "unavailable" within a second and the slowest answer.
//
//	go test ./internal/pharmacy/ -run '^$' -bench CounterOutage -benchtime 5x
func BenchmarkCounterOutage(b *testing.B) {
	cluster := storetest.NewCluster(b)
	db, err := store.Open(context.Background(), cluster.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	codes := storetest.SeedPharmacyPeople(b, db, 10000)
	svc, err := pharmacy.NewService(db.Pharmacy(), pharmacy.Config{Access: access.Default()})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	caller := pharmacy.Caller{PharmacyID: "bench-pharmacy", ClientID: "bench"}
	lines := []pharmacy.LineIn{{VNR: "990061", PackagePriceCents: 1250, Packages: 1}}
	cluster.Stop(b)
	var mu sync.Mutex
	var fallback int
	b.ResetTimer()
	lat := storetest.OpenLoop(b.N*1000, 1000, func(i int) {
		t0 := time.Now()
		_, err := svc.Check(context.Background(), caller, pharmacy.CheckRequest{IdentityCode: codes[i%len(codes)], Lines: lines})
		if fault.KeyOf(err) == "pharmacy.error.unavailable" && time.Since(t0) < time.Second {
			mu.Lock()
			fallback++
			mu.Unlock()
		}
	})
	b.StopTimer()
	share := 100 * float64(fallback) / float64(len(lat))
	b.ReportMetric(share, "%-unavailable-within-1s")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	fmt.Printf("checks %d at 1000/s with PostgreSQL stopped: %.2f %% answered unavailable within 1 s; p99 %v, max %v\n",
		len(lat), share, pct(lat, 0.99), lat[len(lat)-1])
}
