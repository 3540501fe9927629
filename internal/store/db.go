// Package store is the one database/sql implementation of every etuus store,
// for the embedded SQLite default and for PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/etuus/etuus/internal/audit"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/groupcommit"
)

// DB is an open etuus database.
type DB struct {
	sql     *sql.DB
	dialect dialect
	// Now is the clock every transaction reads its fixed "now" from. Set
	// it before the database is shared; SetClock changes it while others
	// use the database.
	Now   func() time.Time
	clock atomic.Pointer[func() time.Time]
	// display is the database location without credentials, for logs.
	display string
	// stmts caches prepared statements of the hottest queries by their text.
	stmts sync.Map
	// auditKey keys the audit chain's new hashes (SetAuditKey).
	auditKey atomic.Pointer[audit.Key]
	// views writes staff reads' audit entries in shared transactions
	// (RecordViews).
	views *groupcommit.Writer[[]audit.Entry]
}

// SetAuditKey keys the hashes of audit entries appended from now on with
// k (HMAC-SHA256), so that the chain cannot be rewritten without the key.
func (db *DB) SetAuditKey(k audit.Key) { db.auditKey.Store(&k) }

// auditSealKey is the key new entries are hashed with; the zero Key is a
// plain hash.
func (db *DB) auditSealKey() audit.Key {
	if k := db.auditKey.Load(); k != nil {
		return *k
	}
	return audit.Key{}
}

// queryRow runs a hot query through a statement prepared once, which saves
// parsing the SQL on every page view.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := db.stmt(ctx, q)
	if err != nil {
		return db.sql.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (db *DB) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.sql.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Open opens the database named by url: a postgres:// or postgresql:// URL, or
// an SQLite file given as sqlite:PATH, file:PATH or a plain path. It checks
// that the database answers, but neither creates tables nor writes anything:
// an existing file that is not an SQLite database is refused, never
// overwritten.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.cacheKiB == 0 {
		o.cacheKiB = 64 << 10
	}
	d, dsn, display, err := parseURL(url, o.cacheKiB)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(d.driver(), dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", display, err)
	}
	d.tune(db)
	s := &DB{sql: db, dialect: d, Now: time.Now, display: display}
	if err := s.check(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.views = groupcommit.New(groupcommit.Options{}, s.appendViews)
	return s, nil
}

// Option changes how Open opens a database.
type Option func(*options)

type options struct {
	cacheKiB int
}

// ForImport opens the database for a process that only imports a bank file
// (etuus reconcile): each SQLite connection keeps 16 MiB of pages in memory
// instead of 64 MiB. The import reads each claim and writes each row once, in
// chunks, so a larger cache holds pages it never reads again (the operating
// system's file cache still has them): at 100,000 entries the process's peak
// RSS was 228 MB with 64 MiB and 122 MB with 16 MiB, for the same CPU time.
// PostgreSQL is unchanged.
func ForImport() Option {
	return func(o *options) { o.cacheKiB = 16 << 10 }
}

func parseURL(url string, cacheKiB int) (d dialect, dsn, display string, err error) {
	switch {
	case url == "":
		return 0, "", "", errors.New("no database given")
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgresDialect, url, redactURL(url), nil
	case strings.Contains(url, "://"):
		return 0, "", "", fmt.Errorf("unsupported database URL %q: use postgres://… or an SQLite file path", redactURL(url))
	}
	path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return 0, "", "", errors.New("no SQLite file path given")
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return 0, "", "", fmt.Errorf("database %s is a directory, not a file", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return 0, "", "", fmt.Errorf("database folder %s: %w", dir, err)
		}
	}
	// WAL lets readers run beside the one writer; busy_timeout makes writers
	// wait for each other instead of failing; _txlock=immediate takes the
	// write lock at BEGIN so two transactions never deadlock upgrading.
	// The path goes into a URI: a '#', '?' or '%' in it (a test's temp
	// folder can hold '#') must not end or change it.
	dsn = "file:" + strings.NewReplacer("%", "%25", "#", "%23", "?", "%3F").Replace(path) + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-" + strconv.Itoa(cacheKiB) + ")&_pragma=temp_store(MEMORY)&_txlock=immediate"
	return sqliteDialect, dsn, path, nil
}

// redactURL drops the password from a URL so it can be logged.
func redactURL(url string) string {
	at := strings.LastIndexByte(url, '@')
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":***" + url[at:]
	}
	return url
}

