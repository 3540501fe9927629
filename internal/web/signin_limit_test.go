package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/store/storetest"
	"github.com/etuus/etuus/internal/web"
)

// One address cannot start sign-ins without end: after the burst it gets
// 429 with the translated text until its bucket refills.
func TestSignInStartsRateLimited(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	now := time.Now()
	e.web.SetClock(func() time.Time { return now })
	c := noRedirect()
	for i := range web.DefaultSignInLimit.Burst {
		if resp, _ := get(t, c, e.srv.URL+"/login/nobody", "Accept-Language", "en"); resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("start %d refused within the burst", i+1)
		}
	}
	resp, body := get(t, c, e.srv.URL+"/login/nobody", "Accept-Language", "en")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("start after the burst: %d Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	now = now.Add(web.DefaultSignInLimit.Every)
	if resp, _ := get(t, c, e.srv.URL+"/login/nobody", "Accept-Language", "en"); resp.StatusCode == http.StatusTooManyRequests {
		t.Error("still refused after the bucket refilled by one")
	}
}
