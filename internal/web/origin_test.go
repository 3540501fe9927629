package web_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/store/storetest"
)

// postRoutes are the POST patterns server.go mounts, read from the source
// so that a route added later is covered without editing this test.
func postRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("server.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`mux\.Handle(?:Func)?\("POST ([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		out = append(out, regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(m[1], "x"))
	}
	if len(out) < 10 {
		t.Fatalf("only %d POST routes found in server.go: %v", len(out), out)
	}
	return out
}

// Every state-changing endpoint refuses a request whose Origin is another
// scheme on the same host (which Go's CrossOriginProtection accepts, as it
// compares hosts only), and another host; its own origin gets through to
// the handler.
func TestCrossSchemePostRefused(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	host := strings.TrimPrefix(e.srv.URL, "http://")
	c := noRedirect()
	post := func(path string, header ...string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader("x=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range postRoutes(t) {
		for _, h := range [][]string{
			{"Origin", "https://" + host},
			{"Origin", "https://" + host, "Sec-Fetch-Site", "same-origin"},
			{"Origin", "http://evil.example"},
			{"Origin", "null"},
			{"Origin", "null", "Sec-Fetch-Site", "cross-site"},
			{"Sec-Fetch-Site", "cross-site"},
			{"Sec-Fetch-Site", "same-site"},
		} {
			if got := post(path, h...); got != http.StatusForbidden {
				t.Errorf("POST %s with %v = %d; want 403", path, h, got)
			}
		}
		for _, h := range [][]string{
			{"Origin", e.srv.URL},
			{"Origin", e.srv.URL, "Sec-Fetch-Site", "same-origin"},
			{"Sec-Fetch-Site", "same-origin"},
			{"Origin", "null", "Sec-Fetch-Site", "same-origin"}, // our forms under Referrer-Policy: no-referrer
			{},
		} {
			if got := post(path, h...); got == http.StatusForbidden {
				t.Errorf("POST %s with %v = 403; its own origin must reach the handler", path, h)
			}
		}
	}
}