// check makes the first round trip, so that a wrong URL, a refused password
// or a file that is not a database stops start-up with a clear error.
func (db *DB) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var n int
	if err := db.sql.QueryRowContext(ctx, db.dialect.probe()).Scan(&n); err != nil {
		return fmt.Errorf("database %s: %w", db.display, err)
	}
	return nil
}

// SetClock replaces the clock while the database is in use (tests moving
// time on under a running server).
func (db *DB) SetClock(now func() time.Time) { db.clock.Store(&now) }

// now is the clock's reading: SetClock's, else Now's.
func (db *DB) now() time.Time {
	if p := db.clock.Load(); p != nil {
		return (*p)()
	}
	return db.Now()
}

// Close closes the database.
func (db *DB) Close() error {
	db.views.Close()
	db.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	return db.sql.Close()
}

// String names the database without credentials.
func (db *DB) String() string { return db.display }

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.String() }

// SQL is the underlying pool, for metrics and for the job queue's driver.
func (db *DB) SQL() *sql.DB { return db.sql }

// OpenPool opens the connections the pool may hold, all of them on
// PostgreSQL (none on SQLite), so that the first burst of requests after
// start-up waits for no backend to start; tune keeps them open. It
// returns how many the pool has open; an error (the database away) leaves
// the pool to open connections as requests need them.
func (db *DB) OpenPool(ctx context.Context) (int, error) {
	n := db.dialect.warmPool()
	conns := make([]*sql.Conn, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, err := db.sql.Conn(ctx)
			if err == nil {
				err = c.PingContext(ctx)
			}
			conns[i], errs[i] = c, err
		})
	}
	wg.Wait()
	for _, c := range conns {
		if c != nil {
			c.Close() // back to the pool, which keeps it
		}
	}
	return db.sql.Stats().OpenConnections, errors.Join(errs...)
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	return db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&n)
}

// Tx is a transaction with the fixed instant it runs at, so that every row it
// writes carries the same time and tests control that time.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	// stmts holds the statements this transaction prepared, by their text,
	// so a statement run for each of a million bank entries is parsed once.
	// The transaction closes them when it ends.
	stmts map[string]*sql.Stmt
	// warm is the fixed texts shared prepared for this transaction only,
	// for the database to prepare once it has ended.
	warm []string
}

// prepared is the transaction's statement for the text, prepared at first use.
func (tx *Tx) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	tx.keep(q, st)
	return st, nil
}

func (tx *Tx) keep(q string, st *sql.Stmt) {
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
}

// shared is the transaction's copy of a statement the database keeps
// prepared (DB.stmt): each connection parses it once, not once a
// transaction. Only for fixed texts, since the database keeps every text
// it is given (the audit chain's, one row at a time on SQLite). A text the
// database has not prepared yet is prepared for this transaction alone and
// for the database once the transaction has ended (tryTx): preparing it on
// the pool now would need a second connection while this transaction may
// hold SQLite's write lock, and the pool's other connections may all be
// waiting for that lock.
func (tx *Tx) shared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	st, ok := tx.db.stmts.Load(q)
	if !ok {
		tx.warm = append(tx.warm, q)
		return tx.prepared(ctx, q)
	}
	txst := tx.StmtContext(ctx, st.(*sql.Stmt))
	tx.keep(q, txst)
	return txst, nil
}

// direct says whether a statement runs as it is, without the transaction
// preparing it: on PostgreSQL pgx keeps each connection's statements
// prepared by their text, and a statement prepared for a transaction
// costs a round trip to prepare and another to deallocate when the
// transaction ends.
func (tx *Tx) direct() bool { return tx.db.dialect == postgresDialect }

// stmtFor is the statement q runs through: none on PostgreSQL (direct),
// else the transaction's own prepared copy or, for a fixed text, its copy
// of the database's (shared).
func (tx *Tx) stmtFor(ctx context.Context, q string, fixed bool) (*sql.Stmt, error) {
	switch {
	case tx.direct():
		return nil, nil
	case fixed:
		return tx.shared(ctx, q)
	default:
		return tx.prepared(ctx, q)
	}
}

