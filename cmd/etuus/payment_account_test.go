package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var oldToken = regexp.MustCompile(`name="old" value="([0-9a-f]+)"`)

// TestPaymentAccountEndToEnd: the bank rejects one of demo Sanna's
// payments. Sanna, who chose e-mail notices, finds a message in her inbox
// saying what was rejected, why and what to do, and an e-mail that says
// only that a message waits; importing the report again tells her
// nothing more. On the payment account page she is refused an invalid and
// a non-SEPA account with field messages, confirms a change seeing only
// masked accounts, and is told by e-mail that her account changed; the
// rejected payment is now due to the new account. A specialist's 360 view
// shows the change.
func TestPaymentAccountEndToEnd(t *testing.T) {
	e := startApp(t)
	ctx := t.Context()
	const me = "demo-person-sanna"
	if _, err := e.db().SQL().Exec(`DELETE FROM notification_consents WHERE person_id = $1`, me); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db().SQL().Exec(`INSERT INTO notification_consents (person_id, allow_messages, channel, address, verified, updated_at)
		VALUES ($1, TRUE, 'email', 'sanna@example.fi', TRUE, $2)`, me, time.Now()); err != nil {
		t.Fatal(err)
	}
	p, msg := e.sentPayment(ctx, me)
	report := filepath.Join(t.TempDir(), "pain002.xml")
	os.WriteFile(report, []byte(pain002For(msg, p.EndToEndID, "AC04")), 0o600)
	for range 2 {
		if code, stdout, stderr := runCmd(t, "payments", "status-report", "--db", e.dbURL(), "--log-level", "error", report); code != 0 {
			t.Fatalf("status-report = %d\n%s%s", code, stdout, stderr)
		}
	}
	mail := e.waitMail(1)
	// Sanna uses the e-service in Swedish: her notices are in Swedish.
	if mail.Subject != "Nytt meddelande om utbetalningen av dina förmåner" || strings.ContainsAny(mail.Text, "0123456789€") {
		t.Errorf("notice mail:\n%s", mail.Subject+"\n"+mail.Text)
	}

	sanna := browser()
	english(e, sanna)
	e.signIn(sanna, "test-citizen", me)
	_, inbox := e.get(sanna, "/my/messages")
	if strings.Count(inbox, "Banken avvisade en betalning till dig") != 1 || !strings.Contains(inbox, "Benefit payments: Returned or rejected payment") {
		t.Fatalf("inbox:\n%s", inbox)
	}
	m := threadLink.FindStringSubmatch(inbox)
	if m == nil {
		t.Fatal("no thread link in the inbox")
	}
	_, thread := e.get(sanna, "/my/messages/"+m[1])
	for _, want := range []string{"Orsak: kontot är avslutat.", "Betalningar → Betalningskonto", "en gång, i nästa utbetalningskörning", "Konto: FI•• … "} {
		if !strings.Contains(thread, want) {
			t.Errorf("the message lacks %q:\n%s", want, thread)
		}
	}
	if _, body := e.get(sanna, "/my/payments"); !strings.Contains(body, `href="/my/payments/account"`) {
		t.Errorf("the payments page does not link the account page")
	}

	resp, body := e.get(sanna, "/my/payments/account")
	if resp.StatusCode != 200 || !strings.Contains(body, "Account now") || !strings.Contains(body, "Payments the bank returned to you: 1.") {
		t.Fatalf("account page = %d:\n%s", resp.StatusCode, body)
	}
	for _, c := range []struct {
		iban, holder, want string
	}{
		{"FI00 1234", "", "Enter a valid IBAN account number"},
		{"BR18 0036 0305 0000 1000 9795 493C 1", "Sanna", "BR is not one"},
	} {
		resp, body = e.post(sanna, "/my/payments/account", url.Values{"iban": {c.iban}, "holder": {c.holder}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) || !strings.Contains(body, `aria-invalid="true"`) ||
			!strings.Contains(body, "<title>Error:") {
			t.Errorf("%s = %d:\n%s", c.iban, resp.StatusCode, body)
		}
	}
	resp, body = e.post(sanna, "/my/payments/account", url.Values{"iban": {"DE89 3704 0044 0532 0130 00"}, "holder": {"Sanna Demo"}})
	tok := oldToken.FindStringSubmatch(body)
	if resp.StatusCode != 200 || tok == nil || !strings.Contains(body, "DE•• … 3000") || !strings.Contains(body, "Payments returned by the bank, paid again to the new account") {
		t.Fatalf("confirmation = %d:\n%s", resp.StatusCode, body)
	}
	resp, body = e.post(sanna, "/my/payments/account", url.Values{"iban": {"DE89 3704 0044 0532 0130 00"}, "holder": {"Sanna Demo"},
		"old": {tok[1]}, "confirm": {"yes"}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/my/payments/account" || !strings.Contains(body, "Your payment account was changed.") ||
		!strings.Contains(body, "DE•• … 3000") {
		t.Fatalf("after the change = %d %s:\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	if strings.Contains(body, "DE89370400440532013000") || strings.Contains(body, "DE89 3704") {
		t.Errorf("the page shows the whole new account")
	}
	changed := e.waitMail(2)
	if changed.Subject != "Ditt betalningskonto har ändrats" || strings.ContainsAny(changed.Text, "0123456789€") {
		t.Errorf("account mail:\n%s", changed.Subject+"\n"+changed.Text)
	}
	if _, body := e.get(sanna, "/my/payments"); !strings.Contains(body, "we will pay it in the next payment run") {
		t.Errorf("the payments page after the change:\n%s", body)
	}
	// Confirming the same form again is refused: the account is that already.
	resp, _ = e.post(sanna, "/my/payments/account", url.Values{"iban": {"DE89 3704 0044 0532 0130 00"}, "holder": {"Sanna Demo"},
		"old": {tok[1]}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("a stale confirmation = %d", resp.StatusCode)
	}

	anna := e.browserIn("en")
	e.signIn(anna, "test-staff", "staff-anna")
	_, body = e.post(anna, "/staff/customers/"+me, url.Values{"purpose": {"phone"}})
	if !strings.Contains(body, "Payment account changes") || !strings.Contains(body, "DE89 3704 0044 0532 0130 00") || !strings.Contains(body, "Sanna Demo") {
		t.Errorf("the 360 view lacks the account change:\n%s", body)
	}
}
