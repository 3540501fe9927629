package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/etuus/etuus/internal/browsertest"
	"github.com/etuus/etuus/internal/fi/civil"
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

// TestBrowserRecovery is issue 4's "done when" in headless Chromium: a
// citizen sees a student loan debt with its barcode, proposes a plan, a
// staff member approves it, a bank file pays the first instalment (uploaded
// through the staff page), and the citizen sees the new balance.
func TestBrowserRecovery(t *testing.T) {
	e := startApp(t)
	claim := e.demoClaim("demo-person-maija")
	file := paymentFile(t, t.TempDir(), claim.Reference.String(), 10000, "ARCH-B-1")
	first := civil.Of(time.Now()).AddDays(10)

	citizen := browsertest.New(t)
	citizen.Do(t, browsertest.SetLanguage("en"),
		chromedp.Navigate(e.base+"/login/test-citizen"),
		chromedp.Click(chromedp.CSS(`button[value="demo-person-maija"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/my/claims"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/my/claims"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/my/claims/`+claim.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/my/claims/`+claim.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#barcode`)),
	)
	if bc := citizen.Text(t, "#barcode"); len(bc) != 54 {
		t.Fatalf("barcode %q", bc)
	}
	citizen.Do(t,
		chromedp.Click(chromedp.CSS(`a[href="/my/claims/`+claim.ID+`/plan"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#monthly`)),
		chromedp.SendKeys(chromedp.CSS(`#monthly`), "100"),
		chromedp.SetValue(chromedp.CSS(`#first_due`), first.String()),
		chromedp.Click(chromedp.CSS(`button[value="preview"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sched-h`)),
	)
	if got := citizen.Text(t, "#sched-h + p"); !strings.Contains(got, "24 instalments") {
		t.Errorf("schedule summary %q", got)
	}
	citizen.Do(t, chromedp.Click(chromedp.CSS(`button[value="send"]`)), chromedp.WaitVisible(chromedp.CSS(`.alert.ok`)))

	staff := browsertest.New(t)
	staff.Do(t, browsertest.SetLanguage("en"),
		chromedp.Navigate(e.base+"/login/test-staff"),
		chromedp.Click(chromedp.CSS(`button[value="staff-anna"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/recovery"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/staff/recovery"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.proposal button[value="approve"]`)),
		chromedp.Click(chromedp.CSS(`article.proposal button[value="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert.ok`)),
		chromedp.Navigate(e.base+"/staff/bank"),
		chromedp.WaitVisible(chromedp.CSS(`#file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#booked`)),
	)
	if got := staff.Text(t, "#booked"); !strings.HasPrefix(got, "1 ") {
		t.Errorf("booked: %q", got)
	}

	citizen.Do(t, chromedp.Navigate(e.base+"/my/claims/"+claim.ID), chromedp.WaitVisible(chromedp.CSS(`#balance`)))
	if got := citizen.Text(t, "#balance"); got != "2\u00a0240,00\u00a0€" && got != "2 240,00 €" {
		t.Errorf("balance after the first instalment = %q", got)
	}
	for _, b := range []*browsertest.Browser{citizen, staff} {
		if errs := b.Errors(); len(errs) > 0 {
			t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
		}
	}
}

// TestBrowserMessages is issue 5's "done when" in headless Chromium: a
// citizen sends a payment-plan message with a PDF, it appears in the
// Overpayment Recovery Centre's queue, a staff member answers, the citizen
// gets an e-mail notice with no personal data and reads the answer.
func TestBrowserMessages(t *testing.T) {
	e := startApp(t)
	pdf := filepath.Join(t.TempDir(), "income.pdf")
	if err := os.WriteFile(pdf, []byte(minimalPDF), 0o600); err != nil {
		t.Fatal(err)
	}
	citizen := browsertest.New(t)
	citizen.Do(t, browsertest.SetLanguage("en"),
		chromedp.Navigate(e.base+"/login/test-citizen"),
		chromedp.Click(chromedp.CSS(`button[value="demo-person-maija"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/my/messages"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/my/messages"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/my/messages/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/my/messages/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#topic`)),
		chromedp.SetValue(chromedp.CSS(`#topic`), "recovery.payment_plan"),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Payment plan for the student loan"),
		chromedp.SendKeys(chromedp.CSS(`#body`), "My income fell. Could I pay 40 euros a month? Payslip attached."),
		chromedp.SetUploadFiles(chromedp.CSS(`#attachments`), []string{pdf}),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert.ok`)),
	)
	if got := citizen.Text(t, "main h1"); !strings.Contains(got, "Payment plan for the student loan") {
		t.Fatalf("after sending: %q", got)
	}

	staff := browsertest.New(t)
	staff.Do(t, browsertest.SetLanguage("en"),
		chromedp.Navigate(e.base+"/login/test-staff"),
		chromedp.Click(chromedp.CSS(`button[value="staff-anna"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/messages"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/staff/messages"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.threads`)),
	)
	if got := staff.Text(t, "table.threads"); !strings.Contains(got, "Payment plan for the student loan") || !strings.Contains(got, "Maija Meikäläinen") {
		t.Fatalf("the Centre's queue: %q", got)
	}
	staff.Do(t,
		chromedp.Click(chromedp.CSS(`table.threads tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.attachments a`)),
	)
	if got := staff.Text(t, "ul.attachments"); !strings.Contains(got, "income.pdf") {
		t.Errorf("attachment: %q", got)
	}
	staff.Do(t,
		chromedp.SendKeys(chromedp.CSS(`#body`), "Yes: 40 euros a month from next month is approved."),
		chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert.ok`)),
	)

	mail := e.waitMail(1)
	if len(mail.To) != 1 || mail.To[0] != "maija.meikalainen@example.fi" {
		t.Fatalf("notice to %v", mail.To)
	}
	for _, secret := range []string{"40 euros", "Maija", "Meikäläinen", "010403A998U", "student loan"} {
		if strings.Contains(mail.Subject+mail.Text+mail.HTML, secret) {
			t.Errorf("the notice carries %q", secret)
		}
	}

	citizen.Do(t,
		chromedp.Navigate(e.base+"/my/messages"),
		chromedp.WaitVisible(chromedp.CSS(`tr.unread a`)),
		chromedp.Click(chromedp.CSS(`tr.unread a`)),
		chromedp.WaitVisible(chromedp.CSS(`article.msg-staff`)),
	)
	if got := citizen.Text(t, "article.msg-staff"); !strings.Contains(got, "40 euros a month from next month is approved") {
		t.Errorf("the answer: %q", got)
	}
	for _, b := range []*browsertest.Browser{citizen, staff} {
		if errs := b.Errors(); len(errs) > 0 {
			t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
		}
	}
}