func (tx *Tx) execVia(ctx context.Context, fixed bool, q string, args ...any) (sql.Result, error) {
	st, err := tx.stmtFor(ctx, q, fixed)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.ExecContext(ctx, q, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (tx *Tx) queryRowVia(ctx context.Context, fixed bool, q string, args ...any) *sql.Row {
	st, err := tx.stmtFor(ctx, q, fixed)
	if st == nil || err != nil {
		return tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// exec runs a statement through the transaction's prepared copy (SQLite).
func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.execVia(ctx, false, q, args...)
}

// queryRow runs a query through the transaction's prepared copy (SQLite).
func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.queryRowVia(ctx, false, q, args...)
}

// sharedExec and sharedQueryRow are exec and queryRow for fixed texts,
// through the database's prepared statement (shared).
func (tx *Tx) sharedExec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.execVia(ctx, true, q, args...)
}

func (tx *Tx) sharedQueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.queryRowVia(ctx, true, q, args...)
}

// Now is the transaction's instant, in UTC.
func (tx *Tx) Now() time.Time { return tx.now }

// Begin starts a read-write transaction.
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	t, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, db.mapErr(err)
	}
	return &Tx{Tx: t, db: db, now: db.now().UTC().Truncate(time.Microsecond)}, nil
}

// inTx runs fn in a transaction and commits it when fn returns nil. A busy or
// serialization failure is retried a few times before it is reported.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.retrying(ctx, func() error { return db.tryTx(ctx, fn) })
}

// retrying runs try, one transaction, again while it fails busy or with a
// serialization failure, a few times with a growing pause, and maps what
// it returns last.
func (db *DB) retrying(ctx context.Context, try func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = try()
		if !db.dialect.retryable(err) {
			return db.mapErr(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return db.mapErr(err)
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, q := range tx.warm {
		// Outside the transaction now; a text that does not prepare is
		// prepared per transaction again next time.
		db.stmt(ctx, q)
	}
	return nil
}

// mapErr turns driver errors into fault kinds that callers can act on.
func (db *DB) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var f *fault.Error
	if errors.As(err, &f) {
		return err
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fault.Wrap(fault.NotFound, "", err)
	case db.dialect.uniqueViolation(err):
		return fault.Wrap(fault.Conflict, "", err)
	case db.dialect.retryable(err):
		return fault.Wrap(fault.Unavailable, "", err)
	}
	return err
}

// NewID returns a new time-ordered UUID (version 7) as text, generated in Go
// so that both databases agree and rows sort by creation.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// pageLimit is " LIMIT n" for a page size the code sets (not one a request
// chooses: each size is a statement of its own). A joined query's LIMIT
// given as a parameter leaves PostgreSQL's generic plan for it assuming a
// tenth of the table, so that plan is never chosen and every execution is
// planned anew; with the number in the text the generic plan is the one
// for a page, and the statement is planned a few times per connection.
func pageLimit(n int) string { return " LIMIT " + strconv.Itoa(max(n, 0)) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// scanAll reads every row with scan and closes the rows.
func scanAll[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// insertValues writes rows of cols values each: head is the statement up to
// and including VALUES, tail what follows the rows (an ON CONFLICT clause or
// nothing; both fixed texts). It writes the dialect's insertRows a
// statement (so on PostgreSQL a batch of a thousand audit entries is five
// round trips, not a thousand; on SQLite each row goes through the
// database's prepared statement) and returns the rows affected.
func (tx *Tx) insertValues(ctx context.Context, head, tail string, cols int, rows [][]any) (int64, error) {
	var total int64
	per := tx.db.dialect.insertRows()
	stmts, err := valuesStatements(head, tail, cols, per, rows)
	if err != nil {
		return 0, err
	}
	for _, st := range stmts {
		var res sql.Result
		var err error
		if per == 1 {
			// One row a statement: the text is the caller's, fixed.
			res, err = tx.sharedExec(ctx, st.query, st.args...)
		} else {
			res, err = tx.ExecContext(ctx, st.query, st.args...)
		}
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// statement is one SQL text with its arguments.
type statement struct {
	query string
	args  []any
}

// valuesStatements is insertValues' statements, per rows each.
func valuesStatements(head, tail string, cols, per int, rows [][]any) ([]statement, error) {
	var out []statement
	for part := range slices.Chunk(rows, per) {
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, len(part)*cols)
		for i, r := range part {
			if len(r) != cols {
				return nil, fmt.Errorf("store: insert row of %d values, want %d", len(r), cols)
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + placeholders(i*cols+1, cols) + ")")
			args = append(args, r...)
		}
		q.WriteString(tail)
		out = append(out, statement{q.String(), args})
	}
	return out, nil
}
