package main

import (
	"context"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/message"
)

// TestSignedInRouteLabel: a signed-in request is counted and logged under
// its route pattern, not as "unmatched" (the session middleware replaces
// the request the mux sets the pattern on).
func TestSignedInRouteLabel(t *testing.T) {
	e := startApp(t)
	c := browser()
	if resp, _ := e.signIn(c, "test-citizen", "demo-person-maija"); resp.Request.URL.Path != "/my" {
		t.Fatalf("sign-in ended at %s", resp.Request.URL)
	}
	e.get(c, "/my/messages")
	_, metrics := e.get(browser(), "/metrics")
	for _, want := range []string{`method="GET",route="GET /my"}`, `method="GET",route="GET /my/messages"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(metrics, `route="unmatched"`) {
		t.Errorf("a request is counted as unmatched:\n%s", grepLines(metrics, "unmatched"))
	}
	if logs := e.logs.String(); !strings.Contains(logs, `route="GET /my/messages"`) && !strings.Contains(logs, `"route":"GET /my/messages"`) {
		t.Errorf("the access log lacks the route of a signed-in request:\n%s", grepLines(logs, "request"))
	}
}

// grepLines is the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestStaffSeeHowAnAnswerReaches: the thread page tells staff how an answer
// would reach the customer, and after answering what was done: a notice
// only when the customer chose one and confirmed its address.
func TestStaffSeeHowAnAnswerReaches(t *testing.T) {
	e := startApp(t)
	ctx := context.Background()
	sanna := access.AsCustomer("demo-person-sanna")
	th, _, err := e.app.messages.Send(ctx, sanna, message.Draft{Lang: "en", Subject: "recovery", Specification: "other", Title: "Question", Body: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	e.get(anna, "/lang/en")
	_, body := e.get(anna, "/staff/messages/"+th.ID)
	c, err := e.app.messages.Consent(ctx, sanna)
	if err != nil {
		t.Fatal(err)
	}
	if want := "No notice is sent"; !c.Notifies() && !strings.Contains(body, want) || c.Notifies() && !strings.Contains(body, "The customer is told by") {
		t.Errorf("the thread page does not say how an answer reaches the customer (choice %+v):\n%s", c, grepLines(body, "reach"))
	}
	if _, err := e.app.messages.SetConsent(ctx, sanna, "en", message.Consent{Channel: message.ChannelNone}); err != nil {
		t.Fatal(err)
	}
	_, body = e.get(anna, "/staff/messages/"+th.ID)
	if !strings.Contains(body, "No notice is sent: the customer chose no notices.") {
		t.Errorf("the customer chose no notices; the thread page says:\n%s", grepLines(body, `id="reach"`))
	}
	_, body = e.postMultipart(anna, "/staff/messages/"+th.ID, url.Values{"body": {"Answer"}})
	if !strings.Contains(body, "The answer is sent. No notice is sent") || strings.Contains(body, "will be notified") {
		t.Errorf("after the answer staff are told:\n%s", grepLines(body, "alert"))
	}
}

// TestDemoBankFileBooks: the demo bank file the README offers books against
// the demo claims of a fresh demo database: four payments booked, the one
// without a reference queued for staff.
func TestDemoBankFileBooks(t *testing.T) {
	e := startApp(t)
	file := filepath.Join("..", "..", "testdata", "iso20022", "demo-camt054.xml")
	code, out, errOut := runCmd(t, "reconcile", "--db", e.app.db.String(), file)
	if code != 0 || !strings.Contains(out, "Booked 4 (835.35 €), Queued for staff 1, Refused 0") {
		t.Fatalf("reconcile of the demo file = %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("%s", out)
	maija := browser()
	english(e, maija)
	e.signIn(maija, "test-citizen", "demo-person-maija")
	claim := e.demoClaim("demo-person-maija")
	if _, body := e.get(maija, "/my/claims/"+claim.ID); !strings.Contains(body, `id="balance">1`+"\u00a0"+`840,00`) {
		t.Errorf("Maija's claim after the demo file:\n%s", grepLines(body, "balance"))
	}
}

// TestUnlinkedEIDASIsToldSo: an eIDAS identity staff have not linked yet is
// told so and what happens next, not that nothing is recovered from them.
func TestUnlinkedEIDASIsToldSo(t *testing.T) {
	e := startApp(t)
	kati := browser()
	english(e, kati)
	e.signIn(kati, "test-eidas", "demo-eidas-kati")
	for _, path := range []string{"/my/claims", "/my"} {
		_, body := e.get(kati, path)
		if !strings.Contains(body, "not yet linked to a customer record") || strings.Contains(body, "Nothing is being recovered") {
			t.Errorf("%s for an unlinked eIDAS person:\n%s", path, grepLines(body, "alert"))
		}
	}
	maija := browser()
	english(e, maija)
	e.signIn(maija, "test-citizen", "demo-person-maija")
	if _, body := e.get(maija, "/my"); strings.Contains(body, "not yet linked") {
		t.Error("a citizen is told their identity is not linked")
	}
}

// TestStaffSeeOnlyWhatTheyMayUse: the staff page offers each task by the
// permission table: the Centre for International Affairs' specialist is
// not shown the Recovery Centre's queue or the bank upload, the operations
// member of shared services the bank upload but not the queue.
func TestStaffSeeOnlyWhatTheyMayUse(t *testing.T) {
	e := startApp(t)
	tests := []struct {
		subject  string
		shown    []string
		notShown []string
	}{
		{"staff-anna", []string{"/staff/messages", "/staff/recovery", "/staff/bank", "/staff/eidas"}, nil},
		{"staff-kaisa", []string{"/staff/messages", "/staff/eidas"}, []string{"/staff/recovery", "/staff/bank"}},
		{"staff-olli", []string{"/staff/messages", "/staff/bank"}, []string{"/staff/recovery", "/staff/eidas"}},
	}
	for _, tt := range tests {
		c := browser()
		e.signIn(c, "test-staff", tt.subject)
		_, body := e.get(c, "/staff")
		for _, link := range tt.shown {
			if !strings.Contains(body, `href="`+link+`"`) {
				t.Errorf("%s is not offered %s", tt.subject, link)
			}
			if resp, _ := e.get(c, link); resp.StatusCode != 200 {
				t.Errorf("%s is offered %s, which answers %d", tt.subject, link, resp.StatusCode)
			}
		}
		for _, link := range tt.notShown {
			if strings.Contains(body, `href="`+link+`"`) {
				t.Errorf("%s is offered %s, which they may not use", tt.subject, link)
			}
			if resp, _ := e.get(c, link); resp.StatusCode != 403 {
				t.Errorf("%s may not use %s, which answers %d", tt.subject, link, resp.StatusCode)
			}
		}
	}
}

// TestMessageWithNewAddressSaysSentFirst: a message sent together with a
// new notice address says first that the message is sent, then asks for
// the code.
func TestMessageWithNewAddressSaysSentFirst(t *testing.T) {
	e := startApp(t)
	johan := browser()
	english(e, johan)
	e.signIn(johan, "test-citizen", "demo-person-johan")
	resp, body := e.postMultipart(johan, "/my/messages", url.Values{"topic": {"recovery.other"}, "title": {"Question"}, "body": {"Hello"},
		"allow": {"yes"}, "channel": {"email"}, "email": {"johan.new@example.fi"}})
	sent, code := strings.Index(body, `id="message-sent"`), strings.Index(body, `action="/my/notifications/verify"`)
	if resp.StatusCode != 200 || sent < 0 || code < 0 || sent > code || !strings.Contains(body, "Your message has been sent") {
		t.Errorf("after sending with a new address (%d at %s): sent at %d, code form at %d\n%s", resp.StatusCode, resp.Request.URL.Path, sent, code, grepLines(body, "alert"))
	}
}

// TestRowControlsNameTheirRow: each queued payment's controls in the
// Recovery Centre's queue say which row they belong to.
func TestRowControlsNameTheirRow(t *testing.T) {
	e := startApp(t)
	file := filepath.Join("..", "..", "testdata", "iso20022", "demo-camt054.xml")
	if code, out, errOut := runCmd(t, "reconcile", "--db", e.app.db.String(), file); code != 0 {
		t.Fatalf("reconcile = %d %s %s", code, out, errOut)
	}
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	_, body := e.get(anna, "/staff/recovery")
	for _, label := range []string{"Claim reference", "Reason", "Save"} {
		re := regexp.MustCompile(regexp.QuoteMeta(label) + `[^<]*<span class="visually-hidden"> – Line 206</span>`)
		if !re.MatchString(body) {
			t.Errorf("the queue's %q control does not name its row:\n%s", label, grepLines(body, "206"))
		}
	}
}
