package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/outbox"
)

var _ outbox.Store = (*DB)(nil)

// Enqueue writes a notice into the outbox in this transaction, so that it is
// sent if and only if the transaction commits.
func (tx *Tx) Enqueue(ctx context.Context, it *outbox.Item) error {
	it.ID = NewID()
	it.MessageID = it.ID + "@etuus"
	it.Status, it.Attempts, it.NextAt, it.CreatedAt = outbox.Pending, 0, tx.now, tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox
		(id, channel, recipient, lang, kind, payload, message_id, person_id, thread_id, status, next_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		it.ID, string(it.Channel), it.Recipient, it.Lang, string(it.Kind), it.Payload, it.MessageID,
		nullString(it.PersonID), nullString(it.ThreadID), string(it.Status), it.NextAt, it.CreatedAt)
	return err
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Enqueue writes one notice in a transaction of its own, for a notice that
// nothing else in the database causes (a one-time code asked for).
func (db *DB) Enqueue(ctx context.Context, it *outbox.Item) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.Enqueue(ctx, it) })
}

const outboxColumns = `id, channel, recipient, lang, kind, payload, message_id, person_id, thread_id,
	status, attempts, next_at, last_error, created_at, sent_at`

// claimSQL leases due notices in one statement. The due rows are picked
// once, in a materialized CTE: as an IN subquery PostgreSQL may run the
// pick again for each row it updates, and after the first update the pick
// finds other rows. On PostgreSQL the pick skips rows another worker's
// claim is locking right now, and the UPDATE repeats the lease test because
// a row may have been claimed and committed after the pick's snapshot.
// SQLite runs one writer at a time, so the statement alone is atomic there.
func (d dialect) claimSQL(channels []outbox.Channel) string {
	only := ""
	for i, ch := range channels {
		if i == 0 {
			only = " AND channel IN ("
		} else {
			only += ", "
		}
		// The channels are the package's constants, never user input.
		only += "'" + string(ch) + "'"
	}
	if only != "" {
		only += ")"
	}
	skip := ""
	if d == postgresDialect {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	return `WITH due AS MATERIALIZED (SELECT id FROM outbox
			WHERE status = 'pending' AND next_at <= $3 AND (locked_until IS NULL OR locked_until <= $3)` + only + `
			ORDER BY next_at, id LIMIT $4` + skip + `)
		UPDATE outbox SET locked_by = $1, locked_until = $2, attempts = attempts + 1
		WHERE id IN (SELECT id FROM due)
		AND status = 'pending' AND (locked_until IS NULL OR locked_until <= $3)
		RETURNING ` + outboxColumns
}

// ClaimOutbox leases up to n due notices to worker for lease: pending ones
// whose time has come and that no other worker holds, or whose holder's
// lease ran out, on the given channels (all when none are given), so that
// a notice waits for a worker that can send it. It counts the try and
// returns them oldest first.
func (db *DB) ClaimOutbox(ctx context.Context, worker string, n int, lease time.Duration, channels ...outbox.Channel) ([]outbox.Item, error) {
	for _, ch := range channels {
		if ch != outbox.Email && ch != outbox.SMS {
			return nil, fmt.Errorf("outbox: unknown channel %q", ch)
		}
	}
	var out []outbox.Item
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, db.dialect.claimSQL(channels), worker, tx.now.Add(lease), tx.now, n)
		if err != nil {
			return err
		}
		out, err = scanAll(rows, scanOutbox)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b outbox.Item) int {
		if c := a.NextAt.Compare(b.NextAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

func scanOutbox(r interface{ Scan(...any) error }) (outbox.Item, error) {
	var (
		it                 outbox.Item
		channel, kind, st  string
		personID, threadID sql.NullString
		sentAt             sql.NullTime
	)
	err := r.Scan(&it.ID, &channel, &it.Recipient, &it.Lang, &kind, &it.Payload, &it.MessageID, &personID, &threadID,
		&st, &it.Attempts, &it.NextAt, &it.LastError, &it.CreatedAt, &sentAt)
	it.Channel, it.Kind, it.Status = outbox.Channel(channel), outbox.Kind(kind), outbox.Status(st)
	it.PersonID, it.ThreadID = personID.String, threadID.String
	it.NextAt, it.CreatedAt = it.NextAt.UTC(), it.CreatedAt.UTC()
	if sentAt.Valid {
		it.SentAt = sentAt.Time.UTC()
	}
	return it, err
}

// MarkSent records that the server took the notice and forgets its
// payload. It fails with outbox.ErrNotHeld when worker no longer holds the
// notice: its lease ran out and another worker claimed it.
func (db *DB) MarkSent(ctx context.Context, worker, id string) error {
	return db.release(ctx, worker, id, func(tx *Tx) (string, []any) {
		return `status = 'sent', sent_at = $3, payload = '', last_error = ''`, []any{tx.now}
	})
}

// MarkRetry puts the notice back to be tried again at next, noting why the
// last try failed. It fails with outbox.ErrNotHeld as MarkSent does.
func (db *DB) MarkRetry(ctx context.Context, worker, id string, next time.Time, errText string) error {
	return db.release(ctx, worker, id, func(*Tx) (string, []any) {
		return `next_at = $3, last_error = $4`, []any{next.UTC().Truncate(time.Microsecond), errText}
	})
}

// ReleaseOutbox hands a claimed notice back untried, due as it was, and
// takes back the try its claim counted. It fails with outbox.ErrNotHeld as
// MarkSent does.
func (db *DB) ReleaseOutbox(ctx context.Context, worker, id string) error {
	return db.release(ctx, worker, id, func(*Tx) (string, []any) {
		return `attempts = attempts - 1`, nil
	})
}

// MarkFailed gives the notice up, noting why, and forgets its payload: a
// one-time code or link nobody will send is better gone. It fails with
// outbox.ErrNotHeld as MarkSent does.
func (db *DB) MarkFailed(ctx context.Context, worker, id, errText string) error {
	return db.release(ctx, worker, id, func(*Tx) (string, []any) {
		return `status = 'failed', payload = '', last_error = $3`, []any{errText}
	})
}

// release ends worker's lease on a pending notice with the changes set
// gives, whose parameters start at $3.
func (db *DB) release(ctx context.Context, worker, id string, set func(tx *Tx) (string, []any)) error {
	return db.inTx(ctx, func(tx *Tx) error {
		cols, args := set(tx)
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET `+cols+`, locked_by = NULL, locked_until = NULL
			WHERE id = $1 AND locked_by = $2 AND status = 'pending'`, append([]any{id, worker}, args...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fault.Wrap(fault.Conflict, "", outbox.ErrNotHeld)
		}
		return nil
	})
}

// OutboxOf lists the notices about a thread, newest first, for staff to see
// whether the customer was told. Payloads are left out: a one-time code is
// not staff's to read.
func (db *DB) OutboxOf(ctx context.Context, threadID string) ([]outbox.Item, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+strings.Replace(outboxColumns, "payload", "''", 1)+`
		FROM outbox WHERE thread_id = $1 ORDER BY created_at DESC, id DESC`, threadID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanOutbox)
}

// OutboxStats counts the notices in each status, for monitoring: a growing
// pending count means the worker falls behind or the server refuses.
func (db *DB) OutboxStats(ctx context.Context) (map[outbox.Status]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, err
	}
	type row struct {
		st string
		n  int
	}
	rs, err := scanAll(rows, func(r interface{ Scan(...any) error }) (row, error) {
		var x row
		return x, r.Scan(&x.st, &x.n)
	})
	if err != nil {
		return nil, err
	}
	out := map[outbox.Status]int{outbox.Pending: 0, outbox.Sent: 0, outbox.Failed: 0}
	for _, x := range rs {
		out[outbox.Status(x.st)] = x.n
	}
	return out, nil
}

// OutboxBacklog is what the metrics show of the outbox: the notices waiting
// to be sent, how long the oldest has waited, and those given up on. Each
// is an index range, so a scrape stays cheap however many notices were
// sent.
func (db *DB) OutboxBacklog(ctx context.Context) (pending int, oldest time.Duration, failed int, err error) {
	if err = db.queryRow(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&pending); err != nil {
		return
	}
	if err = db.queryRow(ctx, `SELECT count(*) FROM outbox WHERE status = 'failed'`).Scan(&failed); err != nil || pending == 0 {
		return
	}
	var at time.Time
	if err = db.queryRow(ctx, `SELECT created_at FROM outbox WHERE status = 'pending' ORDER BY created_at LIMIT 1`).Scan(&at); err != nil {
		return
	}
	return pending, db.now().Sub(at), failed, nil
}
