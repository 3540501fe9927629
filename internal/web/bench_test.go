package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/etuus/etuus/internal/store/storetest"
)

// BenchmarkHomeHandler renders the front page in-process, without the
// network: the server's own cost per page.
func BenchmarkHomeHandler(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b))
	h := e.web.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept-Language", "fi")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkHomeLoopback requests the front page over loopback TCP from
// parallel keep-alive clients and reports requests per second.
func BenchmarkHomeLoopback(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b))
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	c := &http.Client{Transport: tr}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Get(e.srv.URL + "/")
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
