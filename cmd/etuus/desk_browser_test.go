package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/etuus/etuus/internal/browsertest"
)

// TestBrowserDeskAccessLog: in headless Chromium, Anna searches for Matti
// by identity code, opens him for a phone call, and Matti then finds that
// look in his access log — the unit, the role and the reason, not Anna.
func TestBrowserDeskAccessLog(t *testing.T) {
	e := startApp(t)
	staff := browserSignedIn(t, e, "test-staff", "staff-anna", `a[href="/staff/customers"]`)
	staff.Do(t,
		chromedp.Click(chromedp.CSS(`a[href="/staff/customers"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "100871-998D"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/customers/demo-person-matti"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/staff/customers/demo-person-matti"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="purpose"][value="phone"]`)),
		chromedp.Click(chromedp.CSS(`input[name="purpose"][value="phone"]`)),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#customer`)),
	)
	if got := staff.Text(t, "#customer"); got != "Matti Virtanen" {
		t.Fatalf("the 360 view's heading = %q", got)
	}
	citizen := browserSignedIn(t, e, "test-citizen", "demo-person-matti", `a[href="/my/access-log"]`)
	citizen.Do(t,
		chromedp.Click(chromedp.CSS(`a[href="/my/access-log"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main table`)),
	)
	got := citizen.Text(t, "main table")
	for _, want := range []string{"Overpayment Recovery Centre", "Customer service specialist", "Opened your data", "Phone call with the customer"} {
		if !strings.Contains(got, want) {
			t.Errorf("the access log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Anna") {
		t.Errorf("the access log names the specialist:\n%s", got)
	}
	for _, b := range []*browsertest.Browser{staff, citizen} {
		if errs := b.Errors(); len(errs) > 0 {
			t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
		}
	}
}

// browserSignedIn is a Chromium in English signed in through the test
// provider as who, on the page that shows the element.
func browserSignedIn(t *testing.T, e *running, provider, who, shows string) *browsertest.Browser {
	b := browsertest.New(t)
	b.Do(t, browsertest.SetLanguage("en"),
		chromedp.Navigate(e.base+"/login/"+provider),
		chromedp.Click(chromedp.CSS(`button[value="`+who+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(shows)),
	)
	return b
}
