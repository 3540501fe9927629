package main

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// BenchmarkMetricsScrape measures one /metrics scrape in process: the
// serve command's whole handler (middleware and all) answering a request
// with no cookie into a recorder, no network. The app runs on SQLite with
// the demo data and has served the public and signed-in pages once, so
// the request counters and histograms have the routes a running server
// has. "alone" is the handler's cost, scraped one after another (the
// answer kept and encoded again in the background, see exposition in
// internal/web); "busy" runs it while GOMAXPROCS goroutines keep every
// core busy with allocating work, and reports the scrape's wall-time p50
// and p99 besides: what a scraper waits for on a loaded server.
// "encoded" is the same for the registry gathered and encoded on each
// scrape by promhttp (as /metrics was, and as the background does).
//
//	go test -run '^$' -bench MetricsScrape -benchtime 2000x ./cmd/etuus/
func BenchmarkMetricsScrape(b *testing.B) {
	e := startApp(b)
	c := browser()
	for _, p := range []string{"/", "/status", "/directory", "/help", "/privacy", "/accessibility", "/login", "/staff/login", "/api/v1/status", "/healthz", "/readyz"} {
		resp, err := c.Get(e.base + p)
		if err == nil {
			resp.Body.Close()
		}
	}
	var h http.Handler = e.app.http.Handler
	scrape := func() int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "go_goroutines") {
			b.Fatalf("/metrics answered %d", w.Code)
		}
		return w.Body.Len()
	}
	_, body := e.get(c, "/metrics")
	b.Logf("/metrics: %d bytes, %d lines", len(body), strings.Count(body, "\n"))
	run := func(b *testing.B) {
		took := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for range b.N {
			t0 := time.Now()
			scrape()
			took = append(took, time.Since(t0))
		}
		b.StopTimer()
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(took[min(len(took)-1, len(took)*99/100)].Microseconds()), "p99-µs")
	}
	b.Run("alone", run)
	b.Run("busy", busy(run))
	// What the background encoding costs each half second (and the first
	// scrape, or the first after a quiet minute): the registry gathered
	// and encoded as promhttp does.
	encoded := promhttp.HandlerFor(e.app.registry, promhttp.HandlerOpts{DisableCompression: true})
	h = encoded
	b.Run("encoded/alone", run)
	b.Run("encoded/busy", busy(run))
}

// busy runs run while GOMAXPROCS goroutines keep every core busy.
func busy(run func(*testing.B)) func(*testing.B) {
	return func(b *testing.B) {
		var stop atomic.Bool
		var wg sync.WaitGroup
		var sink atomic.Int64
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					// A burst of about 100 µs, as a request's work is.
					s := make([]byte, 0, 64)
					for i := range 20000 {
						s = append(s[:0], byte(i))
					}
					sink.Add(int64(len(s)))
				}
			}()
		}
		run(b)
		stop.Store(true)
		wg.Wait()
	}
}
