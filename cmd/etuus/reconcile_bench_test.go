package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkReconcileCommand runs `etuus reconcile` as its own process, as an
// operator would, on a generated camt.054 with N credit entries against N
// open claims (N from ETUUS_BENCH_ENTRIES, default 100,000; the issue's
// figure is 1,000,000), on SQLite and on PostgreSQL. It reports entries per
// second and the process's peak resident memory.
//
//	ETUUS_BENCH_ENTRIES=1000000 go test -run '^$' -bench ReconcileCommand -benchtime 1x -timeout 60m ./cmd/etuus/
func BenchmarkReconcileCommand(b *testing.B) {
	if b.N > 1 {
		b.Skip("a bank file is imported once: run with -benchtime 1x")
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ETUUS_BENCH_ENTRIES")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "etuus")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for _, engine := range []struct {
		name string
		url  func(testing.TB) string
	}{
		{"sqlite", func(b testing.TB) string { return filepath.Join(b.TempDir(), "etuus.db") }},
		{"postgres", storetest.PostgresURL},
	} {
		b.Run(engine.name, func(b *testing.B) {
			reconcileCommand(b, bin, engine.url(b), n)
		})
	}
}

func reconcileCommand(b *testing.B, bin, dbURL string, n int) {
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	refs := storetest.SeedClaims(b, db, n)
	db.Close()
	file := filepath.Join(b.TempDir(), "camt054.xml")
	storetest.WriteCamt054(b, file, "FI3715903000000776", refs)
	refs = nil
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "reconcile", "--db", dbURL, "--log-level", "error", file)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if i == 0 && (err != nil || !strings.Contains(string(out), "Booked "+strconv.Itoa(n)+" ")) {
			b.Fatalf("reconcile: %v\n%.500s", err, out)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		b.ReportMetric(float64(n)/d.Seconds(), "entries/s")
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	}
}
