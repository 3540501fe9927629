package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkReconcile books a generated camt.054 with N credit entries
// against N open claims (N from ETUUS_BENCH_ENTRIES, default 100,000; the
// issue's figure is 1,000,000) on SQLite and on PostgreSQL, and reports
// entries per second, the peak Go heap while importing, and the CPU the
// import took: this process's (cpu-s) and on PostgreSQL the server's
// (server-cpu-s), steadier than the wall clock on a shared machine.
//
//	ETUUS_BENCH_ENTRIES=1000000 go test -run '^$' -bench Reconcile -benchtime 1x -timeout 60m ./internal/store/
func BenchmarkReconcile(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ETUUS_BENCH_ENTRIES")); err == nil && v > 0 {
		n = v
	}
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) { reconcile(b, engine.open(b), n) })
	}
}

func reconcile(b *testing.B, db *store.DB, n int) {
	ctx := context.Background()
	refs := storetest.SeedClaims(b, db, n)
	path := filepath.Join(b.TempDir(), "camt054.xml")
	storetest.WriteCamt054(b, path, creditor.String(), refs)
	sha := fileSHA(b, path)
	svc := recoveryOn(db)
	defer store.TuneForImport()() // as etuus reconcile does
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		var peak atomic.Uint64
		stop := sampleHeap(&peak)
		start, cpu, server := time.Now(), storetest.ProcessCPU(), storetest.ServerCPU(db)
		rep, err := svc.ImportStatement(ctx, cli, recovery.StatementFile{Name: "bench.xml", SHA256: sha + strconv.Itoa(i)}, f)
		d := time.Since(start)
		stop()
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 && rep.Booked != n {
			b.Fatalf("booked %d of %d: %+v", rep.Booked, n, rep.Lines[:min(5, len(rep.Lines))])
		}
		b.ReportMetric(float64(n)/d.Seconds(), "entries/s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		b.ReportMetric((storetest.ProcessCPU() - cpu).Seconds(), "cpu-s")
		if db.Dialect() == "postgres" {
			b.ReportMetric((storetest.ServerCPU(db) - server).Seconds(), "server-cpu-s")
		}
	}
}

func fileSHA(b *testing.B, path string) string {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// sampleHeap records the largest heap in use until stopped.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}
