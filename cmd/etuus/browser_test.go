package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/etuus/etuus/internal/browsertest"
)

// TestBrowserSignIn signs in through the built-in test provider in headless
// Chromium, sees the name, and signs out, failing on any console error.
func TestBrowserSignIn(t *testing.T) {
	e := startApp(t)
	b := browsertest.New(t)
	b.Do(t, browsertest.SetLanguage("en"),
		chromedp.Navigate(e.base+"/"),
		chromedp.Click(chromedp.CSS(`.usernav a[href="/login"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/login/test-citizen"]`)),
		chromedp.Click(chromedp.CSS(`a[href^="/login/test-citizen"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value="demo-person-maija"]`)),
	)
	if got := b.Text(t, "body"); !strings.Contains(got, "TEST") {
		t.Errorf("the test provider's page does not say TEST:\n%s", got)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(`button[value="demo-person-maija"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)),
	)
	if got := b.Text(t, ".usernav .who"); got != "Maija Meikäläinen" {
		t.Errorf("signed in as %q", got)
	}
	if got := b.Text(t, "h1"); !strings.Contains(got, "Maija") {
		t.Errorf("h1 = %q", got)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors while signed in:\n%s", strings.Join(errs, "\n"))
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(`.usernav form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert.ok`)),
	)
	if loc := b.Location(t); !strings.HasSuffix(loc, "/signed-out") {
		t.Errorf("after sign-out at %s", loc)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestBrowserIdleWarning shortens the idle timeout so that the warning
// comes five seconds after the page loads, and stays signed in with it.
func TestBrowserIdleWarning(t *testing.T) {
	e := startApp(t, func(c *config) { c.SessionIdle = 2*time.Minute + 5*time.Second })
	b := browsertest.New(t)
	b.Do(t, browsertest.SetLanguage("en"),
		chromedp.Navigate(e.base+"/login/test-citizen"),
		chromedp.Click(chromedp.CSS(`button[value="demo-person-sanna"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)),
	)
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#idle-dialog`))); err != nil {
		t.Fatalf("the idle warning did not appear: %v", err)
	}
	if got := b.Text(t, "#idle-text"); !strings.Contains(got, "signed out") {
		t.Errorf("warning text = %q", got)
	}
	focused, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if err != nil || focused != "idle-extend" {
		t.Errorf("focus is on %q, not the stay button", focused)
	}
	b.Do(t, chromedp.Click(chromedp.CSS(`#idle-extend`)), chromedp.WaitNotVisible(chromedp.CSS(`#idle-dialog`)))
	b.Do(t, chromedp.Navigate(e.base+"/my"), chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)))
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
