package main

import (
	"context"
	"net/url"
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
