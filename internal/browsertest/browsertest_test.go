package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The smoke tests rely on Errors seeing what goes wrong on a page: a script
// error, a console.error call and a missing resource.
func TestErrorsAreCollected(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<!doctype html><html lang="en"><title>t</title><link rel="icon" href="data:,"><img src="/missing.png" alt=""><script src="/bad.js"></script><h1>hi</h1>`))
		case "/bad.js":
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte(`console.error("boom"); null.x;`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	b := New(t)
	b.Do(t, chromedp.Navigate(srv.URL+"/"))
	if got := b.Text(t, "h1"); got != "hi" {
		t.Fatalf("h1 = %q", got)
	}
	all := strings.Join(b.Errors(), "\n")
	for _, want := range []string{"boom", "null", "404"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
}
