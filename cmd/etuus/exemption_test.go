package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

func TestExemptionEndToEnd(t *testing.T) {
	e := startApp(t)
	johan := browser()
	english(e, johan)
	e.signIn(johan, "test-citizen", "demo-person-johan")
	claim := e.demoClaim("demo-person-johan")
	_, body := e.get(johan, "/my/claims/"+claim.ID)
	if !strings.Contains(body, `href="/my/claims/`+claim.ID+`/exemption"`) {
		t.Fatalf("no exemption link on a child support debt:\n%s", body)
	}
	from := civil.Of(time.Now()).AddDays(-60).String()
	u := "/my/claims/" + claim.ID + "/exemption"
	good := url.Values{"kind": {"state_share"}, "income": {"1 150,00"}, "children": {"2"}, "from": {from}, "reason": {"Out of work since the summer."}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range good {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{with("income", "lots"), "Give the income in euros"},
		{with("children", "25"), "from 0 to 20"},
		{with("from", civil.Of(time.Now()).AddDays(-800).String()), "at most one year"},
		{with("reason", " "), "Write your reasons"},
		{with("kind", "interest"), "Choose what you apply for exemption from"},
	} {
		resp, body := e.post(johan, u, tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%v: %d; want 422 %q", tc.form, resp.StatusCode, tc.want)
		}
	}
	// Not Johan's claim, and not a kind that allows exemption.
	matti := browser()
	english(e, matti)
	e.signIn(matti, "test-citizen", "demo-person-matti")
	if resp, _ := e.post(matti, u, good); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's claim = %d; want 404", resp.StatusCode)
	}
	over := e.demoClaim("demo-person-matti")
	if resp, _ := e.get(matti, "/my/claims/"+over.ID+"/exemption"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("exemption form for an overpayment = %d; want 404", resp.StatusCode)
	}
	if xs, _ := e.db().PendingExemptions(context.Background(), 10); len(xs) != 0 {
		t.Fatalf("refused applications were stored: %d", len(xs))
	}
	resp, body := e.post(johan, u, good)
	if resp.Request.URL.Path != "/my/claims/"+claim.ID || !strings.Contains(body, "Your exemption application has been sent") {
		t.Fatalf("after applying at %s", resp.Request.URL)
	}
	if resp, body := e.post(johan, u, good); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already has an exemption application") {
		t.Errorf("second application = %d", resp.StatusCode)
	}
	anna := browser()
	english(e, anna)
	e.signIn(anna, "test-staff", "staff-anna")
	_, body = e.get(anna, "/staff/recovery")
	if !strings.Contains(body, "Johan Korhonen") || !strings.Contains(body, "Out of work since the summer.") {
		t.Fatalf("queue lacks the application:\n%s", body)
	}
	xs, _ := e.db().PendingExemptions(context.Background(), 10)
	if resp, _ := e.post(anna, "/staff/recovery/exemptions/"+xs[0].ID, url.Values{"decision": {"reject"}, "reason": {"made-up"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unlisted reason = %d", resp.StatusCode)
	}
	if resp, _ := e.post(johan, "/staff/recovery/exemptions/"+xs[0].ID, url.Values{"decision": {"approve"}, "reason": {"exemption.reason.granted"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a customer deciding = %d", resp.StatusCode)
	}
	_, body = e.post(anna, "/staff/recovery/exemptions/"+xs[0].ID, url.Values{"decision": {"reject"}, "reason": {"exemption.reason.income_over"}})
	if !strings.Contains(body, "The exemption application was rejected.") {
		t.Fatalf("after rejecting:\n%s", body)
	}
	_, body = e.get(johan, "/my/claims/"+claim.ID)
	if !strings.Contains(body, "Rejected: The income is over the income limit.") {
		t.Errorf("Johan does not see the decision:\n%s", body)
	}
	acts := strings.Join(e.auditActions(), ",")
	if !strings.Contains(acts, "recovery.exemption_applied") || !strings.Contains(acts, "recovery.exemption_rejected") {
		t.Errorf("audit = %s", acts)
	}
}
