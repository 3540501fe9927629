package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/mail/sink"
)

// A wrong --smtp password is in the log at start-up, naming the setting,
// and not the password.
func TestSMTPCheckedAtStartUp(t *testing.T) {
	sk, err := sink.Start("127.0.0.1:0", sink.Auth("etuus", "salainen"))
	if err != nil {
		t.Fatal(err)
	}
	defer sk.Close()
	e := startApp(t, func(c *config) {
		c.SMTP = "smtp://etuus:arvaus@" + sk.Addr() + "?tls=none&auth=plain&from=etuus%40etuus.test"
	})
	var logs string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if logs = e.logs.String(); strings.Contains(logs, "mail server refuses") {
			break
		}
	}
	if !strings.Contains(logs, "mail server refuses") || !strings.Contains(logs, "setting=--smtp") || !strings.Contains(logs, "535") {
		t.Errorf("the start-up log does not explain the refused password:\n%s", logs)
	}
	if strings.Contains(logs, "arvaus") {
		t.Error("the log shows the password")
	}
	// Operations see it too: /readyz names the mail server (and stays
	// 200), the metric is 0.
	resp, body := e.get(browser(), "/readyz")
	if resp.StatusCode != 200 || !strings.Contains(body, "mail: refusing or unreachable since") {
		t.Errorf("/readyz %d:\n%s", resp.StatusCode, body)
	}
	if _, metrics := e.get(browser(), "/metrics"); !strings.Contains(metrics, "etuus_mail_server_up 0") {
		t.Error("/metrics lacks etuus_mail_server_up 0")
	}
}

// A confirmation code the mail server refuses for good (5xx) is shown to
// the customer on the notifications page, so that they fix the address
// instead of waiting for it.
func TestBouncedCodeShownToCustomer(t *testing.T) {
	e := startApp(t)
	if e.app.sink == nil {
		t.Fatal("no development SMTP sink")
	}
	c := browser()
	english(e, c)
	e.signIn(c, "test-citizen", "demo-person-matti")
	e.app.sink.FailNext(1, 550)
	if resp, _ := e.post(c, "/my/notifications", consentForm(url.Values{}, "email", "email", "matti.bounce@etuus.test")); resp.StatusCode != 200 {
		t.Fatalf("saving the address: %d", resp.StatusCode)
	}
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, body = e.get(c, "/my/notifications"); strings.Contains(body, "could not be delivered") {
			break
		}
	}
	if !strings.Contains(body, "could not be delivered to your e-mail address") || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("the page does not say the code bounced:\n%s", body)
	}
	// A new code that arrives clears it.
	e.post(c, "/my/notifications/resend", nil)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, body = e.get(c, "/my/notifications"); !strings.Contains(body, "could not be delivered") {
			break
		}
	}
	if strings.Contains(body, "could not be delivered") {
		t.Error("the warning stays after a code was delivered")
	}
}
