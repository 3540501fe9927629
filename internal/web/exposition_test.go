package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// A scrape gets an answer gathered at most maxAge before it: the first
// one gathers, one within maxAge shares it, one after maxAge gathers
// again; a failed gathering answers 500 and is not kept.
func TestExpositionAge(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "things_total", Help: "Things."})
	reg.MustRegister(c)
	var mu sync.Mutex
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	move := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	// An hour: the background loop's ticker never fires in the test.
	x := newExposition(reg, time.Hour)
	x.now = clock
	scrape := func() (int, string) {
		w := httptest.NewRecorder()
		x.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return w.Code, w.Body.String()
	}
	c.Inc()
	if _, body := scrape(); !strings.Contains(body, "things_total 1\n") {
		t.Fatalf("first scrape:\n%s", body)
	}
	c.Inc()
	move(59 * time.Minute)
	if _, body := scrape(); !strings.Contains(body, "things_total 1\n") {
		t.Errorf("a scrape within maxAge gathered again:\n%s", body)
	}
	move(time.Minute)
	code, body := scrape()
	if code != http.StatusOK || !strings.Contains(body, "things_total 2\n") {
		t.Errorf("a scrape maxAge after the answer got %d:\n%s", code, body)
	}
	failing := newExposition(prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		return nil, errors.New("a collector failed")
	}), time.Hour)
	w := httptest.NewRecorder()
	failing.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusInternalServerError || failing.body != nil {
		t.Errorf("a failed gathering answered %d, kept %q", w.Code, failing.body)
	}
}

// Scrapes from many goroutines, with answers going stale and encoded in
// the background meanwhile, all get a whole answer (go test -race).
func TestExpositionConcurrent(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "things_total", Help: "Things."})
	reg.MustRegister(c)
	x := newExposition(reg, time.Millisecond)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				c.Inc()
				w := httptest.NewRecorder()
				x.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
				if w.Code != http.StatusOK || !strings.HasSuffix(w.Body.String(), "\n") || !strings.Contains(w.Body.String(), "things_total ") {
					t.Errorf("answer %d:\n%s", w.Code, w.Body.String())
					return
				}
			}
		})
	}
	wg.Wait()
}
