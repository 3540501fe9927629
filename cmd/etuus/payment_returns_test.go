package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/payment"
)

// pain002For is a status report rejecting one payment of the message.
func pain002For(msgID, e2e, code string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>BANK-%s</MsgId><CreDtTm>2026-12-02T09:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>%s-1</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>%s</Cd></Rsn></StsRsnInf></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>`, code, msgID, msgID, e2e, code)
}

// sentPayment is a sent payment of the person's and the ID of the payment
// message (pain.001) its run published, for a bank report about it.
func (e *running) sentPayment(ctx context.Context, personID string) (payment.Payment, string) {
	e.t.Helper()
	past, err := e.db().Payment().PaymentsOf(ctx, personID)
	if err != nil {
		e.t.Fatal(err)
	}
	var p payment.Payment
	for _, x := range past {
		if x.Status == payment.Sent {
			p = x
			break
		}
	}
	runs, _ := e.db().Payment().Runs(ctx, 1000)
	for _, r := range runs {
		if r.ID == p.RunID && r.MessageID != "" {
			return p, r.MessageID
		}
	}
	e.t.Fatalf("no sent payment of %s's with its run: %+v", personID, past)
	return p, ""
}

// TestPaymentReturnsEndToEnd: the bank rejects one of demo Sanna's
// payments; `etuus payments status-report` marks it once (the same file
// again changes nothing, a report for an unknown message is refused);
// Sanna's page says what happened and what comes next; operations staff
// see it in the queue, import the report again from the page, are refused
// an invalid IBAN and record the corrected account; staff without
// payment.run are refused the page.
func TestPaymentReturnsEndToEnd(t *testing.T) {
	e := startApp(t)
	ctx := t.Context()
	p, msg := e.sentPayment(ctx, "demo-person-sanna")
	dir := t.TempDir()
	report := filepath.Join(dir, "pain002.xml")
	os.WriteFile(report, []byte(pain002For(msg, p.EndToEndID, "AC04")), 0o600)
	unknown := filepath.Join(dir, "unknown.xml")
	os.WriteFile(unknown, []byte(pain002For("ETUUS-PAY-20000103-000001", p.EndToEndID, "AC04")), 0o600)
	for _, tt := range []struct {
		file string
		code int
		want string
	}{
		{report, 0, "1 payments marked rejected, 0 recorded before"},
		{report, 0, "0 payments marked rejected, 1 recorded before"},
		{unknown, 1, "which is no payment run of ours. Nothing was recorded."},
	} {
		code, stdout, stderr := runCmd(t, "payments", "status-report", "--db", e.dbURL(), "--log-level", "error", tt.file)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("status-report %s = %d\n%s%s\nwant %d and %q", filepath.Base(tt.file), code, stdout, stderr, tt.code, tt.want)
		}
	}

	sanna := browser()
	english(e, sanna)
	e.signIn(sanna, "test-citizen", "demo-person-sanna")
	if _, body := e.get(sanna, "/my/payments"); !strings.Contains(body, "the bank did not pay it: the account is closed.") ||
		!strings.Contains(body, "We will pay it again, once, to the account you give under Payment account") {
		t.Errorf("customer page lacks the rejection:\n%s", body)
	}
	if _, body := e.get(sanna, "/my/payments/"+p.ID); !strings.Contains(body, "Rejected by the bank") {
		t.Errorf("payment page lacks the status")
	}

	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	if resp, _ := e.get(anna, "/staff/payments/returns"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without payment.run = %d", resp.StatusCode)
	}
	olli := browser()
	english(e, olli)
	e.signIn(olli, "test-staff", "staff-olli")
	if _, body := e.get(olli, "/staff"); !strings.Contains(body, `href="/staff/payments/returns"`) {
		t.Errorf("the staff page does not offer the queue")
	}
	if _, body := e.get(anna, "/staff"); strings.Contains(body, `href="/staff/payments/returns"`) {
		t.Errorf("the staff page offers the queue without payment.run")
	}
	resp, body := e.get(olli, "/staff/payments/returns")
	if resp.StatusCode != 200 || !strings.Contains(body, "AC04: the account is closed") || !strings.Contains(body, "Corrected account number (IBAN)") {
		t.Fatalf("queue = %d:\n%s", resp.StatusCode, body)
	}
	resp, body = e.postMultipart(olli, "/staff/payments/returns/import/status-report", nil, upload{"file", "pain002.xml", pain002For(msg, p.EndToEndID, "AC04")})
	if resp.StatusCode != 200 || !strings.Contains(body, "0 payments marked rejected, 1 recorded before") {
		t.Errorf("upload again = %d", resp.StatusCode)
	}
	resp, body = e.postMultipart(olli, "/staff/payments/returns/import/status-report", nil, upload{"file", "x.xml", "<nope"})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The file could not be read") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("malformed upload = %d", resp.StatusCode)
	}
	queue, err := e.db().Payment().Returns(ctx, []string{payment.ReturnOpen}, 10)
	if err != nil || len(queue) != 1 {
		t.Fatalf("queue = %+v, %v", queue, err)
	}
	id := queue[0].ID
	resp, body = e.post(olli, "/staff/payments/returns/"+id, url.Values{"iban": {"FI00 1234"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter a valid IBAN") || !strings.Contains(body, `href="#iban-`+id+`"`) {
		t.Errorf("bad IBAN = %d:\n%s", resp.StatusCode, body)
	}
	resp, body = e.post(olli, "/staff/payments/returns/"+id, url.Values{"iban": {"FI49 5000 9420 0287 30"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "The next payment run pays the payment again") {
		t.Errorf("repay = %d:\n%s", resp.StatusCode, body)
	}
	if _, body := e.get(sanna, "/my/payments"); !strings.Contains(body, "we will pay it in the next payment run") {
		t.Errorf("customer page after the correction:\n%s", body)
	}
}
