package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestServeOnPostgres runs the whole product on PostgreSQL, the production
// database: sign in, read a claim, propose a plan, have it approved, book a
// payment and see it.
func TestServeOnPostgres(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	e := startAppOn(t, dbURL)
	if e.db().Dialect() != "postgres" {
		t.Fatalf("running on %s", e.db().Dialect())
	}
	c := browser()
	english(e, c)
	e.signIn(c, "test-citizen", "demo-person-maija")
	claim := e.demoClaim("demo-person-maija")
	if _, body := e.get(c, "/my/claims/"+claim.ID); !barcodeRe.MatchString(body) {
		t.Fatalf("claim page without a barcode:\n%s", body)
	}
	first := civil.Of(time.Now()).AddDays(10).String()
	e.post(c, "/my/claims/"+claim.ID+"/plan", url.Values{"monthly": {"100"}, "first_due": {first}, "action": {"send"}})
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	ps, err := e.db().Recovery().PendingProposals(t.Context(), 10)
	if err != nil || len(ps) != 1 {
		t.Fatalf("pending = %d, %v", len(ps), err)
	}
	e.post(anna, "/staff/recovery/proposals/"+ps[0].ID, url.Values{"decision": {"approve"}})
	file := paymentFile(t, t.TempDir(), claim.Reference.String(), 10000, "PG-1")
	if code, out, errOut := runCmd(t, "reconcile", "--db", dbURL, file); code != 0 {
		t.Fatalf("reconcile = %d %s %s", code, out, errOut)
	}
	if _, body := e.get(c, "/my/claims/"+claim.ID); !strings.Contains(body, "2\u00a0240,00") || !strings.Contains(body, "In a payment plan") {
		t.Errorf("after the payment on PostgreSQL:\n%s", body)
	}
}

// TestTwoServersOnePostgres runs two `serve` processes' worth of the app on
// one PostgreSQL database, as production runs several behind a load
// balancer: a sign-in on one continues on the other, a proposal sent
// through one is decided through the other, a rate limit counts requests
// to both, and signing out on one ends the session on both.
func TestTwoServersOnePostgres(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	pg := func(c *config) { c.DB, c.Demo, c.TestIDP, c.DevSMTP = dbURL, "true", "true", "true" }
	a, b := startApp(t, pg), startApp(t, pg)
	if a.base == b.base {
		t.Fatal("both servers on one address")
	}
	c := browser()
	english(a, c)
	english(b, c)
	a.signIn(c, "test-citizen", "demo-person-maija")
	if resp, body := b.get(c, "/my/claims"); resp.Request.URL.Path != "/my/claims" || !strings.Contains(body, "student loan") {
		t.Fatalf("the other server did not continue the session: %s\n%s", resp.Request.URL, body)
	}
	if _, body := b.get(c, "/"); !strings.Contains(body, "Maija") {
		t.Errorf("the other server's front page does not show the signed-in person")
	}
	claim := b.demoClaim("demo-person-maija")
	first := civil.Of(time.Now()).AddDays(10).String()
	if resp, _ := a.post(c, "/my/claims/"+claim.ID+"/plan", url.Values{"monthly": {"100"}, "first_due": {first}, "action": {"send"}}); resp.StatusCode != 200 {
		t.Fatalf("proposal: %d", resp.StatusCode)
	}
	anna := browser()
	b.signIn(anna, "test-staff", "staff-anna")
	ps, err := b.db().Recovery().PendingProposals(t.Context(), 10)
	if err != nil || len(ps) != 1 {
		t.Fatalf("pending = %d, %v", len(ps), err)
	}
	if resp, _ := b.post(anna, "/staff/recovery/proposals/"+ps[0].ID, url.Values{"decision": {"approve"}}); resp.StatusCode != 200 {
		t.Fatalf("approval on the other server: %d", resp.StatusCode)
	}
	if _, body := a.get(c, "/my/claims/"+claim.ID); !strings.Contains(body, "In a payment plan") {
		t.Errorf("the approval made on one server is not shown by the other")
	}

	// Secure e-mail link requests: ten an hour per client, counted across
	// both servers.
	anon := browser()
	for i := range 10 {
		e := []*running{a, b}[i%2]
		if resp, _ := e.post(anon, "/secure-email", url.Values{"email": {fmt.Sprintf("p%d@example.fi", i)}, "unit": {"recovery"}}); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	if resp, _ := a.post(anon, "/secure-email", url.Values{"email": {"last@example.fi"}, "unit": {"recovery"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the 11th request, after ten spread over both servers: %d; want 429", resp.StatusCode)
	}

	// Signed out on one, signed out on both: no cached page shows her data.
	a.post(c, "/logout", nil)
	if resp, body := b.get(c, "/my/claims"); resp.Request.URL.Path == "/my/claims" || strings.Contains(body, "student loan") {
		t.Errorf("after sign-out on one server the other still serves %s", resp.Request.URL.Path)
	}
	if _, body := b.get(c, "/"); strings.Contains(body, "Maija") {
		t.Errorf("after sign-out the other server's front page still shows her name")
	}
}
