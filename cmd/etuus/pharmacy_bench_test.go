package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkPharmacyCheckHTTP is the pharmacy's counter check as a
// pharmacy's system makes it: POST /api/v1/pharmacy/reimbursement-check
// over loopback to the whole server (startApp, as `etuus serve`; on the
// tests' throwaway PostgreSQL, so ETUUS_E2E_POSTGRES=1), with
// ETUUS_BENCH_PEOPLE (1,000,000) people seeded as the in-process
// benchmark seeds them (storetest.SeedPharmacyPeople). After a warm-up of
// 2,000 checks one at a time, each round offers 5,000 checks at the rate
// given (ETUUS_BENCH_RATES, comma-separated, default 1000), open loop: one
// goroutine a check, whether or not earlier ones were answered. It prints
// each round's share answered 200, p50, p99 and slowest:
//
//	ETUUS_E2E_POSTGRES=1 ETUUS_BENCH_RATES=1000,1000,1000,1000 go test ./cmd/etuus -run XXX -bench PharmacyCheckHTTP -benchtime 1x -timeout 30m -v
func BenchmarkPharmacyCheckHTTP(b *testing.B) {
	if os.Getenv(envE2EPostgres) != "1" {
		b.Skip("the seeding is PostgreSQL's: set " + envE2EPostgres + "=1")
	}
	e := startApp(b, func(c *config) { c.LogLevel = "info"; c.AccessLog = false })
	n := envInt("ETUUS_BENCH_PEOPLE", 1_000_000)
	codes := storetest.SeedPharmacyPeople(b, e.db(), n)
	_, secret := issuePharmacyClient(b, e, "bench-pharmacy")
	bodies := make([][]byte, len(codes))
	for i, code := range codes {
		bodies[i], _ = json.Marshal(map[string]any{"identity_code": code,
			"lines": []any{line("990011", 4590, 2), line("990061", 1250, 1)}})
	}
	hc := benchClient(1024)
	check := func(i int) int {
		req, _ := http.NewRequest(http.MethodPost, e.base+"/api/v1/pharmacy/reimbursement-check", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := hc.Do(req)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 2000 {
		if status := check(i); status != http.StatusOK {
			b.Fatalf("warm-up check answered %d", status)
		}
	}
	// As the in-process benchmark: planned for an audit log with rows.
	if _, err := e.db().SQL().ExecContext(context.Background(), `ANALYZE audit_log, pharmacy_calls`); err != nil {
		b.Fatal(err)
	}
	rates := []int{1000}
	if v := os.Getenv("ETUUS_BENCH_RATES"); v != "" {
		rates = nil
		for _, f := range strings.Split(v, ",") {
			r, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || r <= 0 {
				b.Fatalf("ETUUS_BENCH_RATES: %q", v)
			}
			rates = append(rates, r)
		}
	}
	b.ResetTimer()
	for _, rate := range rates {
		var ok atomic.Int64
		count := 5 * rate
		lat := storetest.OpenLoop(count, rate, func(i int) {
			if check(2000+i) == http.StatusOK {
				ok.Add(1)
			}
		})
		fmt.Printf("over HTTP: %d checks at %d/s on %d people: answered 200 %.1f %%, p50 %v p99 %v max %v\n", count, rate, n,
			100*float64(ok.Load())/float64(count), lat[count/2].Round(100_000), lat[count*99/100].Round(100_000), lat[count-1].Round(100_000))
	}
}
