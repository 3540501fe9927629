package main

import (
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
	e := startApp(t, func(c *config) {
		c.DB, c.Demo, c.TestIDP, c.DevSMTP = dbURL, "true", "true", "true"
	})
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
