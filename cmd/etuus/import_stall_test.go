package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/etuus/etuus/internal/scale"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestImportDoesNotStallTheService runs a bank import as an operator
// would (etuus reconcile, beside the running server, on the same
// database) while a citizen keeps signing in and reading pages and a load
// balancer keeps asking /readyz: not one of them may fail. The e2e run on
// PostgreSQL (ETUUS_E2E_POSTGRES=1, as .ci/run does) makes this the
// PostgreSQL case too.
func TestImportDoesNotStallTheService(t *testing.T) {
	// One test client signs in again and again: the per-address limit of
	// sign-in starts is off here (its own tests hold it).
	e := startApp(t, func(c *config) { c.SignInLimit.Burst = -1 })
	code, err := scale.Code(0)
	if err != nil {
		t.Fatal(err)
	}
	// Enough entries for the import to last seconds: on SQLite it holds
	// the one write lock per chunk of 2,000; PostgreSQL books slower and
	// locks rows, not the database.
	n := 10000
	if e.db().Dialect() == "postgres" {
		n = 3000
	}
	refs := storetest.SeedClaimsFor(t, e.db(), n, code.String(), 5_000_000)
	file := filepath.Join(t.TempDir(), "camt054.xml")
	storetest.WriteCamt054(t, file, "FI3715903000000776", refs)

	var out, errs bytes.Buffer
	done := make(chan int, 1)
	var importing atomic.Bool
	importing.Store(true)
	go func() {
		defer importing.Store(false)
		done <- run(context.Background(), []string{"reconcile", "--db", e.dbURL(), file}, &out, &errs)
	}()
	rounds, failures := 0, 0
	check := func(what string, resp *http.Response, want string) {
		if resp.StatusCode != 200 || (want != "" && resp.Request.URL.Path != want) {
			failures++
			t.Errorf("%s during the import: %d at %s", what, resp.StatusCode, resp.Request.URL.Path)
		}
	}
	for importing.Load() {
		rounds++
		resp, _ := e.get(http.DefaultClient, "/readyz")
		check("/readyz", resp, "")
		c := browser()
		resp, _ = e.signIn(c, "test-citizen", "demo-person-maija")
		check("sign-in", resp, "/my")
		resp, _ = e.get(c, "/my/claims")
		check("/my/claims", resp, "/my/claims")
		if failures > 5 {
			break
		}
	}
	if rc := <-done; rc != 0 {
		t.Fatalf("reconcile exit %d\n%s\n%s", rc, out.String(), errs.String())
	}
	if rounds < 2 {
		t.Errorf("only %d rounds of requests ran during the import: the test did not overlap them", rounds)
	}
	t.Logf("%d rounds of /readyz, sign-in and /my/claims during an import of %d entries, %d failures", rounds, n, failures)
	var booked int
	if err := e.db().SQL().QueryRow(`SELECT count(*) FROM bank_entries WHERE status = 'booked' AND claim_id IN
		(SELECT id FROM claims WHERE person_id = (SELECT id FROM persons WHERE hetu = $1))`, code.String()).Scan(&booked); err != nil || booked != n {
		t.Errorf("%d of %d payments booked (%v)", booked, n, err)
	}
	storetest.CheckInvariants(t, e.db())
}
