package main

import (
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
