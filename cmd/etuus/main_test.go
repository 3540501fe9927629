package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	code, out, _ := runCmd(t, "--help")
	if code != 0 || !strings.Contains(out, "serve") || !strings.Contains(out, "audit") {
		t.Errorf("--help = %d %q", code, out)
	}
	code, _, errOut := runCmd(t, "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command = %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "serve", "--help")
	if code != 0 || !strings.Contains(errOut, "ETUUS_ADDR") || !strings.Contains(errOut, "ETUUS_DB") {
		t.Errorf("serve --help = %d %q", code, errOut)
	}
	code, out, _ = runCmd(t, "version")
	if code != 0 || !strings.HasPrefix(out, "etuus ") {
		t.Errorf("version = %d %q", code, out)
	}
}

func TestBadDatabaseStopsStartup(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.db")
	content := []byte("these are my notes, not a database\n" + strings.Repeat("x", 4096))
	if err := os.WriteFile(notDB, content, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		db   string
		want string
	}{
		{"unknown scheme", "mysql://root@localhost/etuus", "unsupported database URL"},
		{"not a database", notDB, "not a database"},
		{"missing folder", filepath.Join(dir, "no", "such", "etuus.db"), "no such file or directory"},
		{"postgres refuses", "postgres://nobody:secret@127.0.0.1:1/etuus?connect_timeout=2", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, "serve", "--db", tt.db, "--data", dir, "--addr", "127.0.0.1:0")
			if code == 0 {
				t.Fatal("serve started")
			}
			if lines := strings.Count(strings.TrimSpace(errOut), "\n") + 1; lines != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr = %q; want one line containing %q", errOut, tt.want)
			}
			if strings.Contains(errOut, "secret") {
				t.Errorf("stderr shows the password: %q", errOut)
			}
		})
	}
	got, err := os.ReadFile(notDB)
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("the file that is not a database was changed")
	}
}

func TestServeAndShutdown(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := testConfig(dir)
	a, err := newApp(ctx, c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx) }()
	resp, err := http.Get(a.cfg.BaseURL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("readyz = %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	// The demo data was written once; a second start writes it no more.
	db, err := store.Open(context.Background(), filepath.Join(dir, "etuus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.PersonByID(context.Background(), "demo-person-maija"); err != nil {
		t.Errorf("demo person missing: %v", err)
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCmd(t, "migrate", "--data", dir)
	if code != 0 {
		t.Fatalf("migrate = %d %s %s", code, out, errOut)
	}
	code, out, _ = runCmd(t, "audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "intact: 0 entries") {
		t.Errorf("audit verify on an empty log = %d %q", code, out)
	}
	code, _, errOut = runCmd(t, "audit", "frob")
	if code != 2 {
		t.Errorf("audit frob = %d %q", code, errOut)
	}
}

func TestSeedOnPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	code, out, errOut := runCmd(t, "seed", "--db", url, "--demo", "true")
	if code != 0 || !strings.Contains(out, "seeded") {
		t.Fatalf("seed = %d %q %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "migrate", "--db", url, "--status")
	if code != 0 || !strings.Contains(out, "00001") {
		t.Errorf("migrate --status = %d %q", code, out)
	}
}

func testConfig(dir string) config {
	return config{
		Addr: "127.0.0.1:0", Data: dir, Demo: "auto", LogLevel: "error", Shutdown: 5 * time.Second,
		TestIDP: "auto", EIDASCountries: "EE,ES,IT", StaffGroupPrefix: "etuus:",
		SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour,
		CreditorIBAN: "FI37 1590 3000 0007 76", OutboxWorker: true,
		AttachTypes: "pdf,jpeg,png", AttachMaxMB: 10, AttachMaxFiles: 5,
	}
}

// BenchmarkColdStart measures `etuus serve` from nothing to the first
// answer on the embedded default: open a new SQLite file, migrate, write the
// reference and demo data, listen, and answer /readyz.
func BenchmarkColdStart(b *testing.B) {
	for b.Loop() {
		dir := b.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		a, err := newApp(ctx, testConfig(dir), io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- a.serve(ctx) }()
		resp, err := http.Get(a.cfg.BaseURL + "/readyz")
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("readyz: %v", err)
		}
		resp.Body.Close()
		cancel()
		<-done
	}
}
