package main

import (
	"strings"
	"testing"
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
