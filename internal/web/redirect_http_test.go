package web_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/etuus/etuus/internal/browsertest"
	"github.com/etuus/etuus/internal/store/storetest"
	"github.com/etuus/etuus/internal/web"
)

// Every redirect whose target comes from the request answers the corpus's
// verdict: the language switch and the stay-signed-in form.
func TestRedirectTargetsStayLocal(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := noRedirect()
	// The probe's report, byte for byte.
	resp, _ := get(t, c, e.srv.URL+"/lang/en?next=/%09/evil.example")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
		t.Errorf("/lang/en?next=/%%09/evil.example = %d Location %q; want 303 /", resp.StatusCode, loc)
	}
	for _, tt := range web.RedirectCorpus {
		resp, _ := get(t, c, e.srv.URL+"/lang/en?next="+url.QueryEscape(tt.Next))
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !sameTarget(loc, tt.Want) {
			t.Errorf("/lang/en next=%q: %d Location %q; want %q", tt.Next, resp.StatusCode, loc, tt.Want)
		}
	}
}

// sameTarget compares a Location header with localPath's answer as
// http.Redirect writes it (non-ASCII escaped, the path cleaned).
func sameTarget(loc, want string) bool {
	rec := httptest.NewRecorder()
	http.Redirect(rec, httptest.NewRequest("GET", "/lang/en", nil), want, http.StatusSeeOther)
	return loc == rec.Header().Get("Location")
}

// TestBrowserRedirectStaysLocal opens /lang/en?next=… for the whole corpus
// in Chromium, with "evil.example" replaced by a second server that is
// another origin, and checks where the browser ends up.
func TestBrowserRedirectStaysLocal(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	evil := newEvilServer(t)
	b := browsertest.New(t)
	for _, tt := range web.RedirectCorpus {
		next := strings.ReplaceAll(tt.Next, "evil.example", evil)
		_, err := chromedp.Run(b.Ctx, chromedp.Navigate(e.srv.URL+"/lang/en?next="+url.QueryEscape(next)))
		origin, err2 := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`location.origin`))
		if err == nil {
			err = err2
		}
		if err != nil || origin != e.srv.URL {
			t.Errorf("next=%q: the browser ended at origin %q (%v); want %s", next, origin, err, e.srv.URL)
		}
	}
}

// newEvilServer is another origin (localhost, where the site is
// 127.0.0.1) that answers anything; it returns its host:port.
func newEvilServer(t *testing.T) string {
	t.Helper()
	srv := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("evil")) })}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := strings.Cut(l.Addr().String(), ":")
	return "localhost:" + port
}
