package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/apiclient"
)

// TestAPIClientsByStaff: operations staff issue a client on the staff page,
// see its secret once, and revoke it; others are refused; the secret works
// against the running server until it is revoked.
func TestAPIClientsByStaff(t *testing.T) {
	e := startApp(t)
	olli := browser()
	english(e, olli)
	e.signIn(olli, "test-staff", "staff-olli")
	resp, body := e.post(olli, "/staff/api-clients", url.Values{"name": {"Apteekki Keskusta"}, "subject": {"pharmacy-1"}, "scope": {apiclient.ScopePharmacy}})
	secret := regexp.MustCompile(`value="(etuus_[A-Za-z0-9_-]+)"`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || secret == nil || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("issue: %d %q\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	if _, body := e.get(olli, "/staff/api-clients"); strings.Contains(body, secret[1]) || !strings.Contains(body, "Apteekki Keskusta") {
		t.Errorf("the list shows the secret again, or not the client:\n%s", body)
	}
	c, err := apiclient.NewService(e.db().APIClients(), nil).Authenticate(context.Background(), secret[1])
	if err != nil || c.Subject != "pharmacy-1" {
		t.Fatalf("the issued secret: %+v %v", c, err)
	}
	if resp, body := e.post(olli, "/staff/api-clients", url.Values{"name": {"X"}, "subject": {"p"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose at least one scope") {
		t.Errorf("issue without a scope: %d\n%s", resp.StatusCode, body)
	}
	anna := browser()
	e.signIn(anna, "test-staff", "staff-anna")
	if resp, _ := e.get(anna, "/staff/api-clients"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a recovery specialist sees the clients: %d", resp.StatusCode)
	}
	if resp, _ := e.post(anna, "/staff/api-clients/"+c.ID+"/revoke", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a recovery specialist revokes: %d", resp.StatusCode)
	}
	if resp, body := e.post(olli, "/staff/api-clients/"+c.ID+"/revoke", nil); resp.StatusCode != 200 || !strings.Contains(body, "has been revoked") {
		t.Errorf("revoke: %d\n%s", resp.StatusCode, body)
	}
}

func TestAPIClientCommand(t *testing.T) {
	db := "file:" + t.TempDir() + "/etuus.db"
	if code, _, errs := runCmd(t, "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	code, out, errs := runCmd(t, "api-client", "issue", "--db", db, "--name", "Palkka Oy payroll", "--subject", "1234567-1", "--scope", "authorizations.check")
	m := regexp.MustCompile(`client (\S+) issued .*\nsecret \(shown once\): (etuus_\S+)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("issue: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, "api-client", "list", "--db", db); code != 0 || !strings.Contains(out, m[1]+"\t1234567-1\tauthorizations.check\tactive") || strings.Contains(out, m[2]) {
		t.Errorf("list: %d %q", code, out)
	}
	for _, bad := range [][]string{
		{"api-client"}, {"api-client", "grant"},
		{"api-client", "issue", "--db", db, "--name", "X", "--subject", "Y", "--scope", "admin"},
		{"api-client", "issue", "--db", db, "--subject", "Y", "--scope", "pharmacy"},
		{"api-client", "revoke", "--db", db},
	} {
		if code, _, errs := runCmd(t, bad...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d %q; want 2 with a reason", bad, code, errs)
		}
	}
	if code, out, _ := runCmd(t, "api-client", "revoke", "--db", db, m[1]); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("revoke: %d %q", code, out)
	}
	if code, _, errs := runCmd(t, "api-client", "revoke", "--db", db, m[1]); code != 1 || !strings.Contains(errs, "revoked already") {
		t.Errorf("revoke twice: %d %q", code, errs)
	}
}
