package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/browsertest"
	"github.com/etuus/etuus/internal/message"
)

// overflowJS lists what sticks out of the viewport sideways: empty when
// the page reflows (WCAG 1.4.10).
const overflowJS = `(function () {
  var w = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > w) out.push("page " + document.documentElement.scrollWidth + " > " + w);
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1 && getComputedStyle(el).position !== "absolute" && !el.closest(".visually-hidden, .skip, dialog, thead")) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + " right=" + Math.round(r.right));
    }
  });
  return out.slice(0, 8).join("; ");
})()`

// TestBrowserReflowAt320 opens every page at 320 CSS pixels wide, as a
// citizen, as staff and signed out, in Finnish (the longest words), and
// fails on anything that scrolls sideways.
func TestBrowserReflowAt320(t *testing.T) {
	e := startApp(t)
	file := filepath.Join("..", "..", "testdata", "iso20022", "demo-camt054.xml")
	if code, out, errOut := runCmd(t, "reconcile", "--db", e.app.db.String(), file); code != 0 {
		t.Fatalf("reconcile = %d %s %s", code, out, errOut)
	}
	maija, johan := e.demoClaim("demo-person-maija"), e.demoClaim("demo-person-johan")
	th, _, err := e.app.messages.Send(context.Background(), access.AsCustomer("demo-person-maija"), message.Draft{Lang: "fi", Subject: "recovery", Specification: "other",
		Title: "Kysymys maksusuunnitelmasta", Body: "Hei"})
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t)
	b.Do(t, browsertest.SetLanguage("fi"), chromedp.EmulateViewport(320, 640))
	check := func(path string) {
		t.Helper()
		checkReflow(t, b, e.base, path)
	}
	for _, p := range []string{"/", "/login", "/staff/login", "/secure-email", "/accessibility", "/privacy", "/help", "/login/test-citizen", "/no/such/page"} {
		check(p)
	}
	b.Errors() // the 404 of the last page
	b.Do(t, chromedp.Navigate(e.base+"/login/test-citizen"), chromedp.Click(chromedp.CSS(`button[value="demo-person-maija"]`)), chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)))
	for _, p := range []string{"/my", "/my/claims", "/my/claims/" + maija.ID, "/my/claims/" + maija.ID + "/plan", "/my/claims/" + maija.ID + "/slip",
		"/my/messages", "/my/messages/new", "/my/messages/" + th.ID, "/my/notifications"} {
		check(p)
	}
	b.Do(t, chromedp.Navigate(e.base+"/login/test-citizen"), chromedp.Click(chromedp.CSS(`button[value="demo-person-johan"]`)), chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)))
	check("/my/claims/" + johan.ID + "/exemption")
	b.Do(t, chromedp.Navigate(e.base+"/login/test-staff"), chromedp.Click(chromedp.CSS(`button[value="staff-anna"]`)), chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)))
	for _, p := range []string{"/staff", "/staff/messages", "/staff/messages/" + th.ID, "/staff/recovery", "/staff/bank", "/staff/eidas"} {
		check(p)
	}
	// Keyboard focus shows: the first Tab reaches the skip link, drawn in
	// the focus yellow; a focused field gets the yellow outline and the
	// dark ring.
	b.Do(t, chromedp.Navigate(e.base+"/staff/messages/"+th.ID), chromedp.WaitReady(chromedp.CSS("body")), chromedp.KeyEvent("\t"))
	got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(function () { var s = getComputedStyle(document.activeElement); return document.activeElement.className + " " + s.backgroundColor; })()`))
	if err != nil || got != "skip rgb(255, 221, 0)" {
		t.Errorf("the first Tab focuses %q, %v; want the skip link in rgb(255, 221, 0)", got, err)
	}
	got, err = chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(function () { var el = document.querySelector("header a.brand"); el.focus(); var s = getComputedStyle(el); return s.backgroundColor + " " + s.color; })()`))
	if err != nil || got != "rgb(255, 221, 0) rgb(11, 12, 12)" {
		t.Errorf("a focused link in the header: %q, %v; want dark text on the focus yellow", got, err)
	}
	got, err = chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(function () { var el = document.getElementById("body"); el.focus(); var s = getComputedStyle(el); return s.outlineColor + " " + s.outlineWidth + " " + s.boxShadow; })()`))
	if err != nil || !strings.HasPrefix(got, "rgb(255, 221, 0) 3px rgb(11, 12, 12) 0px 0px 0px 6px") {
		t.Errorf("a focused field: %q, %v", got, err)
	}
	// Operations staff: the queue of rejected and returned payments.
	b.Do(t, chromedp.Navigate(e.base+"/login/test-staff"), chromedp.Click(chromedp.CSS(`button[value="staff-olli"]`)), chromedp.WaitVisible(chromedp.CSS(`.usernav .who`)))
	check("/staff/payments/returns")
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
