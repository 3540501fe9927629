package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestOutageMode is seed 000 on a real PostgreSQL of the test's own: the
// database is stopped under a running server with a signed-in customer and
// a published disruption notice. Public pages (front page, directory,
// status page, the notice's banner, the JSON APIs) keep answering from
// memory to eight clients at once; the customer's pages, a staff search and
// a new sign-in answer a translated 503 saying what still works, never a
// 500; when the database is back, the same session is served again
// without a restart.
func TestOutageMode(t *testing.T) {
	cluster := storetest.NewCluster(t)
	e := startAppOn(t, cluster.URL)
	olli := e.browserIn("en")
	e.signIn(olli, "test-staff", "staff-olli")
	now := time.Now().In(civil.Finland)
	notice := "The e-service is partially unavailable."
	if resp, _ := e.post(olli, "/staff/notices", url.Values{"services": {"eservice", "phone"},
		"starts": {now.Add(-time.Hour).Format("2006-01-02T15:04")}, "ends": {now.Add(24 * time.Hour).Format("2006-01-02T15:04")},
		"text_fi": {"Kelan palveluissa on häiriö."}, "text_sv": {"FPA:s tjänster har en störning."}, "text_en": {notice}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	matti := e.browserIn("en")
	if _, body := e.signIn(matti, "test-citizen", "demo-person-matti"); !strings.Contains(body, "Matti") {
		t.Fatalf("sign-in:\n%s", body)
	}
	anna := e.browserIn("en")
	e.signIn(anna, "test-staff", "staff-anna")

	public := map[string]string{"/": notice, "/directory": "020 634 0300", "/status": notice,
		"/api/v1/status": notice, "/api/v1/directory": "020 635 1808"}
	visitor := e.browserIn("en")
	for path := range public {
		e.get(visitor, path) // read once while the database is up
	}

	cluster.Stop(t)

	// Eight clients at once, visitors and the signed-in customer, for a
	// second: every public answer is whole.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	deadline := time.Now().Add(time.Second)
	for i := 0; i < 8; i++ {
		c := e.browserIn("en")
		if i == 0 {
			c = matti
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				for path, want := range public {
					resp, body := e.get(c, path)
					if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
						mu.Lock()
						failures = append(failures, path+": "+resp.Status+"\n"+body)
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d public answers failed during the outage, first %s", len(failures), failures[0])
	}

	outage := func(who string, resp *http.Response, body string) {
		t.Helper()
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "What still works") ||
			!strings.Contains(body, "Kela card") || !strings.Contains(body, "020 634 4940") || !strings.Contains(body, notice) {
			t.Errorf("%s during the outage: %d\n%s", who, resp.StatusCode, body)
		}
	}
	resp, body := e.get(matti, "/my")
	outage("/my", resp, body)
	resp, body = e.get(matti, "/my/messages")
	outage("/my/messages", resp, body)
	resp, body = e.post(anna, "/staff/customers", url.Values{"q": {"100871-998D"}})
	outage("staff search", resp, body)
	resp, body = e.get(e.browserIn("en"), "/login/test-citizen")
	outage("a new sign-in", resp, body)
	// In Finnish too.
	u, _ := url.Parse(e.base)
	matti.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "fi"}})
	if resp, body := e.get(matti, "/my"); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Kela-korttisi") {
		t.Errorf("Finnish outage page: %d\n%s", resp.StatusCode, body)
	}

	cluster.Start(t)
	var back bool
	var last string
	for i := 0; i < 50 && !back; i++ {
		resp, body := e.get(matti, "/my")
		last = resp.Status + "\n" + body
		back = resp.StatusCode == http.StatusOK && strings.Contains(body, "Matti")
		if !back {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if !back {
		t.Fatalf("the customer's page did not come back after the database did: %s", last)
	}
}

// startAppOn is startApp on the PostgreSQL database at dbURL, with the demo
// data, the test identity provider and the development mail and SMS.
func startAppOn(t testing.TB, dbURL string) *running {
	return startApp(t, func(c *config) {
		c.DB, c.Demo, c.TestIDP, c.DevSMTP, c.DevSMS = dbURL, "true", "true", "true", "true"
	})
}

// BenchmarkPublicPagesDuringOutage measures the public pages with the
// database stopped (a PostgreSQL cluster of the benchmark's own, crashed
// after the pages were read once): whole pages over keep-alive
// connections from GOMAXPROCS×4 goroutines, access log on. It reports
// requests per second.
func BenchmarkPublicPagesDuringOutage(b *testing.B) {
	cluster := storetest.NewCluster(b)
	e := startAppOn(b, cluster.URL)
	c := benchClient(64)
	paths := []string{"/status", "/directory", "/api/v1/status", "/"}
	for _, path := range paths {
		e.get(c, path)
	}
	cluster.Stop(b)
	defer cluster.Start(b)
	for _, path := range paths {
		b.Run(path, func(b *testing.B) {
			b.SetParallelism(4)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := c.Get(e.base + path)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("%s: %s", path, resp.Status)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}
