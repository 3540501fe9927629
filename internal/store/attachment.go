package store

// Attachment content in chunks (migration 00021): a file is copied into
// attachment_chunks a chunk at a time from its spooled copy, so that
// storing it never holds it whole in memory, and the per-person quota is
// summed from the attachment rows.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/etuus/etuus/internal/message"
)

// chunkBytes is the most one attachment_chunks row holds.
const chunkBytes = 256 << 10

// contentReader is the database or a transaction, reading rows.
type contentReader interface {
	rowReader
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// storeContent stores a file's content once per hash: a content already
// stored is not read again. The copy read must have the file's size and
// hash, else the transaction fails.
func (tx msgTx) storeContent(ctx context.Context, f message.File) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO attachment_blobs (sha256, size, data) VALUES ($1, $2, $3)
		ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.Size, []byte{})
	if err != nil {
		return tx.db.mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return tx.db.mapErr(err)
	}
	open := f.Open
	if open == nil {
		data := f.Data
		open = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h, buf := sha256.New(), make([]byte, chunkBytes)
	var size int64
	for seq := 0; ; seq++ {
		n, rerr := io.ReadFull(rc, buf)
		if n > 0 {
			h.Write(buf[:n])
			size += int64(n)
			if _, err := tx.exec(ctx, `INSERT INTO attachment_chunks (sha256, seq, data) VALUES ($1, $2, $3)`, f.SHA256, seq, buf[:n]); err != nil {
				return tx.db.mapErr(err)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("store: reading attachment %q: %w", f.Name, rerr)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); size != f.Size || got != f.SHA256 {
		return fmt.Errorf("store: attachment %q changed: %d bytes %s, want %d %s", f.Name, size, got, f.Size, f.SHA256)
	}
	return nil
}

// readContent reads a stored content's chunks in order.
func readContent(ctx context.Context, q contentReader, sha string, size int64) ([]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT data FROM attachment_chunks WHERE sha256 = $1 ORDER BY seq`, sha)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]byte, 0, size)
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, rows.Err()
}

// attachmentBytesSQL sums what a person sent as attachments in their own
// threads.
const attachmentBytesSQL = `SELECT COALESCE(SUM(a.size), 0) FROM threads t
	JOIN attachments a ON a.thread_id = t.id
	JOIN thread_messages m ON m.id = a.message_id
	WHERE t.party_kind = 'customer' AND t.party_id = $1 AND m.author_kind = 'customer'`

// AttachmentBytes sums the attachments a person has sent.
func (r *MessageRepo) AttachmentBytes(ctx context.Context, personID string) (int64, error) {
	var n int64
	err := r.db.sql.QueryRowContext(ctx, attachmentBytesSQL, personID).Scan(&n)
	return n, r.db.mapErr(err)
}

// threadAttachmentBytesSQL sums what the customer side sent as
// attachments in one thread: a secure e-mail thread's quota
// (attachments_thread).
const threadAttachmentBytesSQL = `SELECT COALESCE(SUM(a.size), 0) FROM attachments a
	JOIN thread_messages m ON m.id = a.message_id
	WHERE a.thread_id = $1 AND m.author_kind = 'customer'`

// ThreadAttachmentBytes sums the attachments the sender sent in a thread.
func (r *SecureMailRepo) ThreadAttachmentBytes(ctx context.Context, threadID string) (int64, error) {
	var n int64
	err := r.db.sql.QueryRowContext(ctx, threadAttachmentBytesSQL, threadID).Scan(&n)
	return n, r.db.mapErr(err)
}

// ThreadAttachmentBytes sums them in the transaction; the caller holds the
// thread's lock.
func (tx msgTx) ThreadAttachmentBytes(ctx context.Context, threadID string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, threadAttachmentBytesSQL, threadID).Scan(&n)
	return n, tx.db.mapErr(err)
}

// AttachmentBytesForUpdate locks the person (lockPerson) and sums their
// attachments.
func (tx msgTx) AttachmentBytesForUpdate(ctx context.Context, personID string) (int64, error) {
	if err := tx.lockPerson(ctx, personID); err != nil {
		return 0, tx.db.mapErr(err)
	}
	var n int64
	err := tx.QueryRowContext(ctx, attachmentBytesSQL, personID).Scan(&n)
	return n, tx.db.mapErr(err)
}
