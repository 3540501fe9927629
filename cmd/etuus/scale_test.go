package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedScale writes synthetic customers beside the demo data through the
// command an operator runs, twice, and checks that the audit chain holds.
func TestSeedScale(t *testing.T) {
	db := filepath.Join(t.TempDir(), "etuus.db")
	code, out, errOut := runCmd(t, "seed", "--db", db, "--demo", "true", "--scale", "40", "--log-level", "error")
	if code != 0 || !strings.Contains(out, "scale batch 1: 40 synthetic customers") || !strings.Contains(out, "customer with many threads") {
		t.Fatalf("seed --scale = %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "seed", "--db", db, "--scale", "10", "--seed-value", "2", "--log-level", "error")
	if code != 0 || !strings.Contains(out, "scale batch 2: 10 synthetic customers (numbers 40–49)") {
		t.Fatalf("second seed --scale = %d %q %q", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "audit", "verify", "--db", db); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("audit verify = %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "seed", "--db", db, "--scale", "-1"); code != 2 || !strings.Contains(errOut, "--scale") {
		t.Errorf("--scale -1 = %d %q", code, errOut)
	}
}
