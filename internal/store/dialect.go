package store

import (
	"bytes"
	"database/sql"
	"errors"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds every difference between SQLite and PostgreSQL in this one
// file; the rest of the package writes one SQL text for both ($1 placeholders
// work on both drivers).
type dialect int

const (
	sqliteDialect dialect = iota + 1
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

func (d dialect) driver() string {
	if d == postgresDialect {
		return "pgx"
	}
	return "sqlite"
}

// tune sizes the connection pool. SQLite has one writer at a time, so a few
// connections serve the readers WAL allows; PostgreSQL gets a real pool,
// whose idle connections are kept however long they idle. database/sql
// hands out the connection that was returned last, so the ones beyond a
// quiet hour's concurrency idle; closing them after minutes meant that
// the next burst opened them again, and a new PostgreSQL connection costs
// a backend's fork and, for each table and statement its first requests
// use, loading the catalog and planning afresh (the staff queue's query:
// 12–20 ms on a new backend, 1.5 ms after; sends of 125–1,250 ms in the
// first burst of issue 20's load test). Twenty idle backends cost the
// database a few megabytes.
func (d dialect) tune(db *sql.DB) {
	if d == postgresDialect {
		db.SetMaxOpenConns(postgresPool)
		db.SetMaxIdleConns(postgresPool)
		db.SetConnMaxIdleTime(0)
		return
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(0)
}

// postgresPool is the most connections a process holds to PostgreSQL.
const postgresPool = 20

// warmPool is how many connections OpenPool opens ahead of need: the
// whole PostgreSQL pool; none on SQLite, whose connections open in
// microseconds.
func (d dialect) warmPool() int {
	if d == postgresDialect {
		return postgresPool
	}
	return 0
}

// probe is the first query run after opening; on SQLite it reads the schema
// table so that a file that is not a database fails here.
func (d dialect) probe() string {
	if d == postgresDialect {
		return "SELECT 1"
	}
	return "SELECT count(*) FROM sqlite_master"
}

// lockAudit serialises appends to the audit chain inside a transaction.
// SQLite transactions already hold the database's write lock from BEGIN.
func (d dialect) lockAudit() string {
	if d == postgresDialect {
		return "SELECT pg_advisory_xact_lock(7744)"
	}
	return ""
}

// forUpdate locks the rows a SELECT reads until the transaction ends;
// SQLite's transactions hold the whole database already.
func (d dialect) forUpdate() string {
	if d == postgresDialect {
		return " FOR UPDATE"
	}
	return ""
}

// forNoKeyUpdate locks the rows a SELECT reads against other writers of
// them until the transaction ends, but not against foreign-key checks of
// rows that refer to them (PostgreSQL's FOR NO KEY UPDATE): a transaction
// that locks a row it will only change, never delete or re-key, does not
// deadlock with one that inserts rows referring to it.
func (d dialect) forNoKeyUpdate() string {
	if d == postgresDialect {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// bulkRows is how many rows of params values each one bulk statement of
// the bank import writes or looks up (multi-row INSERT, UPDATE … FROM
// VALUES, IN lists): about a thousand values a statement on SQLite, eight
// thousand on PostgreSQL (one round trip each). Their placeholders come
// from bulkParam.
func (d dialect) bulkRows(params int) int {
	if d == postgresDialect {
		return max(1, 8000/params)
	}
	return max(1, 1000/params)
}

// bulkParam is the placeholder of the nth value of a bulk statement whose
// values appear in the text in their order. SQLite gets an anonymous "?":
// the driver asks SQLite for every numbered parameter's name, a search that
// grows with the statement's parameters (a thousand "$n" cost more than the
// insert); "?" has no name to search.
func (d dialect) bulkParam(n int) string {
	if d == postgresDialect {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// typed is the placeholder p with the SQL type typ where PostgreSQL cannot
// infer it (a VALUES list): SQLite takes any value anywhere.
func (d dialect) typed(p, typ string) string {
	if d == postgresDialect {
		return p + "::" + typ
	}
	return p
}

// inList is the most values one IN (…) list takes, and insertRows the most
// rows one INSERT writes (outside the bank import, whose bulk statements
// are sized by bulkRows). SQLite's driver looks up every numbered
// parameter by its number, a cost that grows with the statement's
// parameters, so on SQLite statements stay small and are prepared once per
// transaction instead; PostgreSQL takes one round trip for many rows.
func (d dialect) inList() int {
	if d == postgresDialect {
		return 1000
	}
	return 50
}

func (d dialect) insertRows() int {
	if d == postgresDialect {
		return 200
	}
	return 1
}

// pipelines says whether insertAudited sends its statements in two
// pipelined round trips on the connection's own driver (pgx batches);
// SQLite runs in the process, a statement costs no round trip.
func (d dialect) pipelines() bool { return d == postgresDialect }

// forUpdateOf is forUpdate for a join that locks only the rows of the
// table with the alias.
func (d dialect) forUpdateOf(alias string) string {
	if d == postgresDialect {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

func (d dialect) uniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// retryable reports errors that go away when the transaction runs again:
// SQLite's busy and locked, PostgreSQL's serialization failure and deadlock.
func (d dialect) retryable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// Migrations are written for PostgreSQL types; for SQLite a few type names
// are rewritten (TIMESTAMP and DATE are the declared types the SQLite driver
// turns back into time.Time), and blocks fenced by
//
//	-- +etuus postgres   or   -- +etuus sqlite
//	…
//	-- +etuus end
//
// are kept only for their own dialect.
var sqliteTypes = strings.NewReplacer(
	"TIMESTAMPTZ", "TIMESTAMP",
	"BYTEA", "BLOB",
	"JSONB", "TEXT",
)

var fence = regexp.MustCompile(`(?s)-- \+etuus (postgres|sqlite)\n(.*?)-- \+etuus end\n`)

func (d dialect) migrationText(b []byte) []byte {
	b = fence.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := fence.FindSubmatch(m)
		if string(sub[1]) == d.String() {
			return sub[2]
		}
		return nil
	})
	if d == sqliteDialect {
		b = []byte(sqliteTypes.Replace(string(b)))
	}
	return bytes.TrimSpace(b)
}

// migrationFS returns the embedded migrations rewritten for the dialect.
func (d dialect) migrationFS(src fs.FS) (fs.FS, error) {
	out := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		b, err := fs.ReadFile(src, path)
		if err != nil {
			return err
		}
		out[path] = &fstest.MapFile{Data: d.migrationText(b)}
		return nil
	})
	return out, err
}
