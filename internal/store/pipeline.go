package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/etuus/etuus/internal/audit"
)

// insertAudited inserts rows (head is an INSERT up to and including
// VALUES, cols values a row; none: only the entries) and appends es to the audit chain, in one
// transaction of its own, retried on busy and serialization failures as
// inTx is (retrying).
//
// It is the write of a group commit (internal/groupcommit), which at a
// thousand answers a second writes hundreds of small batches a second, each
// holding the audit chain's lock: on PostgreSQL through database/sql the
// batch is six round trips (BEGIN, the rows, the lock, the chain's newest
// entry, the entries, COMMIT), each a wake-up of the server and of this
// process. Here it is two, each a pgx pipeline (one write, one read): BEGIN,
// the rows, the lock and the newest entry; then the sealed entries and
// COMMIT. The statements are the same texts as inTx would run, each with
// its own snapshot as under READ COMMITTED there, so the newest entry is
// read after the lock is held; the customers of view entries are listed
// in the first round trip. SQLite takes inTx.
func (db *DB) insertAudited(ctx context.Context, head string, cols int, rows [][]any, es []audit.Entry) error {
	if !db.dialect.pipelines() {
		return db.inTx(ctx, func(tx *Tx) error {
			if _, err := tx.insertValues(ctx, head, "", cols, rows); err != nil {
				return err
			}
			return tx.Audit(ctx, es...)
		})
	}
	inserts, err := valuesStatements(head, "", cols, db.dialect.insertRows(), rows)
	if err != nil {
		return err
	}
	return db.retrying(ctx, func() error { return db.pipelinedTx(ctx, inserts, es) })
}

// pipelinedTx is one try of insertAudited on PostgreSQL. A connection
// left inside a transaction, or broken, is closed rather than returned to
// the pool.
func (db *DB) pipelinedTx(ctx context.Context, inserts []statement, es []audit.Entry) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	now := db.now().UTC().Truncate(time.Microsecond)
	var failed error
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			failed = fmt.Errorf("store: a pipeline needs the pgx driver, not %T", dc)
			return nil
		}
		pc := c.Conn()
		failed = db.pipeline(ctx, pc, now, inserts, es)
		if pc.IsClosed() {
			return driver.ErrBadConn
		}
		if pc.PgConn().TxStatus() != 'I' {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			if _, err := pc.Exec(rctx, "ROLLBACK"); err != nil || pc.PgConn().TxStatus() != 'I' {
				return driver.ErrBadConn
			}
		}
		return nil
	})
	if failed != nil {
		return failed
	}
	return err
}

// pipeline sends insertAudited's two round trips on pc.
func (db *DB) pipeline(ctx context.Context, pc *pgx.Conn, now time.Time, inserts []statement, es []audit.Entry) error {
	es, listRows, viewList := viewRows(es, now)
	lists, err := valuesStatements(subjectSetInsert, subjectSetTail, subjectSetArgs, db.dialect.insertRows(), listRows)
	if err != nil {
		return err
	}
	views, err := valuesStatements(viewInsert, "", viewArgs, db.dialect.insertRows(), viewList)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	for _, st := range slices.Concat(inserts, lists, views) {
		b.Queue(st.query, st.args...)
	}
	b.Queue(db.dialect.lockAudit())
	b.Queue(auditHeadQuery)
	br := pc.SendBatch(ctx, b)
	for range 2 + len(inserts) + len(lists) + len(views) {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	seq, prev := int64(0), audit.Genesis
	if err := br.QueryRow().Scan(&seq, &prev); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		br.Close()
		return err
	}
	if err := br.Close(); err != nil {
		return err
	}
	entries, err := valuesStatements(auditInsert, "", auditCols, db.dialect.insertRows(), db.sealAudit(now, seq, prev, es))
	if err != nil {
		return err
	}
	b = &pgx.Batch{}
	for _, st := range entries {
		b.Queue(st.query, st.args...)
	}
	b.Queue("COMMIT")
	br = pc.SendBatch(ctx, b)
	for range entries {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	tag, err := br.Exec()
	if err == nil && tag.String() != "COMMIT" {
		err = fmt.Errorf("store: the audit pipeline's transaction ended with %s, not COMMIT", tag)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}
