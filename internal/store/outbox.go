package store

import (
	"context"
	"database/sql"

	"github.com/etuus/etuus/internal/outbox"
)

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
