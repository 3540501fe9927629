package main

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// kept is a collector that keeps what inner collected and collects again
// in the background when that is older than every: a /metrics scrape
// waits for inner only the first time, and otherwise sends the metrics of
// the last collection. The process collector reads several files under
// /proc (about a millisecond, and the tail of every scrape's time), the
// outbox gauges count rows in the database; neither needs to be fresher
// than a few seconds for a scraper that comes every 15.
type kept struct {
	inner prometheus.Collector
	every time.Duration

	mu      sync.Mutex
	at      time.Time // of the last collection; zero: none yet
	reading bool      // a collection is under way
	metrics []prometheus.Metric
}

func keep(inner prometheus.Collector, every time.Duration) *kept {
	return &kept{inner: inner, every: every}
}

func (k *kept) Describe(ch chan<- *prometheus.Desc) { k.inner.Describe(ch) }

// collect runs inner and keeps what it sent; the caller has set reading.
func (k *kept) collect() {
	ch := make(chan prometheus.Metric)
	go func() {
		k.inner.Collect(ch)
		close(ch)
	}()
	var ms []prometheus.Metric
	for m := range ch {
		ms = append(ms, m)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.metrics, k.at, k.reading = ms, time.Now(), false
}

func (k *kept) Collect(ch chan<- prometheus.Metric) {
	k.mu.Lock()
	first := k.at.IsZero() && !k.reading
	if first {
		k.reading = true
	}
	k.mu.Unlock()
	if first {
		k.collect()
	}
	k.mu.Lock()
	if !k.reading && time.Since(k.at) >= k.every {
		k.reading = true
		go k.collect()
	}
	ms := k.metrics
	k.mu.Unlock()
	for _, m := range ms {
		ch <- m
	}
}
