package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/etuus/etuus/internal/browsertest"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestBrowserFrontPage loads the front page in headless Chromium in each
// language, follows the language switcher, and fails on any console error
// or failed load (a missing stylesheet, script or icon would show here).
func TestBrowserFrontPage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := browsertest.New(t)
	for _, tt := range []struct{ accept, lang, heading string }{
		{"fi-FI,fi", "fi", "Sosiaaliturvan asiointipalvelu"},
		{"sv-FI,sv", "sv", "E-tjänst för social trygghet"},
		{"en-GB,en", "en", "Social security e-services"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			b.Do(t, browsertest.SetLanguage(tt.accept), chromedp.Navigate(e.srv.URL+"/"))
			if got := b.Text(t, "h1"); got != tt.heading {
				t.Errorf("h1 = %q; want %q", got, tt.heading)
			}
			lang, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
			if err != nil || lang != tt.lang {
				t.Errorf("html lang = %q, %v; want %q", lang, err, tt.lang)
			}
			if errs := b.Errors(); len(errs) > 0 {
				t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
	// The switcher's link works without JavaScript and sticks in a cookie.
	b.Do(t, browsertest.SetLanguage("fi"), chromedp.Navigate(e.srv.URL+"/"),
		chromedp.Click(chromedp.CSS(`.langs a[lang="sv"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="sv"] h1`)))
	b.Do(t, chromedp.Navigate(e.srv.URL+"/"))
	if got := b.Text(t, "h1"); got != "E-tjänst för social trygghet" {
		t.Errorf("after switching to Swedish, h1 = %q", got)
	}
	// The skip link is the first thing a keyboard user reaches.
	focused, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(document.querySelector('a.skip').focus(), document.activeElement.getAttribute('href'))`))
	if err != nil || focused != "#main" {
		t.Errorf("skip link focus = %q, %v", focused, err)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
