package main

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// counting is a collector whose one gauge is the number of times it was
// collected.
type counting struct {
	desc  *prometheus.Desc
	calls atomic.Int64
}

func (c *counting) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c *counting) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(c.calls.Add(1)))
}

func TestKeptCollectsInTheBackground(t *testing.T) {
	inner := &counting{desc: prometheus.NewDesc("test_collections", "Collections.", nil, nil)}
	k := keep(inner, 50*time.Millisecond)
	// The first scrape waits for the first collection.
	if v := gauge(t, k); v != 1 {
		t.Fatalf("first scrape shows %v, want 1", v)
	}
	// Within the interval: the kept figure, no collection.
	if v := gauge(t, k); v != 1 || inner.calls.Load() != 1 {
		t.Fatalf("second scrape shows %v after %d collections, want 1 after 1", v, inner.calls.Load())
	}
	time.Sleep(60 * time.Millisecond)
	// Past the interval: the kept figure, and a collection started.
	if v := gauge(t, k); v != 1 {
		t.Fatalf("scrape past the interval shows %v, want the kept 1", v)
	}
	deadline := time.Now().Add(5 * time.Second)
	for gauge(t, k) != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the background collection never showed (%d collections)", inner.calls.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// gauge scrapes the collector's one gauge.
func gauge(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 10)
	c.Collect(ch)
	close(ch)
	var vs []float64
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, pb.GetGauge().GetValue())
	}
	if len(vs) != 1 {
		t.Fatalf("%d metrics, want 1", len(vs))
	}
	return vs[0]
}
