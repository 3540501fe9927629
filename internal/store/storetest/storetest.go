// Package storetest runs store tests on every database etuus supports: a
// fresh SQLite file, and a fresh PostgreSQL database on a server it finds or
// starts itself.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver

	"github.com/etuus/etuus/internal/store"
)

// EnvPostgres names a PostgreSQL server URL (with a database the tests may
// connect to, usually postgres) to run the PostgreSQL half of the tests on.
// Without it the tests start a throwaway cluster when PostgreSQL is installed.
const EnvPostgres = "ETUUS_TEST_POSTGRES"

// ForEachDB runs fn in a subtest on a fresh, migrated SQLite database and on a
// fresh, migrated PostgreSQL database, and checks the money invariants
// (CheckInvariants) over the whole database after it. When PostgreSQL
// cannot be found or started the PostgreSQL subtest is skipped with the
// reason, except under CI=true, where it fails.
func ForEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	run := func(t *testing.T, db *store.DB) {
		fn(t, db)
		// A test that closed its database (to see readiness fail) has
		// nothing left to check.
		if !t.Failed() && db.Ping(context.Background()) == nil {
			CheckInvariants(t, db)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { run(t, Postgres(t)) })
}

// SQLite opens a fresh, migrated SQLite database in the test's temp folder.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "etuus.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Postgres opens a fresh, migrated PostgreSQL database for the test, dropped
// afterwards.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL creates a fresh, migrated PostgreSQL database for the test,
// dropped afterwards, and returns its URL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin, err := server()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		t.Skipf("skipping PostgreSQL: %v (set %s or install PostgreSQL)", err, EnvPostgres)
	}
	tmpl, err := template(admin)
	if err != nil {
		t.Fatal(err)
	}
	name := "etuus_test_" + randomHex(6)
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tmpl); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	return withDatabase(pgURL, name)
}

var (
	once     sync.Once
	adminDB  *sql.DB
	pgURL    string
	pgErr    error
	cluster  string // the data folder of a cluster this process started
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
)

func server() (*sql.DB, error) {
	once.Do(func() {
		pgURL = os.Getenv(EnvPostgres)
		if pgURL == "" {
			pgURL, pgErr = startCluster()
			if pgErr != nil {
				return
			}
		}
		adminDB, pgErr = sql.Open("pgx", pgURL)
		if pgErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pgErr = adminDB.PingContext(ctx)
	})
	return adminDB, pgErr
}

// template migrates one database per test process, which every test's
// database is then copied from: copying is much faster than migrating.
func template(admin *sql.DB) (string, error) {
	tmplOnce.Do(func() {
		tmplName = "etuus_tmpl_" + randomHex(6)
		if _, tmplErr = admin.Exec(`CREATE DATABASE ` + tmplName); tmplErr != nil {
			return
		}
		var db *store.DB
		db, tmplErr = store.Open(context.Background(), withDatabase(pgURL, tmplName))
		if tmplErr != nil {
			return
		}
		defer db.Close()
		_, tmplErr = db.Migrate(context.Background())
	})
	return tmplName, tmplErr
}

// Main runs the package's tests and then stops a PostgreSQL cluster that the
// tests started. Use it as: func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if adminDB != nil && tmplName != "" {
		adminDB.Exec(`DROP DATABASE IF EXISTS ` + tmplName + ` WITH (FORCE)`)
	}
	if adminDB != nil {
		adminDB.Close()
	}
	StopCluster()
	return code
}

// StopCluster stops the cluster this process started, if any.
func StopCluster() {
	if cluster == "" {
		return
	}
	bin, _ := pgBin()
	asPostgres(filepath.Join(bin, "pg_ctl"), "-D", cluster, "-m", "immediate", "stop").Run()
	os.RemoveAll(filepath.Dir(cluster))
	cluster = ""
}

// startCluster runs initdb and pg_ctl in a new temp folder, listening only on
// a Unix socket in that folder, as the postgres user when we are root
// (PostgreSQL refuses to run as root).
func startCluster() (string, error) {
	data, url, err := initCluster()
	if err != nil {
		return "", err
	}
	cluster = data
	return url, nil
}

// initCluster makes and starts a cluster in a new temp folder; data is its
// data folder (whose parent holds the socket and the log), url its URL.
func initCluster() (data, url string, err error) {
	bin, err := pgBin()
	if err != nil {
		return "", "", err
	}
	dir, err := os.MkdirTemp("", "etuus-pg-")
	if err != nil {
		return "", "", err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", "", fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", "", err
		}
	}
	data = filepath.Join(dir, "data")
	if out, err := asPostgres(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("initdb: %v: %s", err, out)
	}
	if err := pgStart(data); err != nil {
		return "", "", err
	}
	return data, "postgres://postgres@/postgres?host=" + dir + "&sslmode=disable", nil
}

// pgStart starts the cluster of a data folder made by initCluster.
func pgStart(data string) error {
	bin, err := pgBin()
	if err != nil {
		return err
	}
	dir := filepath.Dir(data)
	opts := fmt.Sprintf("-k %s -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", dir)
	if out, err := asPostgres(filepath.Join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	return nil
}

func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// pgBin finds the newest installed PostgreSQL's bin folder.
func pgBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a > b
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL is not installed (no initdb found)")
}

// withDatabase replaces the database name in a postgres:// URL.
func withDatabase(url, name string) string {
	q := queryOf(url)
	base := strings.TrimSuffix(url, q)
	scheme := strings.Index(base, "://")
	slash := strings.IndexByte(base[scheme+3:], '/')
	if slash < 0 {
		return base + "/" + name + q
	}
	return base[:scheme+3+slash] + "/" + name + q
}

func queryOf(url string) string {
	if i := strings.IndexByte(url, '?'); i >= 0 {
		return url[i:]
	}
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
