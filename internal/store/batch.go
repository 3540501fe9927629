package store

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// rowsOf is what a read's rows offer, from database/sql or from pgx.
type rowsOf interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// batchRead is one query of readBatch and what takes its rows.
type batchRead struct {
	query string
	args  []any
	take  func(rowsOf) error
}

// into is a batchRead that appends each row, as scan reads it, to out.
func into[T any](out *[]T, query string, scan func(interface{ Scan(...any) error }) (T, error), args ...any) batchRead {
	return batchRead{query: query, args: args, take: func(rows rowsOf) error {
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			*out = append(*out, v)
		}
		return rows.Err()
	}}
}

// readBatch runs independent reads outside a transaction, each with its
// own snapshot as the same reads one after another would see. On
// PostgreSQL they go as one pgx pipeline — one round trip instead of one
// a read, which on a page of a person's few rows is most of the cost of
// each read on both sides; on SQLite (in process) one after another
// through the prepared statements. A connection the batch leaves broken
// or inside a transaction is closed rather than returned to the pool.
func (db *DB) readBatch(ctx context.Context, reads ...batchRead) error {
	if !db.dialect.pipelines() {
		for _, r := range reads {
			rows, err := db.query(ctx, r.query, r.args...)
			if err != nil {
				return err
			}
			err = r.take(rows)
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var failed error
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			failed = fmt.Errorf("store: a pipeline needs the pgx driver, not %T", dc)
			return nil
		}
		pc := c.Conn()
		failed = sendReads(ctx, pc, reads)
		if pc.IsClosed() || pc.PgConn().TxStatus() != 'I' {
			return driver.ErrBadConn
		}
		return nil
	})
	if failed != nil {
		return failed
	}
	return err
}

// sendReads is readBatch's pipeline on pc.
func sendReads(ctx context.Context, pc *pgx.Conn, reads []batchRead) error {
	b := &pgx.Batch{}
	for _, r := range reads {
		b.Queue(r.query, r.args...)
	}
	br := pc.SendBatch(ctx, b)
	for _, r := range reads {
		rows, err := br.Query()
		if err != nil {
			br.Close()
			return err
		}
		err = r.take(rows)
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
		if err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
}
