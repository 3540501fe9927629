package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCollectCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "seed", "--data", dir); code != 0 {
		t.Fatal(errOut)
	}
	// A dry run lists what would be done, claim by claim with the
	// reason, and writes nothing: the real run that follows does it all.
	code, out, errOut := runCmd(t, "collect", "--data", dir, "--date", "2099-01-01", "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run, nothing written; would have collected 2099-01-01: 4 claims") ||
		!strings.Contains(out, "\treminder\tSend a payment reminder.") {
		t.Fatalf("collect --dry-run = %d %q %q", code, out, errOut)
	}
	db, err := testConfigFor(dir).openExisting(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var events, letters int
	db.SQL().QueryRow(`SELECT (SELECT count(*) FROM claim_events WHERE kind <> 'created'), (SELECT count(*) FROM recovery_letters WHERE kind <> 'recovery_started')`).Scan(&events, &letters)
	db.Close()
	if events != 0 || letters != 0 {
		t.Errorf("the dry run wrote %d events and %d letters", events, letters)
	}
	// Far after every demo due date: reminders and interest follow.
	code, out, errOut = runCmd(t, "collect", "--data", dir, "--date", "2099-01-01")
	if code != 0 || !strings.Contains(out, "collected 2099-01-01: 4 claims") || strings.Contains(out, " 0 reminders") {
		t.Fatalf("collect = %d %q %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "collect", "--data", dir, "--date", "2099-01-01")
	if code != 0 || !strings.Contains(out, ": 0 claims (0 changed)") {
		t.Errorf("the same day again = %d %q", code, out)
	}
	// --all looks at every claim still collected, and changes nothing the
	// same day either.
	code, out, _ = runCmd(t, "collect", "--data", dir, "--date", "2099-01-01", "--all")
	if code != 0 || strings.Contains(out, ": 0 claims") || !strings.Contains(out, " claims (0 changed)") {
		t.Errorf("--all the same day = %d %q", code, out)
	}
	if code, _, errOut := runCmd(t, "collect", "--data", dir, "--date", "tomorrow"); code != 2 || !strings.Contains(errOut, "--date") {
		t.Errorf("bad --date = %d %q", code, errOut)
	}
}

func TestHealthcareFeesCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "seed", "--data", dir); code != 0 {
		t.Fatal(errOut)
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "hetu,term,registered\n010403A998U,2026S,2026-01-10\n241198-998U,2026X,2026-01-10\n100871-998D,2026S,31.2.2026\n")
	code, _, errOut := runCmd(t, "healthcare-fees", "--data", dir, bad)
	if code != 1 || !strings.Contains(errOut, "Line 3: the term must look like 2026S or 2026A") || !strings.Contains(errOut, "Line 4") || !strings.Contains(errOut, "nothing was created") {
		t.Errorf("bad file = %d %q", code, errOut)
	}
	unknown := write("unknown.csv", "hetu,term,registered\n010403A998U,2026S,2026-01-10\n131052-308T,2026S,2026-01-10\n")
	code, _, errOut = runCmd(t, "healthcare-fees", "--data", dir, unknown)
	if code != 1 || !strings.Contains(errOut, "Line 3: no customer found") {
		t.Errorf("unknown student = %d %q", code, errOut)
	}
	good := write("good.csv", "hetu,term,registered\n010403A998U,2026S,2026-01-10\n241198-998U,2026S,2026-02-05\n")
	code, out, errOut := runCmd(t, "healthcare-fees", "--data", dir, good)
	if code != 0 || !strings.Contains(out, "2 healthcare fees created") {
		t.Fatalf("good file = %d %q %q", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "healthcare-fees", "--data", dir, good)
	if code != 1 || !strings.Contains(errOut, "already been charged") {
		t.Errorf("the same file again = %d %q", code, errOut)
	}
	db, err := testConfigFor(dir).openExisting(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, _ := db.Recovery().ClaimsOf(context.Background(), "demo-person-johan")
	var found bool
	for _, c := range cs {
		// Registered attending after 31.1: due 31.7 (a Friday in 2026).
		if c.Kind == "healthcare_fee" && c.Principal == 3535 && c.DueDate.String() == "2026-07-31" {
			found = true
		}
	}
	if !found {
		t.Errorf("Johan's fee: %+v", cs)
	}
}

func testConfigFor(dir string) *config {
	c := testConfig(dir)
	return &c
}
