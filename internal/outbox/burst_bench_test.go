package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/mail/sink"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
)

// BenchmarkNoticeBurst writes notices at a steady 1,000 a second, each in a
// transaction of its own as a real message writes its notice, into an
// SQLite file while a worker sends them to a local SMTP sink, and reports
// how long each took from enqueue to arrival. ETUUS_BURST_N sets how many
// notices one burst has (default 100,000, which takes about 100 s), and
// ETUUS_BURST_CONNS and ETUUS_BURST_CHUNK the worker's Conns and Chunk
// (default 2 and 50). Each iteration is one burst, so run it with
// -benchtime=1x:
//
//	ETUUS_BURST_N=100000 go test -run '^$' -bench NoticeBurst -benchtime=1x -timeout 30m ./internal/outbox/
func BenchmarkNoticeBurst(b *testing.B) {
	n := envInt(b, "ETUUS_BURST_N", 100_000)
	const rate = 1000 // notices a second
	for i := 0; b.Loop(); i++ {
		r := burst(b, n, rate)
		b.ReportMetric(r.p50.Seconds(), "p50_s")
		b.ReportMetric(r.p95.Seconds(), "p95_s")
		b.ReportMetric(r.p99.Seconds(), "p99_s")
		b.ReportMetric(r.within10s, "within10s")
		b.ReportMetric(float64(r.lost), "lost")
		b.ReportMetric(float64(r.duplicated), "duplicated")
		b.ReportMetric(r.enqueueRate, "enqueued/s")
		b.Logf("burst %d: %d notices, conns %d, chunk %d enqueued at %.0f/s over %s; latency p50 %.3fs p95 %.3fs p99 %.3fs max %.3fs; %.2f%% within 10 s; %d lost, %d duplicated",
			i+1, n, r.conns, r.chunk, r.enqueueRate, r.span.Round(time.Millisecond), r.p50.Seconds(), r.p95.Seconds(), r.p99.Seconds(), r.max.Seconds(),
			100*r.within10s, r.lost, r.duplicated)
	}
}

type burstResult struct {
	p50, p95, p99, max time.Duration
	within10s          float64
	lost, duplicated   int
	enqueueRate        float64
	span               time.Duration
	conns, chunk       int
}

func burst(b *testing.B, n, rate int) burstResult {
	b.Helper()
	ctx := context.Background()
	db := openFile(b, filepath.Join(b.TempDir(), "etuus.db"))
	s, smtp := startSink(b, sink.Keep(n+1000))
	// Two connections of 50 e-mails each: with one connection per e-mail
	// (Chunk 1), setting up connections on both ends held the burst to
	// about 860 a second on a two-core machine.
	w := &outbox.Worker{Store: db, Email: smtp, Render: render, Conns: envInt(b, "ETUUS_BURST_CONNS", 2),
		Chunk: envInt(b, "ETUUS_BURST_CHUNK", 50), Log: slog.New(slog.DiscardHandler)}
	stop := run(b, w)
	defer stop()

	// The enqueue instant of each notice, by Message-ID.
	enqueued := make(map[string]time.Time, n)
	var mu sync.Mutex
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
			time.Sleep(d)
		}
		it := outbox.Item{Channel: outbox.Email, Recipient: fmt.Sprintf("b%d@example.fi", i), Lang: "fi", Kind: message.NoticeNewMessage}
		at := time.Now()
		if err := db.Enqueue(ctx, &it); err != nil {
			b.Fatal(err)
		}
		w.Wake()
		mu.Lock()
		enqueued["<"+it.MessageID+">"] = at
		mu.Unlock()
	}
	span := time.Since(start)
	// Wait for the stragglers, but not for ever: what has not come a
	// minute after the last enqueue counts as lost.
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s.WaitFor(wctx, n)
	stop()

	var r burstResult
	r.span, r.conns, r.chunk = span, w.Conns, w.Chunk
	r.enqueueRate = float64(n) / span.Seconds()
	seen := make(map[string]bool, n)
	var lat []time.Duration
	for _, m := range s.Messages() {
		id := m.Header.Get("Message-Id")
		at, ok := enqueued[id]
		switch {
		case !ok:
			b.Errorf("unknown Message-ID %s", id)
		case seen[id]:
			r.duplicated++
		default:
			seen[id] = true
			lat = append(lat, m.At.Sub(at))
		}
	}
	r.lost = n - len(seen)
	if len(lat) == 0 {
		return r
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	r.p50, r.p95, r.p99, r.max = q(0.50), q(0.95), q(0.99), lat[len(lat)-1]
	in10 := 0
	for _, d := range lat {
		if d <= 10*time.Second {
			in10++
		}
	}
	// Lost notices count as late.
	r.within10s = float64(in10) / float64(n)
	return r
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q is not a positive count", name, v)
	}
	return n
}
